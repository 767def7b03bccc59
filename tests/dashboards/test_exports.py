"""Every dashboard table downloads as Excel holding the page's numbers."""

import io

import openpyxl
import pytest
from django.urls import reverse

from dashboards import exports
from lsp.models import AuditEntry
from lsp.spreadsheets import XLSX_CONTENT_TYPE
from tests import factories
from tests.dashboards.test_views import YEAR, build

pytestmark = pytest.mark.django_db

EXPORT = reverse("dashboard_export")


@pytest.fixture
def world(db):
    return build(schools=4, years=(YEAR - 1, YEAR))


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.mark.parametrize("table", sorted(exports.TABLES))
def test_every_table_downloads_and_opens(client, world, viewer_kaltim, table):
    client.force_login(viewer_kaltim)
    params = {"table": table}
    if table == "session":
        params["school"] = world.host_school.pk
    header, rows = _sheet(client.get(EXPORT, params))
    assert list(header) == [str(h) for _key, h in exports.TABLES[table].columns]
    assert rows, table


def test_the_regency_sheet_holds_the_dashboards_rows_and_total(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    panels = client.get(reverse("province_dashboard")).context["panels"]
    header, rows = _sheet(client.get(EXPORT, {"table": "regency", "year": YEAR}))
    keys = [key for key, _h in exports.TABLES["regency"].columns]
    *lines, total = rows
    assert len(lines) == len(panels.regencies)
    for line, row in zip(lines, panels.regencies, strict=True):
        got = dict(zip(keys, line, strict=True))
        assert got["name"] == row["name"] and got["rank"] == row["rank"]
        for key in ("enrolled", "assessed", "competent", "not_competent", "certificates", "valid"):
            assert got[key] == row[key], key
        assert got["rate"] == (row["rate"] if row["rate"] is not None else None)
    got = dict(zip(keys, total, strict=True))
    assert got["assessed"] == panels.totals["assessed"] == 12
    assert got["competent"] == 8 and got["rate"] == panels.totals["rate"]


def test_the_sheet_follows_the_filters(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    school = world.host_school
    _header, rows = _sheet(client.get(EXPORT, {"table": "school", "regency": school.regency_id}))
    *lines, _total = rows
    regency_schools = world.schools().filter(regency=school.regency)
    assert sorted(line[1] for line in lines) == sorted(s.name for s in regency_schools)
    # NPSN stays text (leading zeros and all).
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(EXPORT, {"table": "school"}).content))
    cell = workbook.active.cell(row=2, column=3)
    assert isinstance(cell.value, str) and cell.number_format == "@"
    _header, trend = _sheet(client.get(EXPORT, {"table": "trend", "year": YEAR - 1}))
    assert [line[0] for line in trend[:-1]] == list(range(YEAR - 5, YEAR))


def test_a_school_pages_sessions_download_for_its_lsp_admin(client, world):
    admin = factories.lsp_admin(world)
    client.force_login(admin)
    school = world.host_school
    header, rows = _sheet(client.get(EXPORT, {"table": "session", "school": school.pk}))
    *lines, total = rows
    assert len(lines) == 1  # this year's session
    code = world.sessions.get(start_date__year=YEAR).code
    assert lines[0][0] == code and isinstance(lines[0][0], str)
    keys = [key for key, _h in exports.TABLES["session"].columns]
    assert len(header) == len(keys) and total[keys.index("assessed")] == 3


def test_cells_are_escaped(client, world, viewer_kaltim):
    scheme = world.schemes.get()
    scheme.title = '=HYPERLINK("http://example.com")'
    scheme.save()
    client.force_login(viewer_kaltim)
    _header, rows = _sheet(client.get(EXPORT, {"table": "scheme"}))
    assert rows[0][1].startswith("'=")


def test_the_download_is_in_the_audit_trail(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    client.get(EXPORT, {"table": "scheme"})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == viewer_kaltim and "scheme" in entry.object_repr
    assert entry.changes["filter"] == {"year": YEAR}


def test_bad_requests_say_why(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    unknown = client.get(EXPORT, {"table": "students"})
    assert unknown.status_code == 400 and "regency" in unknown.content.decode()
    assert client.get(EXPORT).status_code == 400
    wrong_year = client.get(EXPORT, {"table": "regency", "year": "1990"})
    assert wrong_year.status_code == 400
