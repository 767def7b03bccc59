"""The demo's certificates: one per competent asesi of its decided sessions, numbered by date."""

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.demo_sessions import demo_sessions
from assessments.models import AssessmentSession, Verdict
from certificates import demo
from certificates.models import Certificate, CertificateSequence
from certificates.services import rendering
from lsp.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_history(settings):
    """This module checks its own demo rows: the dashboards' history (dashboards/demo.py) is
    left out here and tested in tests/dashboards/test_demo.py."""
    settings.DEMO_HISTORY_YEARS = 0


ISSUABLE = (AssessmentSession.Status.DECIDED, AssessmentSession.Status.REPORTED)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _latest_decisions(session):
    """Each asesi's decision in their latest decided round: what the certificate follows."""
    latest = {}
    for enrolment in session.enrolments.decided().order_by("candidate_id", "-round"):
        latest.setdefault(enrolment.candidate_id, enrolment)
    return latest


def test_the_demo_issues_a_certificate_for_every_k_and_none_for_bk():
    call_command("seed_demo", verbosity=0)
    sessions = list(demo_sessions().select_related("lsp"))
    assert sum(s.status in ISSUABLE for s in sessions) >= 5
    certificates = Certificate.objects.filter(session__in=sessions)
    assert certificates.count() >= 100
    for session in sessions:
        issued = {c.candidate_id: c for c in certificates.filter(session=session)}
        if session.status not in ISSUABLE:
            assert not issued, session.code
            continue
        latest = _latest_decisions(session)
        k = {cid for cid, e in latest.items() if e.decision == Verdict.K}
        assert set(issued) == k, session.code
        assert any(e.decision == Verdict.BK for e in latest.values()), session.code  # none for BK
        for candidate_id, certificate in issued.items():
            enrolment = latest[candidate_id]
            assert certificate.enrolment_id == enrolment.pk
            assert certificate.issued_on == timezone.localdate(enrolment.decided_at)
            assert certificate.lsp_id == session.lsp_id
    # The re-assessment after the appeal: certified on its own, later, decision.
    reassessed = certificates.filter(enrolment__round=2)
    assert reassessed.count() == 1
    first = reassessed.get().enrolment.previous
    assert reassessed.get().issued_on > timezone.localdate(first.decided_at)
    # All valid, no PDF yet (they render on demand), numbered gap-free in date order.
    assert set(certificates.values_list("status", flat=True)) == {Certificate.Status.VALID}
    assert not certificates.exclude(pdf="").exists()
    numbered = defaultdict(list)
    for certificate in certificates.order_by("sequence"):
        numbered[certificate.lsp_id, certificate.year].append(certificate)
    for (lsp_id, year), rows in numbered.items():
        assert [c.sequence for c in rows] == list(range(1, len(rows) + 1))
        assert [c.issued_on for c in rows] == sorted(c.issued_on for c in rows)
        assert CertificateSequence.objects.get(lsp_id=lsp_id, year=year).last == len(rows)


def test_the_demo_certificates_are_made_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    counts = (Certificate.objects.count(), CertificateSequence.objects.count())
    audit = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.build_demo(today=timezone.localdate())
    assert summary.created == 0 and summary.totals["certificates"] == counts[0]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert (Certificate.objects.count(), CertificateSequence.objects.count()) == counts
    assert AuditEntry.objects.count() == audit


def test_reset_deletes_the_certificates_and_their_files_first(
    django_capture_on_commit_callbacks, capsys
):
    call_command("seed_demo", verbosity=0)
    before = set(Certificate.objects.values_list("number", flat=True))
    first = Certificate.objects.order_by("pk").first()
    rendering.store_pdf(first)
    storage = first.pdf.storage
    stored = first.pdf.name
    assert storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--reset")
    assert "certificates" in capsys.readouterr().out
    assert not Certificate.objects.filter(pk=first.pk).exists()
    assert not storage.exists(stored)
    # Rebuilt: the same numbers again, nothing of the old rows left.
    assert set(Certificate.objects.values_list("number", flat=True)) == before
    assert not Certificate.objects.exclude(pdf="").exists()


def test_delete_demo_keeps_a_sequence_still_in_use():
    """A number is never given twice: an LSP's sequence stays while a certificate uses it."""
    call_command("seed_demo", verbosity=0)
    lsp = demo_sessions().filter(status__in=ISSUABLE).first().lsp
    kept = Certificate.objects.filter(lsp=lsp).order_by("sequence").first()
    # Moved to a session of its own, outside the demo's: the demo no longer owns it.
    outside = AssessmentSession.objects.get(pk=kept.session_id)
    outside.pk, outside.code = None, "UJK-LAIN-01"
    outside.save()
    Certificate.objects.filter(pk=kept.pk).update(session=outside)
    demo.delete_demo()
    assert Certificate.objects.filter(pk=kept.pk).exists()
    assert CertificateSequence.objects.filter(lsp=lsp).exists()
    assert not CertificateSequence.objects.exclude(lsp=lsp).exists()
