"""Every list view runs a fixed number of queries, however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lsp.models import Regency, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_rows(capture):
    with capture(execute=True):  # audit entries are written on commit
        _add_one_of_each()


def _add_one_of_each():
    lsp = factories.LspFactory()
    factories.TukFactory(lsp=lsp)
    user = factories.UserFactory()
    Role.objects.create(user=user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    lsp.network_schools.add(factories.SchoolFactory())


@pytest.mark.parametrize(
    "name", ["school_list", "tuk_list", "lsp_list", "user_list", "regency_list", "audit_list"]
)
def test_list_query_count_does_not_grow_with_rows(
    client, superuser, name, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    url = reverse(name)
    _add_rows(django_capture_on_commit_callbacks)
    one = _queries(client, url)
    for _ in range(8):
        _add_rows(django_capture_on_commit_callbacks)
    response = client.get(url)
    assert len(response.context["object_list"]) > 8
    assert _queries(client, url) == one


def test_school_list_for_an_admin_uses_few_queries(
    client, admin_a, lsp_a, django_assert_max_num_queries
):
    lsp_a.network_schools.add(*[factories.SchoolFactory() for _ in range(10)])
    client.force_login(admin_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("school_list"))
    assert len(response.context["object_list"]) == 11


def test_school_list_filters_by_regency_and_search(client, superuser):
    bontang = factories.SchoolFactory(
        name="SMK Negeri 1 Bontang", regency=Regency.objects.get(code="6474")
    )
    factories.SchoolFactory(name="SMK Negeri 9 Samarinda")
    client.force_login(superuser)
    names = lambda r: [s.name for s in r.context["object_list"]]  # noqa: E731
    assert names(client.get(reverse("school_list"), {"regency": bontang.regency_id})) == [
        "SMK Negeri 1 Bontang"
    ]
    assert names(client.get(reverse("school_list"), {"q": "samarinda"})) == [
        "SMK Negeri 9 Samarinda"
    ]
    assert names(client.get(reverse("school_list"), {"q": bontang.npsn})) == [
        "SMK Negeri 1 Bontang"
    ]
