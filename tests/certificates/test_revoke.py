"""Revoking: by the LSP admin, with a reason, once; audited; verifies as revoked; never reused."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from assessments.services.sessions import Refused
from certificates.models import Certificate
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    cache.clear()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    """A decided session: three K, one BK."""
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    for n, decision in enumerate([Verdict.K, Verdict.K, Verdict.BK, Verdict.K]):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=f"Asesi {n}",
            decision=decision,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return session


@pytest.fixture
def issued(session, admin_a):
    return issue_session(admin_a, session, issued_on=ON)


def test_the_admin_revokes_with_a_reason_and_the_trail_says_who_and_why(
    client, admin_a, issued, django_capture_on_commit_callbacks
):
    certificate = issued[0]
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificate_revoke", args=[certificate.pk]),
            {"reason": "Identitas asesi keliru"},
        )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_by == admin_a and certificate.revoked_at is not None
    assert certificate.revoke_reason == "Identitas asesi keliru"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(certificate.pk))
    assert entry.actor == admin_a
    assert entry.changes["status"] == ["valid", "revoked"]
    assert entry.changes["revoke_reason"] == ["", "Identitas asesi keliru"]
    assert entry.changes["revoked_by"] == [None, admin_a.pk]
    assert set(entry.lsps.values_list("pk", flat=True)) == {certificate.lsp_id}
    # The verification page says so from that moment, in HTML and JSON.
    client.logout()
    url = certificate.get_verification_url()
    assert 'data-state="revoked"' in client.get(url).content.decode()
    assert client.get(url, HTTP_ACCEPT="application/json").json()["status"] == "revoked"
    # The detail page shows it revoked, with the reason for the admin, and no revoke form.
    client.force_login(admin_a)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert 'data-state="revoked"' in page and "Identitas asesi keliru" in page
    assert 'data-testid="revoke-form"' not in page
    assert 'data-testid="pdf"' not in page


def test_a_reason_is_required(client, admin_a, issued):
    certificate = issued[0]
    client.force_login(admin_a)
    response = client.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    with pytest.raises(Refused, match="reason"):
        revoke(admin_a, certificate, "")


def test_not_twice_and_not_by_others(admin_a, admin_b, viewer_kaltim, issued):
    certificate = issued[0]
    for user in (admin_b, viewer_kaltim):
        with pytest.raises(Refused, match="Only the LSP admin"):
            revoke(user, certificate, "Alasan")
    revoke(admin_a, certificate, "Alasan")
    with pytest.raises(Refused, match="already revoked"):
        revoke(admin_a, certificate, "Lagi")
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "Alasan"


def test_revoking_twice_by_post_tells_the_admin(client, admin_a, issued):
    certificate = issued[0]
    revoke(admin_a, certificate, "Alasan")
    client.force_login(admin_a)
    response = client.post(
        reverse("certificate_revoke", args=[certificate.pk]), {"reason": "Lagi"}, follow=True
    )
    assert "already revoked" in response.content.decode()


def test_a_revoked_number_is_never_given_again(admin_a, session, issued):
    last = issued[-1]
    revoke(admin_a, last, "Salah cetak")
    # A re-assessment turns the BK into K: the new certificate takes the next number.
    first = session.enrolments.get(decision=Verdict.BK)
    factories.EnrolmentFactory(
        session=session,
        candidate=first.candidate,
        round=2,
        previous=first,
        decision=Verdict.K,
        decided_at=datetime.datetime(2026, 8, 20, tzinfo=datetime.UTC),
    )
    later = issue_session(admin_a, session, issued_on=ON)
    assert [c.sequence for c in later] == [len(issued) + 1]
    assert later[0].number != last.number
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    last.refresh_from_db()
    assert last.status == Certificate.Status.REVOKED and last.sequence == len(issued)
