"""The OpenAPI schema validates, and schemathesis finds no server error and no response that
differs from the schema, with an LSP admin's token and a Disdikbud token."""

import os

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lsp.wsgi import application

from .builders import BUILDERS
from .helpers import client_for

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Hypothesis cases per operation and token; API_FUZZ_EXAMPLES=100 for a deeper run by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    text = (tmp_path / "s.yaml").read_text()
    for path in ("/api/v1/assessors/", "/api/v1/verify/{public_id}/", "/api/v1/students/"):
        assert path in text


def test_the_docs_page_is_served_from_our_static(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def fuzz(operation, secret, count):
    """Hypothesis cases of one operation, sent with the token, each response checked."""
    headers = {"Authorization": f"Bearer {secret}"}

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        count(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.fixture
def keep_connection():
    """Requests go through the real WSGI handler, which closes the database connection after each
    one (and with it the test's transaction); Django's test client holds it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(lsp_a, lsp_b):
    for build in BUILDERS.values():
        build(lsp_a, 2)
        build(lsp_b, 1)


def test_schemathesis_finds_no_server_error(
    keep_connection, world, admin_a, viewer_kaltim, settings, capsys
):
    settings.ALLOWED_HOSTS = ["*"]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    tokens = {
        "LSP admin": client_for(admin_a).secret,
        "Disdikbud": client_for(viewer_kaltim).secret,
    }
    sent = dict.fromkeys(tokens, 0)
    statuses: dict[int, int] = {}

    def count(role, status):
        sent[role] += 1
        statuses[status] = statuses.get(status, 0) + 1

    for result in schema.get_all_operations():
        operation = result.ok()
        for role, secret in tokens.items():
            fuzz(operation, secret, lambda status, role=role: count(role, status))

    with capsys.disabled():
        print(
            f"\nschemathesis: {sum(sent.values())} generated requests "
            f"({', '.join(f'{role} {n}' for role, n in sent.items())}); "
            f"statuses {dict(sorted(statuses.items()))}"
        )
    assert all(n > 0 for n in sent.values())
    assert not any(code >= 500 for code in statuses)
