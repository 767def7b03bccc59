"""Assessors in the browser: an admin records one, imports more from Excel; an assessor reads
their own profile on a phone."""

import datetime
import re

import openpyxl
from django.utils import timezone
from playwright.sync_api import expect

from assessors.models import Assessor
from assessors.services.imports import HEADERS
from lsp.models import Lsp
from tests.e2e.conftest import E2E, PHONE, login

pytestmark = E2E

SAMARINDA = "LSP P1 SMK Negeri 1 Samarinda"


def test_admin_records_an_assessor_with_a_certificate(demo, live_server, page):
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/asesor/")
    page.get_by_test_id("create").click()
    expect(page).to_have_url(re.compile(r"/asesor/baru/$"))

    # A mistyped NIK is refused and what was typed stays in the form.
    page.locator("#id_full_name").fill("Yohanes Uji Coba, S.Pd.")
    page.locator("#id_nik").fill("647201010180")
    page.locator("#id_met_number").fill("met.000.009876.2023")
    page.locator("#id_phone").fill("0812 3456 7890")
    page.locator("#id_certificate_number").fill("99999/BNSP/ASKOM/2023")
    issued = timezone.localdate() - datetime.timedelta(days=200)
    page.locator("#id_issued_on").fill(issued.isoformat())
    page.locator("#submit-id-submit").click()
    expect(page.locator("#id_nik")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_full_name")).to_have_value("Yohanes Uji Coba, S.Pd.")

    page.locator("#id_nik").fill("6472010101800099")
    page.locator("#submit-id-submit").click()
    expect(page).to_have_url(re.compile(r"/asesor/\d+/$"))
    expect(page.get_by_test_id("page-title")).to_have_text("Yohanes Uji Coba, S.Pd.")
    expect(page.get_by_text("MET.000.009876 2023")).to_be_visible()
    expect(page.get_by_test_id("status").locator("[data-status]")).to_have_attribute(
        "data-status", "active"
    )
    assessor = Assessor.objects.get(met_number="MET.000.009876 2023")
    assert assessor.phone == "+6281234567890"
    assert list(assessor.lsps.values_list("name", flat=True)) == [SAMARINDA]
    assert assessor.certificates.get().valid_until.year == issued.year + 3


def _write(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _row(name, nik, met, number):
    values = dict.fromkeys(HEADERS, None)
    values.update(
        {
            HEADERS[0]: name,
            HEADERS[1]: nik,
            HEADERS[2]: met,
            "No. Sertifikat Asesor": number,
            "Tanggal Terbit Sertifikat": "01/08/2024",
        }
    )
    return [values[h] for h in HEADERS]


def test_admin_imports_assessors_from_excel(demo, live_server, page, tmp_path):
    lsp = Lsp.objects.get(name=SAMARINDA)
    before = Assessor.objects.serving([lsp.pk]).count()
    good = [
        _row("Impor Satu", "6472990000000101", "MET.000.990001 2024", "IMP-1/2024"),
        _row("Impor Dua", "6472990000000102", "MET.000.990002.2024", "IMP-2/2024"),
    ]
    bad = [good[0], _row("Impor Dua", "6472990000000102", "MET 990002", "IMP-2/2024")]
    login(page, live_server, "admin.lsp1")

    def upload(path):
        page.goto(f"{live_server.url}/asesor/impor/")
        page.locator("#id_file").set_input_files(str(path))
        page.locator("#import-submit").click()
        expect(page).to_have_url(re.compile(r"/asesor/impor/\d+/$"))

    upload(_write(tmp_path / "bad.xlsx", bad))
    row = page.get_by_test_id("row-3")
    expect(row).to_have_attribute("data-action", "error")
    expect(row.get_by_test_id("error")).to_contain_text("MET")
    expect(page.get_by_test_id("commit-button")).to_have_count(0)
    assert Assessor.objects.serving([lsp.pk]).count() == before  # nothing written

    upload(_write(tmp_path / "good.xlsx", good))
    expect(page.get_by_test_id("count-create")).to_have_text("2")
    page.get_by_test_id("commit-button").click()
    expect(page).to_have_url(re.compile(r"/asesor/\?lsp=\d+$"))
    assert Assessor.objects.serving([lsp.pk]).count() == before + 2
    page.goto(f"{live_server.url}/asesor/?q=Impor")
    expect(page.get_by_role("link", name="Impor Dua")).to_be_visible()
    expect(page.get_by_role("cell", name="MET.000.990002 2024")).to_be_visible()


def test_an_assessor_reads_their_profile_on_a_phone(demo, live_server, page):
    page.set_viewport_size(PHONE)
    login(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/asesor/profil/")
    expect(page.get_by_test_id("page-title")).to_have_text("Agus Setiawan, S.T.")
    expect(page.get_by_test_id("status").locator("[data-status]")).to_have_attribute(
        "data-status", "active"
    )
    expect(page.get_by_test_id("scopes")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The edit form is not theirs to use.
    response = page.goto(
        f"{live_server.url}/asesor/{Assessor.objects.get(user__username='asesor1').pk}/ubah/"
    )
    assert response.status == 403
