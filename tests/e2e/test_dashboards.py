"""The Disdikbud viewer's province dashboard in the browser: lands on it, filters by a regency and
sees the figures change, draws the charts, downloads a table as Excel, drills down."""

import re

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from dashboards import exports
from dashboards.services import facts, figures
from lsp.models import User
from tests.e2e.conftest import DESKTOP, E2E, PHONE, login

pytestmark = E2E


def _figures(year, today):
    """The dashboard's regency rows and total for the demo viewer, and a regency to filter by:
    one with figures, but not all of them, so the cards must change."""
    viewer = User.objects.get(username="disdikbud")
    rows = figures.by_regency(figures.Filters(year=year).apply(figures.facts_for(viewer)), today)
    total = figures.totals(rows)
    regency = next(r for r in reversed(rows) if 0 < r["assessed"] < total["assessed"])
    return rows, total, regency


def _number(n):
    """A count as the page writes it, thousands separated or not."""
    return re.compile("^" + f"{n:,}".replace(",", "[.,]?") + "$")


def _no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide at {width}px"


def test_the_viewer_filters_by_a_regency_and_downloads_the_excel(demo, live_server, page, tmp_path):
    facts.rebuild()
    today = timezone.localdate()
    rows, total, regency = _figures(today.year, today)

    page.set_viewport_size(DESKTOP)
    login(page, live_server, "disdikbud")
    expect(page).to_have_url(re.compile(r"/dasbor/provinsi/$"))  # the viewer's home
    expect(page.get_by_test_id("page-title")).to_contain_text("Kalimantan Timur")
    assessed = page.get_by_test_id("card-assessed")
    expect(assessed).to_have_text(_number(total["assessed"]))
    expect(page.get_by_test_id("chart-regency")).to_have_attribute("data-drawn", "1")
    expect(page.get_by_test_id("regency-row")).to_have_count(len(rows))
    _no_sideways_scroll(page, DESKTOP["width"])

    page.locator("#id_regency").select_option(str(regency["key"]))
    page.get_by_test_id("apply-filters").click()
    expect(page).to_have_url(re.compile(rf"[?&]regency={regency['key']}(&|$)"))
    expect(assessed).to_have_text(_number(regency["assessed"]))
    expect(page.get_by_test_id("regency-row")).to_have_count(1)
    expect(page.get_by_test_id("card-competent")).to_have_text(_number(regency["competent"]))

    with page.expect_download() as download:
        page.get_by_test_id("export-regency").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    keys = [key for key, _header in exports.TABLES["regency"].columns]
    line = dict(zip(keys, sheet[1], strict=True))
    assert line["name"] == regency["name"] and line["assessed"] == regency["assessed"]

    # Drill down: the regency's page shows the same figures.
    page.get_by_test_id("regency-row").get_by_role("link").click()
    expect(page.get_by_test_id("page-title")).to_have_text(regency["name"])
    expect(page.get_by_test_id("card-assessed")).to_have_text(_number(regency["assessed"]))


def test_the_dashboard_fits_a_phone(demo, live_server, page):
    facts.rebuild()
    page.set_viewport_size(PHONE)
    login(page, live_server, "disdikbud")
    expect(page).to_have_url(re.compile(r"/dasbor/provinsi/$"))
    expect(page.get_by_test_id("chart-trend")).to_have_attribute("data-drawn", "1")
    _no_sideways_scroll(page, PHONE["width"])
