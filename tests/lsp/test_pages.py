import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def test_not_found_page_is_indonesian(client, admin_a):
    client.force_login(admin_a)
    response = client.get("/sekolah/999999/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_forbidden_page_is_indonesian(client, viewer_kaltim):
    client.force_login(viewer_kaltim)
    response = client.get(reverse("school_create"))
    assert response.status_code == 403
    assert "Anda tidak" in response.content.decode()


def test_navigation_shows_only_what_the_role_may_use(client, viewer_kaltim, admin_a):
    client.force_login(viewer_kaltim)
    page = client.get(reverse("school_list")).content.decode()
    assert reverse("audit_list") not in page and reverse("user_list") not in page
    client.force_login(admin_a)
    page = client.get(reverse("school_list")).content.decode()
    assert reverse("audit_list") in page and reverse("user_list") in page


def test_logo_upload_is_served_only_to_those_who_see_the_lsp(client, admin_a, admin_b, lsp_a):
    client.force_login(admin_a)
    form = client.get(reverse("lsp_update", args=[lsp_a.pk])).context["form"]
    files = ("logo", "signatory_signature")
    data = {k: v for k, v in form.initial.items() if v is not None and k not in files}
    data["network_schools"] = []
    data["host_school"] = lsp_a.host_school_id
    data["province"] = lsp_a.province_id
    data["licence_valid_until"] = lsp_a.licence_valid_until.isoformat()
    data["logo"] = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = client.post(reverse("lsp_update", args=[lsp_a.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    lsp_a.refresh_from_db()
    assert lsp_a.logo.name.startswith("lsp/logo/") and "logo" not in lsp_a.logo.name[9:]
    url = reverse("lsp_file", args=[lsp_a.pk, "logo"])
    assert b"".join(client.get(url).streaming_content) == PNG
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_svg_logo_is_refused_with_a_message(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("lsp_update", args=[lsp_a.pk]),
        {
            "name": lsp_a.name,
            "host_school": lsp_a.host_school_id,
            "logo": SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>"),
        },
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    assert response.context["form"]["name"].value() == lsp_a.name


def test_admin_cannot_change_the_licence(client, admin_a, lsp_a):
    client.force_login(admin_a)
    form = client.get(reverse("lsp_update", args=[lsp_a.pk])).context["form"]
    assert form.fields["licence_valid_until"].disabled
    assert form.fields["province"].disabled
