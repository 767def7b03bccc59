"""An LSP admin reaches only their LSP's schools, TUKs and users; a viewer reads, never writes."""

import pytest
from django.urls import reverse

from lsp.models import Role, School, Tuk, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_b(lsp_b):
    school = factories.SchoolFactory(name="SMK Beta Jejaring")
    lsp_b.network_schools.add(school)
    return school


@pytest.fixture
def tuk_b(lsp_b):
    return factories.TukFactory(lsp=lsp_b, name="TUK Beta")


@pytest.fixture
def user_b(lsp_b):
    return factories.assessor(lsp_b, username="asesor.b")


def test_admin_lists_only_own_lsp_schools(client, admin_a, lsp_a, school_b):
    client.force_login(admin_a)
    page = client.get(reverse("school_list")).content.decode()
    assert lsp_a.host_school.name in page
    assert school_b.name not in page


def test_admin_cannot_open_or_edit_another_lsps_school(client, admin_a, school_b):
    client.force_login(admin_a)
    assert client.get(reverse("school_detail", args=[school_b.pk])).status_code == 404
    assert client.get(reverse("school_update", args=[school_b.pk])).status_code == 404
    response = client.post(
        reverse("school_update", args=[school_b.pk]),
        {
            "npsn": school_b.npsn,
            "name": "Hijacked",
            "status": "negeri",
            "regency": school_b.regency_id,
        },
    )
    assert response.status_code == 404
    school_b.refresh_from_db()
    assert school_b.name == "SMK Beta Jejaring"


def test_admin_cannot_see_or_change_another_lsps_tuk(client, admin_a, lsp_a, tuk_b):
    client.force_login(admin_a)
    assert "TUK Beta" not in client.get(reverse("tuk_list")).content.decode()
    assert client.get(reverse("tuk_detail", args=[tuk_b.pk])).status_code == 404
    response = client.post(
        reverse("tuk_update", args=[tuk_b.pk]),
        {"lsp": lsp_a.pk, "name": "Moved", "kind": "mandiri"},
    )
    assert response.status_code == 404
    tuk_b.refresh_from_db()
    assert (tuk_b.name, tuk_b.lsp_id) == ("TUK Beta", tuk_b.lsp_id)


def test_admin_cannot_create_a_tuk_for_another_lsp(client, admin_a, lsp_b):
    client.force_login(admin_a)
    response = client.post(
        reverse("tuk_create"), {"lsp": lsp_b.pk, "name": "Sneaky", "kind": "mandiri"}
    )
    assert response.status_code == 200  # the form answers with an error
    assert "lsp" in response.context["form"].errors
    assert not Tuk.objects.filter(name="Sneaky").exists()


def test_admin_cannot_list_open_or_edit_another_lsps_user(client, admin_a, user_b):
    client.force_login(admin_a)
    assert "asesor.b" not in client.get(reverse("user_list")).content.decode()
    assert client.get(reverse("user_detail", args=[user_b.pk])).status_code == 404
    response = client.post(
        reverse("user_update", args=[user_b.pk]),
        {"username": "asesor.b", "email": "x@example.id", "is_assessor": "on"},
    )
    assert response.status_code == 404
    user_b.refresh_from_db()
    assert user_b.email == "asesor.b@example.id"


def test_admin_cannot_take_over_an_account_that_also_serves_another_lsp(
    client, admin_a, lsp_a, lsp_b
):
    shared = factories.assessor(lsp_a, username="shared")
    Role.objects.create(user=shared, kind=Role.Kind.LSP_ADMIN, lsp=lsp_b)
    client.force_login(admin_a)
    assert client.get(reverse("user_detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("user_update", args=[shared.pk])).status_code == 403


def test_admin_cannot_edit_another_lsp(client, admin_a, lsp_b):
    client.force_login(admin_a)
    assert client.get(reverse("lsp_detail", args=[lsp_b.pk])).status_code == 404
    assert client.post(reverse("lsp_update", args=[lsp_b.pk]), {"name": "x"}).status_code == 404


def test_admin_cannot_download_another_lsps_logo(client, admin_a, lsp_b):
    client.force_login(admin_a)
    assert client.get(reverse("lsp_file", args=[lsp_b.pk, "logo"])).status_code == 404


def test_viewer_reads_the_province(client, viewer_kaltim, lsp_a, lsp_b, tuk_b):
    client.force_login(viewer_kaltim)
    schools = client.get(reverse("school_list")).content.decode()
    assert lsp_a.host_school.name in schools and lsp_b.host_school.name in schools
    assert client.get(reverse("tuk_detail", args=[tuk_b.pk])).status_code == 200
    assert client.get(reverse("lsp_detail", args=[lsp_a.pk])).status_code == 200


def test_viewer_changes_nothing(client, viewer_kaltim, lsp_a, tuk_b):
    client.force_login(viewer_kaltim)
    school = lsp_a.host_school
    for url in (
        reverse("school_update", args=[school.pk]),
        reverse("tuk_update", args=[tuk_b.pk]),
        reverse("lsp_update", args=[lsp_a.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Changed"}).status_code == 403
    for url in (
        reverse("school_create"),
        reverse("tuk_create"),
        reverse("user_create"),
        reverse("lsp_create"),
        reverse("audit_list"),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("school_create"), {"npsn": "30499999"}).status_code == 403
    school.refresh_from_db()
    assert school.name != "Changed"
    assert not School.objects.filter(npsn="30499999").exists()


def test_viewer_of_another_province_sees_nothing_of_kaltim(client, lsp_a):
    other = factories.viewer(factories.ProvinceFactory(code="63", name="Kalimantan Selatan"))
    client.force_login(other)
    assert lsp_a.name not in client.get(reverse("lsp_list")).content.decode()
    assert client.get(reverse("lsp_detail", args=[lsp_a.pk])).status_code == 404
    assert client.get(reverse("school_detail", args=[lsp_a.host_school_id])).status_code == 404


def test_assessor_reads_own_lsp_but_edits_nothing(client, lsp_a, lsp_b):
    user = factories.assessor(lsp_a, username="asesor.a")
    client.force_login(user)
    assert client.get(reverse("lsp_detail", args=[lsp_a.pk])).status_code == 200
    assert client.get(reverse("lsp_detail", args=[lsp_b.pk])).status_code == 404
    assert client.get(reverse("lsp_update", args=[lsp_a.pk])).status_code == 403
    assert client.get(reverse("user_list")).status_code == 200
    assert client.get(reverse("user_create")).status_code == 403


def test_anonymous_is_sent_to_login(client, lsp_a):
    response = client.get(reverse("school_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_admin_creates_a_school_in_own_network(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("school_create"),
        {
            "npsn": "30412345",
            "name": "SMK Baru",
            "status": "swasta",
            "regency": lsp_a.host_school.regency_id,
            "network_of": lsp_a.pk,
        },
    )
    assert response.status_code == 302
    school = School.objects.get(npsn="30412345")
    assert lsp_a.network_schools.filter(pk=school.pk).exists()
    assert client.get(reverse("school_update", args=[school.pk])).status_code == 200


def test_admin_creates_an_assessor_account_for_own_lsp(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("user_create"),
        {
            "username": "guru.baru",
            "full_name": "Guru Baru",
            "email": "guru@example.id",
            "is_active": "on",
            "lsp": lsp_a.pk,
            "is_assessor": "on",
            "password": "Rahasia-Kuat-2026",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="guru.baru")
    assert list(user.roles.values_list("kind", "lsp_id")) == [("assessor", lsp_a.pk)]
    assert user.check_password("Rahasia-Kuat-2026")
