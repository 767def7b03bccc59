"""Personal API tokens: made and revoked on the user's tokens page, the secret shown once and
stored only as a hash; the authentication's refusals; throttling per token; JSON errors in
Indonesian or English."""

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from lsp.models import AuditEntry
from tests import factories

from .helpers import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_a):
    client.force_login(admin_a)
    client.cookies["django_language"] = "en"
    return client


def test_the_account_menu_links_the_tokens_page(signed_in):
    page = signed_in.get(reverse("home"), follow=True).content.decode()
    assert reverse("api_token_list") in page


def test_a_token_is_shown_once_and_stored_hashed(
    signed_in, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("api_token_list"), {"name": "Dapodik sync"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("kpt_") and len(secret) > 40
    assert secret in response.content.decode()

    token = ApiToken.objects.get(user=admin_a)
    assert token.name == "Dapodik sync"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    # Shown once: the page afterwards lists the token by its first characters only.
    again = signed_in.get(reverse("api_token_list")).content.decode()
    assert secret not in again and token.key_prefix in again
    # Its creation is in the audit trail, without the hash.
    entry = AuditEntry.objects.filter(object_repr__startswith="Dapodik sync").get()
    assert token.key_hash not in str(entry.changes)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/lsps/").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_name_twice_is_refused_by_field(signed_in):
    signed_in.post(reverse("api_token_list"), {"name": "Portal"})
    response = signed_in.post(reverse("api_token_list"), {"name": "Portal"})
    assert response.context["secret"] is None
    assert response.context["form"].errors["name"] == [
        "You already have an active token with this name."
    ]
    assert not signed_in.post(reverse("api_token_list"), {"name": ""}).context["secret"]


def test_revoking_stops_the_token_at_once(signed_in, admin_a):
    api = client_for(admin_a, "portal")
    assert api.get("/api/v1/lsps/").status_code == 200
    token = ApiToken.objects.get(user=admin_a, name="portal")

    response = signed_in.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(api.get("/api/v1/lsps/"), 401, "revoked_token")
    assert signed_in.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405


def test_nobody_sees_or_revokes_another_users_token(signed_in, admin_b):
    client_for(admin_b, "theirs")
    theirs = ApiToken.objects.get(user=admin_b)
    assert "theirs" not in signed_in.get(reverse("api_token_list")).content.decode()
    assert signed_in.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_tokens_page_needs_a_login(client):
    response = client.get(reverse("api_token_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer kpt_not-a-real-token", "invalid_token"),
        ("Bearer", "malformed_token"),
        ("Bearer one two", "malformed_token"),
    ],
)
def test_bad_tokens_are_refused_with_a_code(db, header, code):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=header)
    response = assert_error(client.get("/api/v1/schools/"), 401, code)
    assert response["message"]


def test_a_disabled_account_is_refused(admin_a):
    api = client_for(admin_a)
    admin_a.is_active = False
    admin_a.save()
    assert_error(api.get("/api/v1/schools/"), 401, "inactive_account")


def test_messages_in_indonesian_or_english(db):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="id").get("/api/v1/schools/")
    assert response.json()["code"] == "not_authenticated"
    assert response["Content-Language"] == "id"
    indonesian = response.json()["message"]
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/schools/").json()["message"]
    assert english == "Authentication credentials were not provided."
    assert indonesian != english


def test_throttled_per_token(settings, admin_a):
    settings.API_RATE_LIMIT = "3/m"
    first, second = client_for(admin_a, "one"), client_for(admin_a, "two")
    for _ in range(3):
        assert first.get("/api/v1/lsps/").status_code == 200
    body = assert_error(first.get("/api/v1/lsps/"), 429, "throttled")
    assert 0 < body["retry_after"] <= 60
    # Another token of the same user has its own count.
    assert second.get("/api/v1/lsps/").status_code == 200


def test_the_browsable_api_uses_the_session(client, admin_a):
    client.force_login(admin_a)
    response = client.get("/api/v1/lsps/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    factories.LspFactory()  # another LSP, not shown
    assert client.get("/api/v1/lsps/", HTTP_ACCEPT="application/json").json()["count"] == 1


def test_the_assessors_own_profile_links_the_tokens_page(client, lsp_a):
    assessor = factories.AssessorFactory(lsps=[lsp_a])
    assessor.user = factories.assessor(lsp_a, username="asesor.profil")
    assessor.save()
    client.force_login(assessor.user)
    page = client.get(reverse("assessor_profile")).content.decode()
    assert 'data-testid="api-tokens"' in page and reverse("api_token_list") in page


def test_an_unexpected_error_is_json_too(api_a, monkeypatch, caplog):
    from api.views.resources import SchoolViewSet

    def broken(self, queryset):
        raise RuntimeError("boom")

    monkeypatch.setattr(SchoolViewSet, "prepare", broken)
    assert_error(api_a.get("/api/v1/schools/"), 500, "server_error")
    assert "boom" in caplog.text
