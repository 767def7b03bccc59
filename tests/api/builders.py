"""Rows of each resource for one LSP: `BUILDERS[resource](lsp, n)` makes n rows and returns
their ids as the API lists them."""

import datetime
import itertools

from assessments.models import AssessmentSession, SchemeUnit, UnitVerdict, Verdict
from certificates.services.issuing import issue_session
from tests import factories

_admins = itertools.count(1)


def schools(lsp, n):
    made = factories.SchoolFactory.create_batch(n)
    lsp.network_schools.add(*made)
    tkj = factories.concentration()
    for school in made:
        school.concentrations.add(tkj)
    return [s.pk for s in made]


def tuks(lsp, n):
    return [t.pk for t in factories.TukFactory.create_batch(n, lsp=lsp)]


def schemes(lsp, n):
    made = []
    for _ in range(n):
        scheme = factories.SchemeFactory(lsp=lsp)
        for order, unit in enumerate(factories.UnitFactory.create_batch(2, lsp=lsp)):
            SchemeUnit.objects.create(scheme=scheme, unit=unit, order=order)
        made.append(scheme.pk)
    return made


def assessors(lsp, n):
    made = []
    for _ in range(n):
        assessor = factories.AssessorFactory(lsps=[lsp], home_school=lsp.host_school)
        factories.AssessorCertificateFactory(assessor=assessor)
        made.append(assessor.pk)
    return made


def students(lsp, n):
    return [c.pk for c in factories.CandidateFactory.create_batch(n, school=lsp.host_school)]


def sessions(lsp, n):
    made = []
    for i in range(n):
        session = factories.SessionFactory(
            lsp=lsp, start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=3 * i)
        )
        session.end_date = session.start_date
        session.save()
        factories.EnrolmentFactory(session=session)
        made.append(session.pk)
    return made


def enrolments(lsp, n):
    session = factories.SessionFactory(lsp=lsp)
    unit = factories.UnitFactory(lsp=lsp)
    SchemeUnit.objects.create(scheme=session.scheme, unit=unit)
    made = []
    for _ in range(n):
        enrolment = factories.EnrolmentFactory(session=session)
        UnitVerdict.objects.create(
            enrolment=enrolment,
            unit=unit,
            verdict=Verdict.K,
            recorded_by=factories.UserFactory(),
        )
        made.append(enrolment.pk)
    return made


def certificates(lsp, n):
    session = factories.SessionFactory(lsp=lsp, status=AssessmentSession.Status.DECIDED)
    session.scheme.kbli_code, session.scheme.kbji_code = "62019", "3512"
    session.scheme.save()
    factories.EnrolmentFactory.create_batch(
        n,
        session=session,
        decision=Verdict.K,
        decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
    )
    admin = factories.lsp_admin(lsp, username=f"issuer{next(_admins)}")
    return [c.pk for c in issue_session(admin, session, issued_on=datetime.date(2026, 8, 17))]


BUILDERS = {
    "schools": schools,
    "tuks": tuks,
    "schemes": schemes,
    "assessors": assessors,
    "students": students,
    "sessions": sessions,
    "enrolments": enrolments,
    "certificates": certificates,
}
# What a Disdikbud viewer of the province reads: everything but students' records.
VIEWER_READS = {"schools", "tuks", "schemes", "assessors", "sessions", "certificates"}
