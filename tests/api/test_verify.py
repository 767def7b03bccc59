"""The public verification endpoint: no token, exactly the public page's record."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from certificates.views.verify import public_record
from tests import factories

from .helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(lsp_a, admin_a):
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    session.scheme.kbli_code, session.scheme.kbji_code = "62019", "3512"
    session.scheme.save()
    factories.EnrolmentFactory(
        session=session,
        candidate__full_name="Siti Nurul Hasanah",
        candidate__address="Jl. Merdeka No. 17",
        decision=Verdict.K,
        decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
    )
    return issue_session(admin_a, session, issued_on=datetime.date(2026, 8, 17))[0]


def test_verification_needs_no_token_and_says_what_the_page_says(certificate, api_anonymous):
    response = api_anonymous.get(f"/api/v1/verify/{certificate.public_id}/")
    assert response.status_code == 200
    body = response.json()
    request = RequestFactory().get("/")
    assert body == public_record(request, certificate, certificate.state_on())
    assert body["name"] == "Siti N**** H******"
    text = response.content.decode()
    for personal in (certificate.candidate.nik, certificate.candidate.nisn, "Merdeka", "2008"):
        assert personal not in text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The page's JSON and the API agree.
    page = api_anonymous.get(
        reverse("certificate_verify", args=[certificate.public_id]), HTTP_ACCEPT="application/json"
    )
    assert page.json() == body


def test_a_revoked_certificate_verifies_as_revoked(certificate, admin_a, api_anonymous):
    revoke(admin_a, certificate, reason="Data palsu")
    body = api_anonymous.get(f"/api/v1/verify/{certificate.public_id}/").json()
    assert body["status"] == "revoked" and body["revoked_on"]


def test_unknown_and_bad_tokens(certificate, api_anonymous):
    assert_error(
        api_anonymous.get("/api/v1/verify/00000000-0000-0000-0000-000000000000/"), 404, "not_found"
    )
    # A wrong token does not matter here: the endpoint reads no token.
    api_anonymous.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert api_anonymous.get(f"/api/v1/verify/{certificate.public_id}/").status_code == 200


def test_the_public_limit_applies(certificate, api_anonymous, settings):
    settings.VERIFY_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert api_anonymous.get(f"/api/v1/verify/{certificate.public_id}/").status_code == 200
    body = assert_error(
        api_anonymous.get(f"/api/v1/verify/{certificate.public_id}/"), 429, "throttled"
    )
    assert body["retry_after"] > 0
