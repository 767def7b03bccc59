"""Every resource: an LSP admin's token reads its LSP only, another LSP's token gets nothing, a
Disdikbud token reads its province (never students' records) and writes nothing, a revoked or
missing token is refused; each list runs the same number of queries for 2 rows as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

from .builders import BUILDERS, VIEWER_READS
from .helpers import assert_error, client_for, ids

pytestmark = pytest.mark.django_db

RESOURCES = sorted(BUILDERS)
WRITABLE = {"schools", "tuks", "schemes", "assessors", "students"}


def url(resource, pk=None):
    return f"/api/v1/{resource}/" + (f"{pk}/" if pk else "")


@pytest.fixture
def other_province_viewer(db):
    province = factories.ProvinceFactory(code="63", name="Kalimantan Selatan")
    return client_for(factories.viewer(province=province, username="viewer.kalsel"))


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_lsp_token_reads_its_own_lsp_only(resource, lsp_a, lsp_b, api_a, api_b):
    ours = BUILDERS[resource](lsp_a, 2)
    theirs = BUILDERS[resource](lsp_b, 1)

    listed = ids(api_a.get(url(resource)))
    assert set(ours) <= listed
    assert not listed & set(theirs)
    assert api_a.get(url(resource, ours[0])).json()["id"] == ours[0]
    # Another LSP's token: not in its list, and the address answers 404 (existence not told).
    assert not ids(api_b.get(url(resource))) & set(ours)
    assert_error(api_b.get(url(resource, ours[0])), 404, "not_found")


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_disdikbud_token_reads_its_province_and_writes_nothing(
    resource, lsp_a, api_viewer, other_province_viewer
):
    ours = BUILDERS[resource](lsp_a, 2)

    listed = ids(api_viewer.get(url(resource)))
    if resource in VIEWER_READS:
        assert set(ours) <= listed
        assert api_viewer.get(url(resource, ours[0])).status_code == 200
    else:  # students' records: figures only, elsewhere
        assert not listed
        assert_error(api_viewer.get(url(resource, ours[0])), 404, "not_found")
    assert not ids(other_province_viewer.get(url(resource))) & set(ours)
    if resource in WRITABLE:  # the pages' forms, for LSP admins only (test_writes.py)
        refused = (403, "permission_denied") if resource in VIEWER_READS else (404, "not_found")
        assert_error(api_viewer.post(url(resource), {}, format="json"), 403, "permission_denied")
        assert_error(api_viewer.put(url(resource, ours[0]), {}, format="json"), *refused)
    else:
        assert_error(api_viewer.post(url(resource), {}, format="json"), 405, "method_not_allowed")
        assert_error(
            api_viewer.put(url(resource, ours[0]), {}, format="json"), 405, "method_not_allowed"
        )


@pytest.mark.parametrize("resource", RESOURCES)
def test_revoked_and_missing_tokens_are_refused(resource, lsp_a, api_revoked, api_anonymous):
    ours = BUILDERS[resource](lsp_a, 1)
    for path in (url(resource), url(resource, ours[0])):
        assert_error(api_revoked.get(path), 401, "revoked_token")
        assert_error(api_anonymous.get(path), 401, "not_authenticated")


@pytest.mark.parametrize("resource", RESOURCES)
def test_lists_run_a_constant_number_of_queries(
    resource, lsp_a, admin_a, django_assert_num_queries
):
    # LSP admins read every resource here; the LSP list is a viewer's (below).
    client = client_for(admin_a)
    BUILDERS[resource](lsp_a, 2)
    client.get(url(resource))  # the token's first use writes `last_used`; not counted
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(resource), {"page_size": 50}).json()["count"] >= 2
    BUILDERS[resource](lsp_a, 18)
    with django_assert_num_queries(len(few)):
        assert client.get(url(resource), {"page_size": 50}).json()["count"] >= 20


def test_the_lsp_list_runs_a_constant_number_of_queries(viewer_kaltim, django_assert_num_queries):
    client = client_for(viewer_kaltim)
    factories.LspFactory.create_batch(2, network=factories.SchoolFactory.create_batch(2))
    client.get("/api/v1/lsps/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/lsps/").json()["count"] == 2
    factories.LspFactory.create_batch(18, network=factories.SchoolFactory.create_batch(2))
    with django_assert_num_queries(len(few)):
        assert client.get("/api/v1/lsps/").json()["count"] == 20


def test_lsps_another_lsp_and_a_viewer(lsp_a, lsp_b, api_a, api_b, api_viewer, api_revoked):
    assert ids(api_a.get("/api/v1/lsps/")) == {lsp_a.pk}
    assert_error(api_a.get(f"/api/v1/lsps/{lsp_b.pk}/"), 404, "not_found")
    assert ids(api_viewer.get("/api/v1/lsps/")) == {lsp_a.pk, lsp_b.pk}
    assert_error(api_viewer.post("/api/v1/lsps/", {}, format="json"), 405, "method_not_allowed")
    assert_error(api_revoked.get("/api/v1/lsps/"), 401, "revoked_token")
