import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Criterion, Element, Unit
from tests import factories

pytestmark = pytest.mark.django_db


def _element(unit, number, *criteria):
    element = Element.objects.create(unit=unit, number=number, title=f"Elemen {number}")
    for n, text in enumerate(criteria, start=1):
        Criterion.objects.create(element=element, number=n, text=text)
    return element


def _numbers(unit):
    return [
        (e.number, e.title, [(c.number, c.text) for c in e.criteria.all()])
        for e in unit.elements.all()
    ]


# --- Units ------------------------------------------------------------------------------------
def test_unit_list_is_scoped_and_searchable(client, admin_a, lsp_a, lsp_b):
    cabled = factories.UnitFactory(lsp=lsp_a, code="J.611000.001.01", title="Memasang kabel")
    factories.UnitFactory(lsp=lsp_a, code="J.611000.002.01", title="Memasang nirkabel")
    factories.UnitFactory(lsp=lsp_b, code="J.611000.001.01", title="Unit LSP lain")
    client.force_login(admin_a)

    def units(**params):
        return list(client.get(reverse("unit_list"), params).context["object_list"])

    assert len(units()) == 2
    assert units(q="001.01") == [cabled]
    assert units(q="memasang kabel") == [cabled]


def test_unit_list_query_count_does_not_grow_with_rows(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    _element(unit, 1, "KUK")
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("unit_list"))
    for _ in range(10):
        _element(factories.UnitFactory(lsp=lsp_a), 1, "KUK")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("unit_list"))
    assert len(response.context["object_list"]) == 11
    assert len(many.captured_queries) == len(one.captured_queries)


def test_unit_page_shows_elements_and_numbered_kuk(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a, title="Memasang jaringan kabel")
    _element(unit, 1, "Kabel dipotong sesuai kebutuhan.", "Konektor dipasang.")
    client.force_login(admin_a)
    page = client.get(reverse("unit_detail", args=[unit.pk])).content.decode()
    assert "Memasang jaringan kabel" in page
    assert ">1.2<" in page and "Konektor dipasang." in page
    assert reverse("element_create", args=[unit.pk]) in page


def test_admin_creates_a_unit_with_its_code_normalised(client, admin_a, lsp_a):
    client.force_login(admin_a)
    data = {"lsp": lsp_a.pk, "code": " j.611000.001.01 ", "title": "Memasang jaringan kabel"}
    response = client.post(reverse("unit_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Unit.objects.get(lsp=lsp_a).code == "J.611000.001.01"


def test_a_unit_code_is_unique_within_its_lsp_only(client, admin_a, lsp_a, lsp_b):
    factories.UnitFactory(lsp=lsp_a, code="J.611000.001.01")
    factories.UnitFactory(lsp=lsp_b, code="J.611000.002.01")
    client.force_login(admin_a)
    data = {"lsp": lsp_a.pk, "code": "J.611000.001.01", "title": "Duplikat"}
    response = client.post(reverse("unit_create"), data)
    assert list(response.context["form"].errors) == ["code"]
    assert response.context["form"]["title"].value() == "Duplikat"
    data = {"lsp": lsp_a.pk, "code": "J.611000.002.01", "title": "Sama dengan LSP lain"}
    assert client.post(reverse("unit_create"), data).status_code == 302


def test_a_badly_formed_unit_code_is_refused(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("unit_create"), {"lsp": lsp_a.pk, "code": "611000-001", "title": "Unit"}
    )
    assert "code" in response.context["form"].errors
    assert not Unit.objects.exists()


def test_another_lsps_unit_is_not_found_by_list_url_or_post(client, admin_b, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    element = _element(unit, 1, "KUK")
    criterion = element.criteria.get()
    client.force_login(admin_b)
    assert unit not in client.get(reverse("unit_list")).context["object_list"]
    for name, pk in [("unit_detail", unit.pk), ("unit_update", unit.pk)]:
        assert client.get(reverse(name, args=[pk])).status_code == 404
    posts = [
        ("unit_update", unit.pk, {"code": unit.code, "title": "Diubah"}),
        ("element_create", unit.pk, {"title": "Baru"}),
        ("element_update", element.pk, {"title": "Diubah"}),
        ("element_delete", element.pk, {}),
        ("criterion_create", element.pk, {"text": "Baru"}),
        ("criterion_update", criterion.pk, {"text": "Diubah"}),
        ("criterion_delete", criterion.pk, {}),
    ]
    for name, pk, data in posts:
        assert client.post(reverse(name, args=[pk]), data).status_code == 404, name
    assert _numbers(unit) == [(1, "Elemen 1", [(1, "KUK")])]
    assert Unit.objects.get(pk=unit.pk).title == unit.title


@pytest.mark.parametrize("role", ["viewer", "assessor"])
def test_viewer_and_assessor_read_a_unit_but_may_not_change_it(client, lsp_a, role):
    user = factories.viewer() if role == "viewer" else factories.assessor(lsp_a)
    unit = factories.UnitFactory(lsp=lsp_a)
    element = _element(unit, 1, "KUK")
    criterion = element.criteria.get()
    client.force_login(user)
    page = client.get(reverse("unit_detail", args=[unit.pk]))
    assert page.status_code == 200
    assert reverse("element_create", args=[unit.pk]) not in page.content.decode()
    assert client.get(reverse("unit_create")).status_code == 403
    posts = [
        ("unit_update", unit.pk, {"code": unit.code, "title": "Diubah"}),
        ("element_create", unit.pk, {"title": "Baru"}),
        ("element_update", element.pk, {"title": "Diubah"}),
        ("element_delete", element.pk, {}),
        ("criterion_create", element.pk, {"text": "Baru"}),
        ("criterion_update", criterion.pk, {"text": "Diubah"}),
        ("criterion_delete", criterion.pk, {}),
    ]
    for name, pk, data in posts:
        assert client.post(reverse(name, args=[pk]), data).status_code == 403, name
    assert _numbers(unit) == [(1, "Elemen 1", [(1, "KUK")])]


# --- Elements and KUK -------------------------------------------------------------------------
def test_added_elements_and_kuk_take_the_next_number(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    _element(unit, 1, "KUK 1.1")
    client.force_login(admin_a)
    response = client.post(reverse("element_create", args=[unit.pk]), {"title": "Menguji kabel"})
    assert response.status_code == 302
    assert response.url == reverse("unit_detail", args=[unit.pk])
    element = unit.elements.get(number=2)
    client.post(reverse("criterion_create", args=[element.pk]), {"text": "Kabel diuji."})
    client.post(reverse("criterion_create", args=[element.pk]), {"text": "Hasil dicatat."})
    assert _numbers(unit)[1] == (2, "Menguji kabel", [(1, "Kabel diuji."), (2, "Hasil dicatat.")])


def test_an_empty_element_is_refused_and_nothing_is_added(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    client.force_login(admin_a)
    response = client.post(reverse("element_create", args=[unit.pk]), {"title": "  "})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not unit.elements.exists()


def test_editing_a_kuk_keeps_its_number(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    criterion = _element(unit, 1, "Lama", "Kedua").criteria.get(number=1)
    client.force_login(admin_a)
    url = reverse("criterion_update", args=[criterion.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Baru"})
    assert response.status_code == 302
    assert _numbers(unit) == [(1, "Elemen 1", [(1, "Baru"), (2, "Kedua")])]


def test_an_invalid_edit_keeps_what_was_typed(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    element = _element(unit, 1)
    client.force_login(admin_a)
    long_title = "x" * 501
    response = client.post(reverse("element_update", args=[element.pk]), {"title": long_title})
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == long_title
    assert Element.objects.get(pk=element.pk).title == "Elemen 1"


def test_deleting_an_element_deletes_its_kuk_and_renumbers_the_rest(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    first = _element(unit, 1, "a", "b")
    _element(unit, 2, "c")
    _element(unit, 3, "d")
    client.force_login(admin_a)
    assert client.get(reverse("element_delete", args=[first.pk])).status_code == 405
    assert client.post(reverse("element_delete", args=[first.pk])).status_code == 302
    assert [(n, kuk) for n, _title, kuk in _numbers(unit)] == [(1, [(1, "c")]), (2, [(1, "d")])]
    assert not Criterion.objects.filter(text__in=["a", "b"]).exists()


def test_deleting_a_kuk_renumbers_the_kuk_after_it(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a)
    element = _element(unit, 1, "a", "b", "c")
    client.force_login(admin_a)
    client.post(reverse("criterion_delete", args=[element.criteria.get(number=1).pk]))
    assert _numbers(unit) == [(1, "Elemen 1", [(1, "b"), (2, "c")])]
