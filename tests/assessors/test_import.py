"""Importing an LSP's assessors from Excel: every row checked, then saved all or nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessors.models import Assessor, AssessorCertificate
from assessors.services.imports import (
    COLUMNS,
    HEADERS,
    REQUIRED,
    AssessorImportError,
    commit_assessors,
    preview_assessors,
    summarise,
)
from lsp.models import AuditEntry, ImportBatch, Role
from lsp.spreadsheets import read_rows
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


# --- building files -------------------------------------------------------------------------------
def assessor_row(n=1, **overrides):
    """One row as the template's headers name it; valid unless overridden."""
    row = {
        "Nama Lengkap": f"Asesor Uji {n}",
        "NIK": f"6472{n:012d}",
        "No. Registrasi MET": f"MET.000.{n:06d} 2024",
        "Email": f"asesor{n}@example.id",
        "No. HP": "0812-3456-7890",
        "NPSN Sekolah Asal": "",
        "No. Sertifikat Asesor": f"{n:05d}/BNSP/ASKOM/2024",
        "Tanggal Terbit Sertifikat": "15/01/2024",
        "Berlaku Sampai": "",
    }
    row.update(overrides)
    return row


def xlsx(rows, headers=None, name="asesor.xlsx"):
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def preview(lsp, user, rows, **kwargs):
    file = xlsx(rows, **kwargs)
    return preview_assessors(lsp=lsp, file=file, filename=file.name, user=user, today=TODAY)


def only_row(batch):
    (row,) = batch.rows
    return row


# --- one row's cells ------------------------------------------------------------------------------
def test_a_valid_row_is_cleaned_to_the_stored_forms(lsp_a, admin_a):
    school = factories.SchoolFactory(npsn="30412345")
    row = only_row(
        preview(
            lsp_a,
            admin_a,
            [
                assessor_row(
                    1,
                    **{"No. Registrasi MET": "met.000.000001.2024", "NPSN Sekolah Asal": 30412345},
                )
            ],
        )
    )
    assert row["action"] == "create" and not row["errors"]
    values = row["values"]
    assert values["met_number"] == "MET.000.000001 2024"
    assert values["phone"] == "+6281234567890"
    assert values["home_school_id"] == school.pk
    assert values["issued_on"] == "2024-01-15" and values["valid_until"] == "2027-01-15"
    assert "valid_until" in row["notes"]  # the default validity is shown


@pytest.mark.parametrize(
    "nik, code",
    [("647201234567890", "wrong_length"), (6472012345678901, "mangled_number"), ("", "required")],
)
def test_bad_nik_is_refused(lsp_a, admin_a, nik, code):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(NIK=nik)]))
    assert row["codes"] == {"nik": code} and row["action"] == "error"


@pytest.mark.parametrize("met", ["MET.000.12345 2024", "000.012345 2024", "MET 000 012345"])
def test_bad_met_number_is_refused_with_the_expected_form(lsp_a, admin_a, met):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**{"No. Registrasi MET": met})]))
    assert row["codes"] == {"met_number": "bad_met"}
    assert "MET.000.002341 2019" in row["errors"]["met_number"]


@pytest.mark.parametrize("met", ["MET.000.000001 2024", "MET.000.000001.2024"])
def test_met_number_with_a_space_or_a_dot_before_the_year_is_accepted(lsp_a, admin_a, met):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**{"No. Registrasi MET": met})]))
    assert row["values"]["met_number"] == "MET.000.000001 2024" and not row["errors"]


def test_bad_phone_and_email_are_refused(lsp_a, admin_a):
    row = only_row(
        preview(lsp_a, admin_a, [assessor_row(**{"No. HP": "12345", "Email": "bukan-email"})])
    )
    assert row["codes"] == {"phone": "bad_phone", "email": "bad_email"}


def test_phone_typed_as_a_number_is_normalised(lsp_a, admin_a):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**{"No. HP": 81234567890})]))
    assert row["values"]["phone"] == "+6281234567890"


def test_unknown_npsn_is_refused(lsp_a, admin_a):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**{"NPSN Sekolah Asal": "99999999"})]))
    assert row["codes"] == {"npsn": "unknown_school"} and "99999999" in row["errors"]["npsn"]


def test_certificate_number_needs_the_issue_date_and_the_reverse(lsp_a, admin_a):
    rows = [
        assessor_row(1, **{"Tanggal Terbit Sertifikat": ""}),
        assessor_row(2, **{"No. Sertifikat Asesor": ""}),
        assessor_row(3, **{"No. Sertifikat Asesor": "", "Tanggal Terbit Sertifikat": ""}),
    ]
    first, second, third = preview(lsp_a, admin_a, rows).rows
    assert first["codes"] == {"issued_on": "required"}
    assert second["codes"] == {"certificate_number": "required"}
    assert third["action"] == "create" and not third["values"]["certificate_number"]


def test_validity_must_end_after_the_issue_date(lsp_a, admin_a):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**{"Berlaku Sampai": "15/01/2024"})]))
    assert row["codes"] == {"valid_until": "not_after_issue"}


def test_issue_date_in_the_future_and_unreadable_dates_are_refused(lsp_a, admin_a):
    rows = [
        assessor_row(1, **{"Tanggal Terbit Sertifikat": "01/01/2027"}),
        assessor_row(2, **{"Berlaku Sampai": "kemarin"}),
    ]
    first, second = preview(lsp_a, admin_a, rows).rows
    assert first["codes"] == {"issued_on": "future_date"}
    assert second["codes"] == {"valid_until": "bad_date"}


def test_missing_required_cells_are_each_reported(lsp_a, admin_a):
    blank = dict.fromkeys(["Nama Lengkap", "NIK", "No. Registrasi MET"])
    row = only_row(preview(lsp_a, admin_a, [assessor_row(**blank)]))
    assert row["codes"] == dict.fromkeys(["full_name", "nik", "met_number"], "required")


def test_common_header_variants_are_read(lsp_a, admin_a):
    headers = ["Nama Asesor", "NIK", "No. Reg. MET", "HP", "No. Sertifikat", "Tgl Terbit"]
    values = ["Budi", "6472000000000009", "MET.000.000009 2023", "0811223344", "X-9", "2/3/2023"]
    row = only_row(
        preview(lsp_a, admin_a, [dict(zip(headers, values, strict=True))], headers=headers)
    )
    assert not row["errors"], row["errors"]
    assert row["values"]["met_number"] == "MET.000.000009 2023"
    assert row["values"]["certificate_number"] == "X-9"


def test_missing_required_column_is_an_error_about_the_file(lsp_a, admin_a):
    headers = [h for h in HEADERS if h != "No. Registrasi MET"]
    batch = preview(lsp_a, admin_a, [assessor_row()], headers=headers)
    assert batch.rows == [] and "No. Registrasi MET" in batch.errors[0]
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=batch, user=admin_a)
    assert error.value.code == "has_errors"


# --- rows against each other and against the records ----------------------------------------------
@pytest.mark.parametrize(
    "header, field",
    [
        ("NIK", "nik"),
        ("No. Registrasi MET", "met_number"),
        ("No. Sertifikat Asesor", "certificate_number"),
    ],
)
def test_duplicate_within_the_file_names_the_earlier_row(lsp_a, admin_a, header, field):
    rows = [assessor_row(1), assessor_row(2), assessor_row(3)]
    rows[2][header] = rows[0][header]
    first, _second, third = preview(lsp_a, admin_a, rows).rows
    assert not first["errors"]
    assert third["codes"] == {field: "duplicate_in_file"}
    assert third["errors"][field] == f"Same {header} as row 2."  # the header is row 1


def test_assessor_already_in_this_lsp_is_refused_naming_them(lsp_a, admin_a):
    factories.AssessorFactory(
        full_name="Sri Lestari", nik=f"6472{1:012d}", met_number="MET.000.000001 2024", lsps=[lsp_a]
    )
    row = only_row(preview(lsp_a, admin_a, [assessor_row(1)]))
    assert row["codes"] == {"nik": "already_in_lsp"} and row["action"] == "error"
    assert "already registered in this LSP" in row["errors"]["nik"]
    assert "Sri Lestari" in row["errors"]["nik"]


@pytest.mark.parametrize("header", ["NIK", "No. Registrasi MET"])
def test_nik_or_met_of_an_assessor_of_this_lsp_is_refused(lsp_a, admin_a, header):
    mine = factories.AssessorFactory(lsps=[lsp_a], full_name="Sri Lestari")
    cell = mine.nik if header == "NIK" else mine.met_number
    row = only_row(preview(lsp_a, admin_a, [assessor_row(1, **{header: cell})]))
    field = "nik" if header == "NIK" else "met_number"
    assert row["codes"] == {field: "already_in_lsp"}
    assert "already registered in this LSP" in row["errors"][field]


@pytest.mark.parametrize("header", ["NIK", "No. Registrasi MET"])
def test_nik_or_met_of_someone_elsewhere_is_refused_telling_nothing(lsp_a, lsp_b, admin_a, header):
    other = factories.AssessorFactory(lsps=[lsp_b], full_name="Rahasia Orang Lain")
    cell = other.nik if header == "NIK" else other.met_number
    row = only_row(preview(lsp_a, admin_a, [assessor_row(1, **{header: cell})]))
    field = "nik" if header == "NIK" else "met_number"
    assert row["codes"] == {field: "on_record_elsewhere"}
    label = "NIK" if header == "NIK" else "MET number"
    assert row["errors"][field] == f"This {label} is already registered for another assessor."
    assert "Rahasia" not in str(row) and other.met_number not in row["errors"][field]


def test_certificate_number_on_record_is_refused(lsp_a, admin_a):
    factories.AssessorCertificateFactory(number="00001/BNSP/ASKOM/2024")
    row = only_row(preview(lsp_a, admin_a, [assessor_row(1)]))
    assert row["codes"] == {"certificate_number": "on_record"}


def test_checks_against_the_records_take_the_same_queries_for_20_or_200_rows(lsp_a, admin_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lsp.access import scope_of

    scope_of(admin_a)

    def queries(count):
        with CaptureQueriesContext(connection) as context:
            preview(lsp_a, admin_a, [assessor_row(n) for n in range(1, count + 1)])
        return len(context)

    assert queries(20) == queries(200)


# --- one person, several LSPs -------------------------------------------------------------------
@pytest.fixture
def elsewhere(lsp_b):
    """An assessor of LSP B, with a certificate and an account; the file's row 1 is them."""
    person = factories.AssessorFactory(
        full_name="Dewi Asesor",
        nik=f"6472{1:012d}",
        met_number="MET.000.000001 2024",
        email="dewi@example.id",
        lsps=[lsp_b],
        user=factories.assessor(lsp_b, username="dewi"),
    )
    factories.AssessorCertificateFactory(assessor=person, number="00001/BNSP/ASKOM/2024")
    return person


def test_same_nik_and_met_elsewhere_is_linked_to_this_lsp(lsp_a, lsp_b, admin_a, elsewhere):
    row = only_row(preview(lsp_a, admin_a, [assessor_row(1, Email="baru@example.id")]))
    assert row["action"] == "link" and row["pk"] == elsewhere.pk and not row["errors"]
    assert "only this LSP is added" in row["notes"]["met_number"]

    batch = ImportBatch.objects.get()
    result = commit_assessors(batch=batch, user=admin_a)
    assert (result.created, result.linked, result.certificates) == (0, 1, 0)
    elsewhere.refresh_from_db()
    assert set(elsewhere.lsps.all()) == {lsp_a, lsp_b}
    assert elsewhere.email == "dewi@example.id"  # nothing else changes
    assert elsewhere.certificates.count() == 1
    # Their account now holds an assessor role for the new LSP too.
    assert set(
        Role.objects.filter(user=elsewhere.user, kind=Role.Kind.ASSESSOR).values_list(
            "lsp", flat=True
        )
    ) == {lsp_a.pk, lsp_b.pk}
    entry = AuditEntry.objects.filter(action="update", object_repr__contains="asesor.xlsx").get()
    assert list(entry.lsps.all()) == [lsp_a]


def test_link_with_a_new_certificate_number_saves_no_certificate(lsp_a, admin_a, elsewhere):
    rows = [assessor_row(1, **{"No. Sertifikat Asesor": "RCC-2027"})]
    row = only_row(preview(lsp_a, admin_a, rows))
    assert row["action"] == "link" and "certificate_number" in row["notes"]
    commit_assessors(batch=ImportBatch.objects.get(), user=admin_a)
    assert not AssessorCertificate.objects.filter(number="RCC-2027").exists()


def test_nik_elsewhere_with_another_met_is_refused(lsp_a, admin_a, elsewhere):
    row = only_row(
        preview(lsp_a, admin_a, [assessor_row(1, **{"No. Registrasi MET": "MET.000.999999 2024"})])
    )
    # Their certificate number is someone else's too.
    assert row["codes"] == {"nik": "on_record_elsewhere", "certificate_number": "on_record"}
    assert row["errors"]["nik"] == "This NIK is already registered for another assessor."


# --- commit ---------------------------------------------------------------------------------------
def test_commit_creates_assessors_certificates_and_lsp_links(lsp_a, admin_a, settings):
    from dashboards import cache as dashboard_cache

    school = factories.SchoolFactory(npsn="30412345")
    rows = [assessor_row(n) for n in range(1, 4)]
    rows[0]["NPSN Sekolah Asal"] = "30412345"
    rows[1]["Berlaku Sampai"] = "20/12/2026"
    rows[2]["No. Sertifikat Asesor"] = rows[2]["Tanggal Terbit Sertifikat"] = ""
    batch = preview(lsp_a, admin_a, rows)
    assert summarise(batch) == {"create": 3, "link": 0, "error": 0}
    settings.DASHBOARD_CACHE_SECONDS = 600
    registry = dashboard_cache.generation(dashboard_cache.REGISTRY_GENERATION)
    result = commit_assessors(batch=batch, user=admin_a)
    assert (result.created, result.linked, result.certificates) == (3, 0, 2)
    # Bulk writes send no model signal: the import tells the dashboards (their assessor figures).
    assert dashboard_cache.generation(dashboard_cache.REGISTRY_GENERATION) != registry

    first = Assessor.objects.get(nik=f"6472{1:012d}")
    assert first.met_number == "MET.000.000001 2024" and first.phone == "+6281234567890"
    assert first.home_school == school and list(first.lsps.all()) == [lsp_a]
    certificate = first.certificates.get()
    assert certificate.issued_on == datetime.date(2024, 1, 15)
    assert certificate.valid_until == datetime.date(2027, 1, 15)  # three years: the default
    assert certificate.kind == AssessorCertificate.Kind.INITIAL
    second = Assessor.objects.get(nik=f"6472{2:012d}").certificates.get()
    assert second.valid_until == datetime.date(2026, 12, 20)
    assert not Assessor.objects.get(nik=f"6472{3:012d}").certificates.exists()
    assert Assessor.objects.serving([lsp_a.pk]).count() == 3

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_at


def test_commit_writes_one_audit_entry_per_kind_of_write(lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(n) for n in range(1, 4)])
    before = AuditEntry.objects.count()
    commit_assessors(batch=batch, user=admin_a)
    assert AuditEntry.objects.count() == before + 2  # assessors, certificates
    entries = AuditEntry.objects.filter(object_repr__contains="asesor.xlsx")
    added = entries.get(object_repr__contains="asesor baru")
    assert added.actor == admin_a and list(added.lsps.all()) == [lsp_a]
    assert len(added.changes["asesor"]["added"]) == 3
    certificates = entries.get(object_repr__contains="sertifikat")
    assert len(certificates.changes["sertifikat asesor"]["added"]) == 3


def test_a_file_with_one_bad_row_writes_nothing(lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1), assessor_row(2, NIK="123"), assessor_row(3)])
    assert summarise(batch) == {"create": 2, "link": 0, "error": 1}
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=batch, user=admin_a)
    assert error.value.code == "has_errors"
    assert not Assessor.objects.exists() and not AssessorCertificate.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_a_second_commit_of_the_same_batch_does_nothing(lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1), assessor_row(2)])
    stale_copy = ImportBatch.objects.get(pk=batch.pk)  # as a second request would load it
    commit_assessors(batch=batch, user=admin_a)
    entries = AuditEntry.objects.count()
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=stale_copy, user=admin_a)
    assert error.value.code == "already_committed"
    assert Assessor.objects.count() == 2 and AuditEntry.objects.count() == entries


def test_a_claimed_batch_is_not_written_even_when_loaded_before_the_claim(lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTED)
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=batch, user=admin_a)
    assert error.value.code == "already_committed" and not Assessor.objects.exists()


def test_a_met_number_taken_after_the_preview_makes_the_commit_write_nothing(lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1), assessor_row(2)])
    factories.AssessorFactory(met_number="MET.000.000002 2024")
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=batch, user=admin_a)
    assert error.value.code == "stale"
    assert not Assessor.objects.filter(nik=f"6472{1:012d}").exists()
    assert not AssessorCertificate.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_another_lsps_admin_may_not_preview_into_or_commit_the_batch(lsp_a, admin_a, admin_b):
    with pytest.raises(AssessorImportError) as error:
        preview(lsp_a, admin_b, [assessor_row(1)])
    assert error.value.code == "not_allowed"
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    with pytest.raises(AssessorImportError) as error:
        commit_assessors(batch=batch, user=admin_b)
    assert error.value.code == "not_allowed" and not Assessor.objects.exists()


# --- the template ---------------------------------------------------------------------------------
def _download(client, lsp):
    response = client.get(f"{reverse('assessor_import_template')}?lsp={lsp.pk}")
    assert response.status_code == 200
    return response


def test_template_has_the_headers_text_ids_and_date_columns(client, lsp_a, admin_a):
    client.force_login(admin_a)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, lsp_a).content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert workbook.sheetnames[:2] == [sheet.title, "Petunjuk"]
    column = {header: openpyxl.utils.get_column_letter(i + 1) for i, header in enumerate(HEADERS)}
    for header in ("NIK", "No. Registrasi MET", "No. HP", "No. Sertifikat Asesor"):
        assert sheet[f"{column[header]}2"].number_format == "@", header
    for header in ("Tanggal Terbit Sertifikat", "Berlaku Sampai"):
        assert sheet[f"{column[header]}2"].number_format == "DD/MM/YYYY", header
    guidance = [row[0] for row in workbook["Petunjuk"].iter_rows(values_only=True)]
    assert "NIK" in guidance and "Berlaku Sampai" in guidance


def test_template_holds_no_example_row_to_import(client, lsp_a, admin_a):
    client.force_login(admin_a)
    content = io.BytesIO(_download(client, lsp_a).content)
    assert read_rows(content, columns=COLUMNS, required=REQUIRED) == []


def test_template_of_another_lsp_is_not_found(client, lsp_b, admin_a):
    client.force_login(admin_a)
    url = f"{reverse('assessor_import_template')}?lsp={lsp_b.pk}"
    assert client.get(url).status_code == 404


def test_template_without_an_lsp_is_the_admins_only_lsp(client, lsp_a, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("assessor_import_template")).status_code == 200


# --- pages and who may use them -------------------------------------------------------------------
def _upload(client, lsp, rows):
    return client.post(reverse("assessor_import"), {"lsp": lsp.pk, "file": xlsx(rows)})


def test_admin_uploads_sees_the_errors_then_saves_the_fixed_file(client, lsp_a, admin_a):
    client.force_login(admin_a)
    response = _upload(client, lsp_a, [assessor_row(1), assessor_row(2, NIK="647201234567890")])
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("assessor_import_preview", args=[batch.pk])

    page = client.get(response.url).content.decode()
    assert 'data-testid="row-3"' in page and "647201234567890" in page
    assert 'data-testid="count-error">1<' in page
    assert 'data-testid="commit-button"' not in page
    refused = client.post(reverse("assessor_import_commit", args=[batch.pk]))
    assert refused.status_code == 302 and not Assessor.objects.exists()

    _upload(client, lsp_a, [assessor_row(1), assessor_row(2)])
    fixed = ImportBatch.objects.latest("pk")
    page = client.get(reverse("assessor_import_preview", args=[fixed.pk])).content.decode()
    assert 'data-testid="commit-button"' in page and 'data-testid="count-create">2<' in page
    saved = client.post(reverse("assessor_import_commit", args=[fixed.pk]))
    assert saved.status_code == 302
    assert saved.url == f"{reverse('assessor_list')}?lsp={lsp_a.pk}"
    assert Assessor.objects.serving([lsp_a.pk]).count() == 2

    again = client.post(reverse("assessor_import_commit", args=[fixed.pk]))
    assert again.url == reverse("assessor_import_preview", args=[fixed.pk])
    assert Assessor.objects.count() == 2


def test_preview_shows_a_link_row_and_filters(client, lsp_a, admin_a, elsewhere):
    batch = preview(lsp_a, admin_a, [assessor_row(1), assessor_row(2)])
    client.force_login(admin_a)
    url = reverse("assessor_import_preview", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "already registered elsewhere: will be added to this LSP" in page
    assert 'data-testid="count-link">1<' in page
    linked = client.get(url, {"show": "link"}).content.decode()
    assert 'data-testid="row-2"' in linked and 'data-testid="row-3"' not in linked


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, lsp_a, admin_a):
    client.force_login(admin_a)
    bogus = SimpleUploadedFile("asesor.xlsx", b"Nama;NIK\nAni;6472000000000001\n")
    response = client.post(reverse("assessor_import"), {"lsp": lsp_a.pk, "file": bogus})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_upload_offers_only_the_admins_own_lsps(client, lsp_a, lsp_b, admin_a):
    client.force_login(admin_a)
    response = _upload(client, lsp_b, [assessor_row(1)])
    assert response.status_code == 200 and "lsp" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_import_page_lists_only_the_batches_of_the_users_lsps(client, lsp_a, admin_a, admin_b):
    link = reverse("assessor_import_preview", args=[preview(lsp_a, admin_a, [assessor_row()]).pk])
    client.force_login(admin_b)
    assert link not in client.get(reverse("assessor_import")).content.decode()
    client.force_login(admin_a)
    assert link in client.get(reverse("assessor_import")).content.decode()


def test_another_lsps_admin_gets_404_for_a_batch(client, lsp_a, admin_a, admin_b):
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    client.force_login(admin_b)
    assert client.get(reverse("assessor_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("assessor_import_commit", args=[batch.pk])).status_code == 404
    assert not Assessor.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "assessor"])
def test_viewers_and_assessors_are_refused(client, lsp_a, admin_a, role):
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    user = (
        factories.viewer(username="v")
        if role == "viewer"
        else factories.assessor(lsp_a, username="a")
    )
    client.force_login(user)
    assert client.get(reverse("assessor_import")).status_code == 403
    assert _upload(client, lsp_a, [assessor_row(2)]).status_code == 403
    assert client.get(reverse("assessor_import_template")).status_code == 403
    assert client.get(reverse("assessor_import_preview", args=[batch.pk])).status_code == 403
    assert client.post(reverse("assessor_import_commit", args=[batch.pk])).status_code == 403
    assert not Assessor.objects.exists() and ImportBatch.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    for response in (
        client.get(reverse("assessor_import")),
        client.get(reverse("assessor_import_preview", args=[batch.pk])),
        client.post(reverse("assessor_import_commit", args=[batch.pk])),
    ):
        assert response.status_code == 302 and "/masuk/" in response.url
    assert not Assessor.objects.exists()


def test_commit_must_be_posted(client, lsp_a, admin_a):
    batch = preview(lsp_a, admin_a, [assessor_row(1)])
    client.force_login(admin_a)
    assert client.get(reverse("assessor_import_commit", args=[batch.pk])).status_code == 405
    assert not Assessor.objects.exists()


def test_superuser_may_import_into_any_lsp(client, lsp_b, superuser):
    client.force_login(superuser)
    assert _upload(client, lsp_b, [assessor_row(1)]).status_code == 302
    client.post(reverse("assessor_import_commit", args=[ImportBatch.objects.get().pk]))
    assert Assessor.objects.serving([lsp_b.pk]).count() == 1


def test_upload_page_and_preview_take_a_bounded_number_of_queries(
    client, lsp_a, admin_a, django_assert_max_num_queries
):
    for n in range(5):
        preview(lsp_a, admin_a, [assessor_row(n * 10 + i) for i in range(1, 11)])
    batch = ImportBatch.objects.latest("pk")
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessor_import")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("assessor_import_preview", args=[batch.pk])).status_code == 200


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
