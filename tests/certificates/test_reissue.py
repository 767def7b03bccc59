"""Reissuing: a new certificate with a new number, the student's data afresh; the old one
replaced and pointing to it; by the LSP admin only, with a reason, audited; never a revoked one."""

import datetime

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from assessments.services.sessions import Refused
from certificates.models import Certificate, CertificateSequence
from certificates.services.issuing import issue_session
from certificates.services.reissuing import reissue
from certificates.services.revoking import revoke
from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)
NEXT_YEAR = datetime.date(2027, 2, 3)


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    cache.clear()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    for name in ("Siti Nurhaliza", "Budi Santoso", "Citra Dewi"):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return session


@pytest.fixture
def issued(session, admin_a):
    return issue_session(admin_a, session, issued_on=ON)


def test_a_new_number_the_data_afresh_and_the_old_one_replaced(admin_a, issued):
    old = issued[0]
    printed = old.holder_name
    candidate = old.candidate
    candidate.full_name = f"{printed} Rahmawati"  # the name was corrected
    candidate.save()
    new = reissue(admin_a, old, "Nama dikoreksi", on=ON)
    # The next number of the LSP's year: never one given before.
    assert new.sequence == len(issued) + 1 and new.year == ON.year
    assert new.number not in {c.number for c in issued}
    assert new.public_id != old.public_id
    assert new.holder_name == f"{printed} Rahmawati"
    assert (new.enrolment_id, new.session_id, new.candidate_id) == (
        old.enrolment_id,
        old.session_id,
        old.candidate_id,
    )
    # A reissue corrects the paper; it does not certify again.
    assert (new.issued_on, new.valid_until) == (old.issued_on, old.valid_until)
    assert new.status == Certificate.Status.VALID and not new.pdf
    assert new.reissued_by == admin_a and new.reissue_reason == "Nama dikoreksi"
    old.refresh_from_db()
    assert old.status == Certificate.Status.REPLACED and old.replaced_by == new
    assert old.holder_name == printed  # what the old paper says stays on record
    assert old.state_on(ON) == "replaced"


def test_the_number_takes_the_year_of_the_reissue(admin_a, lsp_a, issued):
    new = reissue(admin_a, issued[1], "Hilang", on=NEXT_YEAR)
    assert (new.year, new.sequence) == (2027, 1)
    assert new.number.endswith(" 2027")
    assert CertificateSequence.objects.get(lsp=lsp_a, year=2026).last == len(issued)
    # The next reissue of that year takes the number after it, and no number is used twice.
    again = reissue(admin_a, new, "Rusak", on=NEXT_YEAR)
    assert (again.year, again.sequence) == (2027, 2)
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == len(issued) + 2


def test_issuing_the_session_again_gives_the_enrolment_nothing_new(admin_a, session, issued):
    new = reissue(admin_a, issued[0], "Nama dikoreksi", on=ON)
    assert [c.pk for c in issue_session(admin_a, session, issued_on=ON)] == []
    assert Certificate.objects.filter(enrolment=issued[0].enrolment).count() == 2
    assert Certificate.objects.filter(session=session).count() == len(issued) + 1
    from certificates.services.issuing import issue_one

    assert issue_one(issued[0].enrolment, issued_on=ON) == new


def test_one_certificate_in_force_per_enrolment(issued):
    """The database keeps it so, whoever writes: a second valid certificate is refused."""
    old = issued[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            **{
                f.attname: getattr(old, f.attname)
                for f in Certificate._meta.concrete_fields
                if f.attname not in ("id", "public_id", "number", "sequence")
            },
            number="X 1",
            sequence=999,
        )


def test_refused_for_revoked_replaced_and_expired(admin_a, issued):
    revoke(admin_a, issued[0], "Data palsu")
    with pytest.raises(Refused, match="revoked certificate cannot be reissued"):
        reissue(admin_a, issued[0], "Hilang", on=ON)
    reissue(admin_a, issued[1], "Hilang", on=ON)
    with pytest.raises(Refused, match="already replaced"):
        reissue(admin_a, issued[1], "Lagi", on=ON)
    later = issued[2].valid_until + datetime.timedelta(days=1)
    with pytest.raises(Refused, match="expired"):
        reissue(admin_a, issued[2], "Hilang", on=later)
    with pytest.raises(Refused, match="reason"):
        reissue(admin_a, issued[2], "  ", on=ON)
    assert Certificate.objects.count() == len(issued) + 1


def test_refused_for_other_lsps_admins_and_viewers(client, admin_b, viewer_kaltim, issued):
    certificate = issued[0]
    for user in (admin_b, viewer_kaltim):
        with pytest.raises(Refused, match="Only the LSP admin"):
            reissue(user, certificate, "Hilang", on=ON)
    url = reverse("certificate_reissue", args=[certificate.pk])
    client.force_login(admin_b)
    assert client.post(url, {"reason": "Hilang"}).status_code == 404
    client.force_login(viewer_kaltim)
    assert client.post(url, {"reason": "Hilang"}).status_code == 403
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert 'data-testid="reissue-form"' not in page
    client.logout()
    response = client.post(url, {"reason": "Hilang"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Certificate.objects.count() == len(issued)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_the_admin_reissues_from_the_page_and_the_trail_says_who_and_why(
    client, admin_a, issued, django_capture_on_commit_callbacks
):
    old = issued[0]
    client.force_login(admin_a)
    page = client.get(old.get_absolute_url()).content.decode()
    assert 'data-testid="reissue-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificate_reissue", args=[old.pk]), {"reason": "Sertifikat hilang"}
        )
    new = Certificate.objects.get(replaces=old)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    created = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(new.pk))
    assert created.actor == admin_a
    assert created.changes["reissue_reason"] == [None, "Sertifikat hilang"]
    assert created.changes["reissued_by"] == [None, admin_a.pk]
    changed = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(old.pk))
    assert changed.actor == admin_a
    assert changed.changes == {"status": ["valid", "replaced"], "replaced_by": [None, new.pk]}
    assert set(changed.lsps.values_list("pk", flat=True)) == {old.lsp_id}
    # The new one's page says what it replaces and why; the old one's, what replaced it.
    page = client.get(new.get_absolute_url()).content.decode()
    assert 'data-testid="replaces"' in page and "Sertifikat hilang" in page
    assert 'data-testid="pdf"' in page
    page = client.get(old.get_absolute_url()).content.decode()
    assert 'data-state="replaced"' in page and new.number in page
    assert 'data-testid="pdf"' not in page and 'data-testid="reissue-form"' not in page
    assert client.get(reverse("certificate_pdf", args=[old.pk])).status_code == 410
    # The old one's verification page says replaced and leads to the new one.
    client.logout()
    page = client.get(old.get_verification_url()).content.decode()
    assert 'data-state="replaced"' in page and new.get_verification_url() in page
    record = client.get(old.get_verification_url(), HTTP_ACCEPT="application/json").json()
    assert record["status"] == "replaced" and record["replaced_by"].endswith(
        new.get_verification_url()
    )
    assert 'data-state="valid"' in client.get(new.get_verification_url()).content.decode()


def test_a_reason_is_required_on_the_page(client, admin_a, issued):
    client.force_login(admin_a)
    response = client.post(reverse("certificate_reissue", args=[issued[0].pk]), {"reason": " "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Certificate.objects.count() == len(issued)


def test_reissuing_a_revoked_one_by_post_tells_the_admin(client, admin_a, issued):
    revoke(admin_a, issued[0], "Data palsu")
    client.force_login(admin_a)
    response = client.post(
        reverse("certificate_reissue", args=[issued[0].pk]), {"reason": "Hilang"}, follow=True
    )
    assert "revoked certificate cannot be reissued" in response.content.decode()
    assert Certificate.objects.count() == len(issued)
