"""Issuing: one certificate per competent asesi, numbered once, gap-free, never twice."""

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from assessments.models import AssessmentSession, Enrolment, Verdict
from assessments.services.sessions import Refused
from certificates.models import Certificate, CertificateSequence
from certificates.services.issuing import format_number, issue_one, issue_session
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def decided(lsp_a):
    """A decided session: three K, one BK."""
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    session.scheme.kbli_code, session.scheme.kbji_code = "62019", "3512"
    session.scheme.save()
    session.scheme.units.add(factories.UnitFactory(lsp=lsp_a, title="Unit satu"))
    for n, decision in enumerate([Verdict.K, Verdict.K, Verdict.BK, Verdict.K]):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=f"Asesi {n}",
            decision=decision,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return session


def test_a_decided_session_issues_one_certificate_per_k(decided, admin_a):
    issued = issue_session(admin_a, decided, issued_on=ON)
    assert [c.holder_name for c in issued] == ["Asesi 0", "Asesi 1", "Asesi 3"]
    assert [c.sequence for c in issued] == [1, 2, 3]
    assert issued[0].number == "62019 3512 2 0000001 2026"
    assert issued[0].valid_until == datetime.date(2029, 8, 17)
    assert issued[0].units == [{"code": decided.scheme.units.get().code, "title": "Unit satu",
                                "title_en": ""}]  # fmt: skip
    assert issue_session(admin_a, decided, issued_on=ON) == []  # twice: nothing new
    assert Certificate.objects.count() == 3


def test_what_the_certificate_says_does_not_follow_later_edits(decided, admin_a):
    certificate = issue_session(admin_a, decided, issued_on=ON)[0]
    candidate = certificate.candidate
    candidate.full_name = "Nama Baru"
    candidate.save()
    decided.scheme.title = "Skema Baru"
    decided.scheme.save()
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.scheme_title) != ("Nama Baru", "Skema Baru")


def test_only_after_the_decision_and_only_by_the_lsp_admin(decided, admin_b, viewer_kaltim):
    for user in (admin_b, viewer_kaltim):
        with pytest.raises(Refused, match="Only the LSP admin"):
            issue_session(user, decided)
    decided.status = AssessmentSession.Status.AWAITING_DECISION
    decided.save()
    admin = factories.lsp_admin(decided.lsp)
    with pytest.raises(Refused, match="after the certification decision"):
        issue_session(admin, decided)
    assert not Certificate.objects.exists()


def test_a_reassessment_turning_bk_into_k_issues_later(decided, admin_a):
    issue_session(admin_a, decided, issued_on=ON)
    first = decided.enrolments.get(decision=Verdict.BK)
    factories.EnrolmentFactory(
        session=decided,
        candidate=first.candidate,
        round=2,
        previous=first,
        decision=Verdict.K,
        decided_at=datetime.datetime(2026, 8, 20, tzinfo=datetime.UTC),
    )
    later = issue_session(admin_a, decided, issued_on=ON + datetime.timedelta(days=5))
    assert [c.holder_name for c in later] == [first.candidate.full_name]
    assert later[0].sequence == 4 and later[0].enrolment.round == 2


def test_numbers_are_per_lsp_and_year(decided, admin_a, lsp_b):
    issue_session(admin_a, decided, issued_on=ON)
    other = factories.SessionFactory(lsp=lsp_b, status=AssessmentSession.Status.DECIDED)
    e = factories.EnrolmentFactory(session=other, decision=Verdict.K)
    assert issue_one(e, issued_on=ON).sequence == 1  # another LSP counts from 1
    nxt = factories.EnrolmentFactory(session=other, decision=Verdict.K)
    assert issue_one(nxt, issued_on=datetime.date(2027, 1, 2)).sequence == 1  # a new year too
    assert format_number(other.scheme, sequence=12, year=2027).endswith("0000012 2027")


@pytest.mark.django_db(transaction=True)
def test_parallel_issuing_never_shares_a_number():
    """Two admins issuing at the same moment, each on their own connection (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # A transactional test starts from flushed tables: the funding sources come back first.
    for name in ("0002_reference_data", "0005_bnsp_code_lists"):
        importlib.import_module(f"lsp.migrations.{name}").load(apps, None)
    lsp_a = factories.LspFactory()  # after the reference data: its school needs a regency
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    enrolments = [
        factories.EnrolmentFactory(session=session, decision=Verdict.K) for _ in range(12)
    ]
    barrier = threading.Barrier(4)
    errors = []

    def issue(part):
        try:
            barrier.wait()
            for e in part:
                issue_one(Enrolment.objects.get(pk=e.pk), issued_on=ON)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(enrolments[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 13))  # gap-free, none twice
    assert CertificateSequence.objects.get(lsp=lsp_a, year=ON.year).last == 12
