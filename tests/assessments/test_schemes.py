import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Criterion, Element, Scheme, SchemeUnit
from lsp.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _unit_with_parts(lsp, *, elements=2, criteria=2, **kwargs):
    unit = factories.UnitFactory(lsp=lsp, **kwargs)
    for e in range(1, elements + 1):
        element = Element.objects.create(unit=unit, number=e, title=f"Elemen {unit.code}/{e}")
        for c in range(1, criteria + 1):
            Criterion.objects.create(element=element, number=c, text=f"KUK {unit.code}/{e}.{c}")
    return unit


def _scheme_with_units(lsp, count, **kwargs):
    scheme = factories.SchemeFactory(lsp=lsp, **kwargs)
    for order in range(1, count + 1):
        SchemeUnit.objects.create(scheme=scheme, unit=_unit_with_parts(lsp), order=order)
    return scheme


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _form_data(lsp, **overrides):
    data = {
        "lsp": lsp.pk,
        "code": "SKM/BNSP/00077/1/2024/33",
        "title": "Kualifikasi KKNI Level II Teknik Komputer dan Jaringan",
        "title_en": "KKNI Level II Computer and Network Engineering",
        "kind": "kkni",
        "kkni_level": 2,
        "concentration": factories.concentration("TKJ").pk,
        "is_active": "on",
        "units": [],
        "unit_order": "",
    }
    return data | overrides


# --- Reading ----------------------------------------------------------------------------------
def test_scheme_list_shows_only_the_users_lsp(client, admin_a, lsp_a, lsp_b):
    mine = factories.SchemeFactory(lsp=lsp_a, title="Skema Alpha")
    factories.SchemeFactory(lsp=lsp_b, title="Skema Beta")
    client.force_login(admin_a)
    response = client.get(reverse("scheme_list"))
    assert list(response.context["object_list"]) == [mine]
    assert "Skema Beta" not in response.content.decode()


def test_scheme_list_searches_code_and_title_and_filters_kind_and_active(client, admin_a, lsp_a):
    kkni = factories.SchemeFactory(lsp=lsp_a, title="Kualifikasi TKJ", code="SKM/1/TKJ")
    okupasi = factories.SchemeFactory(
        lsp=lsp_a, title="Teknisi Akuntansi", code="SKM/2/AKL", kind="okupasi", kkni_level=None
    )
    old = factories.SchemeFactory(lsp=lsp_a, title="Lama", is_active=False, kind="klaster")
    client.force_login(admin_a)

    def titles(**params):
        response = client.get(reverse("scheme_list"), params)
        return {s.title for s in response.context["object_list"]}

    assert titles(q="akuntansi") == {okupasi.title}
    assert titles(q="skm/1/") == {kkni.title}
    assert titles(kind="okupasi") == {okupasi.title}
    assert titles(is_active="false") == {old.title}
    assert titles(concentration=factories.concentration("TKJ").pk) == set()


def test_scheme_list_query_count_does_not_grow_with_rows(client, admin_a, lsp_a):
    _scheme_with_units(lsp_a, 2)
    client.force_login(admin_a)
    one = _queries(client, reverse("scheme_list"))
    for _ in range(10):
        _scheme_with_units(lsp_a, 2)
    assert _queries(client, reverse("scheme_list")) == one


def test_scheme_page_shows_units_in_order_with_numbered_elements_and_kuk(client, admin_a, lsp_a):
    scheme = factories.SchemeFactory(lsp=lsp_a, title_en="Network Qualification")
    second = _unit_with_parts(lsp_a, code="J.611000.002.01", title="Memasang jaringan nirkabel")
    first = _unit_with_parts(lsp_a, code="J.611000.009.01", title="Memperbaiki jaringan")
    SchemeUnit.objects.create(scheme=scheme, unit=second, order=2)
    SchemeUnit.objects.create(scheme=scheme, unit=first, order=1)
    client.force_login(admin_a)
    page = client.get(reverse("scheme_detail", args=[scheme.pk])).content.decode()
    assert scheme.code in page and "Network Qualification" in page
    assert page.index("J.611000.009.01") < page.index("J.611000.002.01")
    assert "Elemen J.611000.009.01/2" in page
    assert ">2.1<" in page and "KUK J.611000.009.01/2.1" in page


def test_scheme_page_query_count_does_not_grow_with_units(client, admin_a, lsp_a):
    small = _scheme_with_units(lsp_a, 2)
    large = _scheme_with_units(lsp_a, 10)
    client.force_login(admin_a)
    assert _queries(client, reverse("scheme_detail", args=[large.pk])) == _queries(
        client, reverse("scheme_detail", args=[small.pk])
    )


def test_another_lsps_scheme_is_not_found(client, admin_b, lsp_a):
    scheme = factories.SchemeFactory(lsp=lsp_a)
    client.force_login(admin_b)
    assert client.get(reverse("scheme_detail", args=[scheme.pk])).status_code == 404
    assert client.get(reverse("scheme_update", args=[scheme.pk])).status_code == 404
    response = client.post(reverse("scheme_update", args=[scheme.pk]), _form_data(lsp_a))
    assert response.status_code == 404
    assert Scheme.objects.get(pk=scheme.pk).title == scheme.title


@pytest.mark.parametrize("role", ["viewer", "assessor"])
def test_viewer_and_assessor_read_schemes_but_may_not_change_them(client, lsp_a, role):
    user = factories.viewer() if role == "viewer" else factories.assessor(lsp_a)
    scheme = factories.SchemeFactory(lsp=lsp_a)
    client.force_login(user)
    page = client.get(reverse("scheme_detail", args=[scheme.pk]))
    assert page.status_code == 200
    assert reverse("scheme_update", args=[scheme.pk]) not in page.content.decode()
    assert client.get(reverse("scheme_create")).status_code == 403
    assert client.post(reverse("scheme_create"), _form_data(lsp_a)).status_code == 403
    assert client.get(reverse("scheme_update", args=[scheme.pk])).status_code == 403
    response = client.post(
        reverse("scheme_update", args=[scheme.pk]), _form_data(lsp_a, title="Diubah")
    )
    assert response.status_code == 403
    assert Scheme.objects.get(pk=scheme.pk).title == scheme.title


# --- Changing ---------------------------------------------------------------------------------
def test_admin_creates_a_scheme_with_units_in_the_order_given(client, admin_a, lsp_a):
    a = factories.UnitFactory(lsp=lsp_a, code="J.611000.001.01")
    b = factories.UnitFactory(lsp=lsp_a, code="J.611000.002.01")
    c = factories.UnitFactory(lsp=lsp_a, code="J.611000.003.01")
    client.force_login(admin_a)
    data = _form_data(
        lsp_a, units=[a.pk, b.pk, c.pk], unit_order="j.611000.003.01, J.611000.001.01"
    )
    response = client.post(reverse("scheme_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    scheme = Scheme.objects.get(code="SKM/BNSP/00077/1/2024/33")
    assert scheme.lsp == lsp_a and scheme.kkni_level == 2
    # Units left out of the order follow in code order.
    assert [u.code for u in scheme.ordered_units()] == [c.code, a.code, b.code]


def test_editing_a_scheme_reorders_and_removes_units(client, admin_a, lsp_a):
    scheme = _scheme_with_units(lsp_a, 3)
    first, second, third = scheme.ordered_units()
    client.force_login(admin_a)
    data = _form_data(
        lsp_a,
        code=scheme.code,
        units=[first.pk, third.pk],
        unit_order=f"{third.code}\n{first.code}",
    )
    response = client.post(reverse("scheme_update", args=[scheme.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(scheme.ordered_units()) == [third, first]
    assert list(SchemeUnit.objects.filter(scheme=scheme).values_list("order", flat=True)) == [1, 2]


def test_a_scheme_may_not_use_another_lsps_units(client, lsp_a, lsp_b):
    # An admin of both LSPs sees both LSPs' units on the form: the rule still holds.
    admin = factories.lsp_admin(lsp_a)
    Role.objects.create(user=admin, kind=Role.Kind.LSP_ADMIN, lsp=lsp_b)
    foreign = factories.UnitFactory(lsp=lsp_b, code="J.620100.004.02")
    client.force_login(admin)
    response = client.post(reverse("scheme_create"), _form_data(lsp_a, units=[foreign.pk]))
    assert response.status_code == 200
    assert "J.620100.004.02" in str(response.context["form"].errors["units"])
    assert not Scheme.objects.exists()


def test_units_of_an_lsp_the_admin_does_not_run_are_not_a_choice(client, admin_a, lsp_a, lsp_b):
    foreign = factories.UnitFactory(lsp=lsp_b)
    client.force_login(admin_a)
    response = client.post(reverse("scheme_create"), _form_data(lsp_a, units=[foreign.pk]))
    assert "units" in response.context["form"].errors
    assert not Scheme.objects.exists()


def test_order_naming_an_unticked_unit_is_an_error_and_keeps_what_was_typed(client, admin_a, lsp_a):
    unit = factories.UnitFactory(lsp=lsp_a, code="J.611000.001.01")
    client.force_login(admin_a)
    data = _form_data(lsp_a, units=[unit.pk], unit_order="J.611000.001.01\nJ.999999.001.01")
    response = client.post(reverse("scheme_create"), data)
    form = response.context["form"]
    assert "J.999999.001.01" in str(form.errors["unit_order"])
    assert form["title"].value() == data["title"]
    assert form["unit_order"].value() == data["unit_order"]
    assert not Scheme.objects.exists()


def test_kkni_scheme_without_a_level_is_refused_on_the_level_field(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(reverse("scheme_create"), _form_data(lsp_a, kkni_level=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["kkni_level"]


def test_an_admin_may_not_move_a_scheme_to_another_lsp(client, lsp_a, lsp_b):
    admin = factories.lsp_admin(lsp_a)
    Role.objects.create(user=admin, kind=Role.Kind.LSP_ADMIN, lsp=lsp_b)
    scheme = factories.SchemeFactory(lsp=lsp_a)
    client.force_login(admin)
    data = _form_data(lsp_b, code=scheme.code)
    assert client.post(reverse("scheme_update", args=[scheme.pk]), data).status_code == 302
    assert Scheme.objects.get(pk=scheme.pk).lsp == lsp_a
