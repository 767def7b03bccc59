"""Each demo role logs in and lands on its own home page, at desktop width and at 360 px."""

import re

import pytest
from playwright.sync_api import expect

from lsp.models import Lsp
from tests.e2e.conftest import DESKTOP, E2E, PHONE, login

pytestmark = E2E


def _landing(username):
    if username.startswith("admin.lsp"):
        lsp = Lsp.objects.get(roles__user__username=username, roles__kind="lsp_admin")
        return f"/lsp/{lsp.pk}/dasbor/", lsp.name
    if username == "asesor1":
        return "/asesor/beranda/", "Beranda asesor"
    if username == "disdikbud":
        return "/dasbor/provinsi/", "Kalimantan Timur"
    return "/situs/", "Administrasi situs"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "360px"])
@pytest.mark.parametrize(
    "username", ["admin.lsp1", "admin.lsp2", "admin.lsp3", "asesor1", "disdikbud", "superadmin"]
)
def test_demo_account_lands_on_its_home_page(demo, live_server, page, username, viewport):
    page.set_viewport_size(viewport)
    path, title = _landing(username)
    login(page, live_server, username)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_test_id("page-title")).to_contain_text(title)
    # Nothing spills sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"page is {width}px wide at {viewport['width']}px"


def test_wrong_password_keeps_the_user_on_the_login_page(demo, live_server, page):
    login(page, live_server, "admin.lsp1", password="salah")
    expect(page).to_have_url(re.compile(r"/masuk/$"))
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
