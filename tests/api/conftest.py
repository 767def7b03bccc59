"""API test helpers: a client per token, English messages, fresh throttle counters."""

import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from api.models import ApiToken

from .helpers import client_for


@pytest.fixture(autouse=True)
def _english_and_fresh_counters(settings):
    settings.API_RATE_LIMIT = "10000/m"
    cache.clear()  # throttle and verification counters
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def api_a(admin_a):
    return client_for(admin_a)


@pytest.fixture
def api_b(admin_b):
    return client_for(admin_b)


@pytest.fixture
def api_viewer(viewer_kaltim):
    return client_for(viewer_kaltim)


@pytest.fixture
def api_anonymous():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_revoked(admin_a):
    token, secret = ApiToken.issue(admin_a, "old")
    token.revoke()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
