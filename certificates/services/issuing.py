"""Issuing certificates: numbers assigned once, gap-free per LSP and year, under a row lock.

`issue_session(session, user)` creates a certificate for every asesi of a decided session whose
latest decided round is K and who has none yet; run twice, it creates nothing new. Each certificate
takes its number in the same transaction as its row, so a rollback gives the number back and no
gap is left; the sequence row is locked (SELECT … FOR UPDATE) so two admins issuing at the same
moment never get the same number. The PDFs are rendered afterwards (`certificates.pdf`).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AssessmentSession, Enrolment, Verdict
from assessments.services.sessions import Refused

from ..models import Certificate, CertificateSequence

ISSUABLE = (AssessmentSession.Status.DECIDED, AssessmentSession.Status.REPORTED)


def valid_until(issued_on: datetime.date) -> datetime.date:
    return issued_on + relativedelta(years=settings.CERTIFICATE_VALID_YEARS)


def format_number(scheme, *, sequence: int, year: int) -> str:
    shape = scheme.certificate_number_format or settings.CERTIFICATE_NUMBER_FORMAT
    return " ".join(
        shape.format(
            kbli=scheme.kbli_code or "00000",
            kbji=scheme.kbji_code or "0000",
            level=scheme.kkni_level or 0,
            sequence=sequence,
            year=year,
        ).split()
    )


def next_sequence(lsp_id: int, year: int) -> int:
    """Take the next number of the LSP's year; call inside the transaction that uses it."""
    CertificateSequence.objects.get_or_create(lsp_id=lsp_id, year=year)
    row = CertificateSequence.objects.select_for_update().get(lsp_id=lsp_id, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def competent_enrolments(session: AssessmentSession):
    """Each asesi's latest decided round, when it is K, without a certificate yet."""
    decided = list(
        session.enrolments.decided()
        .select_related("candidate", "session__scheme", "session__lsp")
        .order_by("candidate_id", "-round")
    )
    latest = {}
    for enrolment in decided:
        latest.setdefault(enrolment.candidate_id, enrolment)
    issued = set(Certificate.objects.filter(session=session).values_list("candidate_id", flat=True))
    return [e for e in latest.values() if e.decision == Verdict.K and e.candidate_id not in issued]


def issue_refusal(user, session: AssessmentSession) -> str | None:
    if not AssessmentSession.objects.editable_by(user).filter(pk=session.pk).exists():
        return _("Only the LSP admin issues certificates.")
    if session.status not in ISSUABLE:
        return _("Certificates are issued after the certification decision.")
    return None


def copy_enrolment(enrolment: Enrolment, *, issued_on, sequence, year) -> Certificate:
    """An unsaved certificate saying what the enrolment, its student, scheme and LSP say now."""
    session = enrolment.session
    scheme, lsp, candidate = session.scheme, session.lsp, enrolment.candidate
    units = [
        {"code": u.code, "title": u.title, "title_en": u.title_en} for u in scheme.ordered_units()
    ]
    return Certificate(
        enrolment=enrolment,
        lsp=lsp,
        scheme=scheme,
        session=session,
        candidate=candidate,
        year=year,
        sequence=sequence,
        number=format_number(scheme, sequence=sequence, year=year),
        issued_on=issued_on,
        valid_until=valid_until(issued_on),
        holder_name=candidate.full_name,
        birth_place=candidate.birth_place,
        birth_date=candidate.birth_date,
        scheme_code=scheme.code,
        scheme_title=scheme.title,
        scheme_title_en=scheme.title_en,
        kkni_level=scheme.kkni_level,
        units=units,
        lsp_name=lsp.name,
        lsp_name_en=lsp.name_en,
        signatory_name=lsp.signatory_name,
        signatory_title=lsp.signatory_title,
    )


def issue_one(enrolment: Enrolment, *, issued_on: datetime.date | None = None) -> Certificate:
    """One certificate, numbered, in its own transaction (the sequence lock is held briefly).

    An enrolment that has one already (valid, expired or revoked, or reissued) gets none.
    """
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        # A replaced one always has its replacement on the same enrolment: that one is returned.
        existing = (
            Certificate.objects.filter(enrolment=enrolment)
            .exclude(status=Certificate.Status.REPLACED)
            .first()
        )
        if existing:
            return existing
        sequence = next_sequence(enrolment.session.lsp_id, issued_on.year)
        certificate = copy_enrolment(
            enrolment, issued_on=issued_on, sequence=sequence, year=issued_on.year
        )
        certificate.save()
        return certificate


def issue_session(
    user, session: AssessmentSession, *, issued_on: datetime.date | None = None
) -> list[Certificate]:
    """A certificate for every competent asesi of the session without one; idempotent."""
    refusal = issue_refusal(user, session)
    if refusal:
        raise Refused(refusal)
    ordered = sorted(competent_enrolments(session), key=lambda e: e.candidate.full_name)
    return [issue_one(e, issued_on=issued_on) for e in ordered]
