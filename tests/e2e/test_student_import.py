"""An LSP admin imports the school's Excel: a bad row is named, the fixed file is saved."""

import re

import openpyxl
from playwright.sync_api import expect

from assessments.models import Candidate
from assessments.services.student_import import HEADERS
from lsp.models import School
from tests.e2e.conftest import DESKTOP, E2E, PHONE, login

pytestmark = E2E

# Far from the demo's own students (NISN from a birth year, NIK from districts 01–10).
STUDENTS = [
    ("Rina Impor Uji", "9990000001", "6472990000000001"),
    ("Sandi Impor Uji", "9990000002", "6472990000000002"),
    ("Tari Impor Uji", "9990000003", "6472990000000003"),
]


def _write(path, concentration, *, bad_nik_row=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for i, (name, nisn, nik) in enumerate(STUDENTS):
        nik = nik[:15] if i == bad_nik_row else nik  # 15 digits: one lost
        sheet.append(
            [name, nisn, nik, "Samarinda", "17/05/2008", "P", "Jl. Pahlawan No. 4", "081234567890",
             None, concentration, "XII TKJ 1", "2025/2026", 2026]
        )  # fmt: skip
    workbook.save(path)
    return path


def _upload(page, live_server, school, path):
    page.goto(f"{live_server.url}/asesi/impor/")
    page.locator("#id_school").select_option(str(school.pk))
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#import-submit").click()
    expect(page).to_have_url(re.compile(r"/asesi/impor/\d+/$"))


def test_admin_fixes_a_bad_row_and_imports_the_students(demo, live_server, page, tmp_path):
    school = School.objects.get(name="SMK Negeri 1 Samarinda")
    tkj = school.concentrations.get(abbreviation="TKJ")
    before = Candidate.objects.filter(school=school).count()
    login(page, live_server, "admin.lsp1")

    # Excel row 3 (the second student) has a 15-digit NIK: named, and nothing can be saved.
    _upload(page, live_server, school, _write(tmp_path / "bad.xlsx", tkj.name, bad_nik_row=1))
    bad_row = page.get_by_test_id("row-3")
    expect(bad_row).to_have_attribute("data-action", "error")
    expect(bad_row.get_by_test_id("error")).to_contain_text("NIK")
    expect(bad_row.get_by_test_id("error")).to_contain_text("647299000000000")
    expect(page.get_by_test_id("count-error")).to_have_text("1")
    expect(page.get_by_test_id("has-errors")).to_be_visible()
    expect(page.get_by_test_id("commit-button")).to_have_count(0)
    page.set_viewport_size(PHONE)  # the preview is read on phones too: nothing spills sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)

    # The corrected file previews clean and is saved.
    _upload(page, live_server, school, _write(tmp_path / "fixed.xlsx", f"TKJ - {tkj.name}"))
    expect(page.get_by_test_id("count-create")).to_have_text("3")
    expect(page.get_by_test_id("count-error")).to_have_text("0")
    page.get_by_test_id("commit-button").click()
    expect(page).to_have_url(re.compile(rf"/asesi/\?school={school.pk}$"))

    assert Candidate.objects.filter(school=school).count() == before + 3
    page.goto(f"{live_server.url}/asesi/?q=Impor+Uji")
    for name, nisn, _nik in STUDENTS:
        expect(page.get_by_role("link", name=name)).to_be_visible()
        expect(page.get_by_text(nisn, exact=True)).to_be_visible()
