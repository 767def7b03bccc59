"""Importing students from the school's Excel: every row checked, then saved all or nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Candidate
from assessments.services.student_import import (
    COLUMNS,
    HEADERS,
    REQUIRED,
    StudentImportError,
    commit_students,
    current_school_year,
    level_of_class,
    preview_students,
    summarise,
)
from lsp.access import scope_of
from lsp.models import AuditEntry, ImportBatch
from lsp.spreadsheets import read_rows
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


# --- building files -------------------------------------------------------------------------------
def student(n=1, **overrides):
    """One row as the template's headers name it; valid unless overridden."""
    row = {
        "Nama Lengkap": f"Siswa Uji {n}",
        "NISN": f"{n:010d}",
        "NIK": f"6472{n:012d}",
        "Tempat Lahir": "Samarinda",
        "Tanggal Lahir": "17/05/2008",
        "Jenis Kelamin": "L",
        "Alamat": "Jl. Pahlawan No. 4",
        "No. HP": "081234567890",
        "Email": "",
        "Konsentrasi Keahlian": "TKJ - Teknik Komputer dan Jaringan",
        "Kelas": "XII TKJ 2",
        "Tahun Pelajaran": "2025/2026",
        "Tahun Lulus": 2026,
    }
    row.update(overrides)
    return row


def xlsx(rows, headers=None, name="siswa.xlsx"):
    """An uploaded workbook with the given rows under the headers (the template's by default)."""
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def school(lsp_a):
    school = lsp_a.host_school
    school.concentrations.add(factories.concentration("TKJ"), factories.concentration("RPL"))
    return school


def preview(school, user, rows, **kwargs):
    file = xlsx(rows, **kwargs)
    return preview_students(school=school, file=file, filename=file.name, user=user, today=TODAY)


def only_row(batch):
    (row,) = batch.rows
    return row


# --- one row's cells ------------------------------------------------------------------------------
def test_nisn_that_lost_its_leading_zero_is_restored_with_a_note(school, admin_a):
    row = only_row(preview(school, admin_a, [student(NISN=12345678)]))
    assert row["values"]["nisn"] == "0012345678"
    assert row["action"] == "create" and not row["errors"]
    assert "0012345678" in row["notes"]["nisn"]


def test_nisn_typed_as_text_gets_no_note(school, admin_a):
    row = only_row(preview(school, admin_a, [student(NISN="0012345678")]))
    assert row["values"]["nisn"] == "0012345678" and not row["notes"]


def test_nik_of_15_digits_is_refused(school, admin_a):
    row = only_row(preview(school, admin_a, [student(NIK="647201234567890")]))
    assert row["codes"] == {"nik": "wrong_length"} and row["action"] == "error"
    assert "16" in row["errors"]["nik"] and "15" in row["errors"]["nik"]


def test_nik_typed_as_a_number_is_refused(school, admin_a):
    row = only_row(preview(school, admin_a, [student(NIK=6472012345678901)]))
    assert row["codes"] == {"nik": "mangled_number"}


@pytest.mark.parametrize(
    "typed",
    [
        "17/05/2008",
        "17-05-2008",
        "17.05.2008",
        "2008-05-17",
        "17 Mei 2008",
        "17 mei 2008",
        "17 May 2008",
        datetime.datetime(2008, 5, 17),
        39585,  # the Excel serial of 17/05/2008, from a cell formatted as General
    ],
)
def test_birth_dates_in_the_usual_forms_are_accepted(school, admin_a, typed):
    row = only_row(preview(school, admin_a, [student(**{"Tanggal Lahir": typed})]))
    assert row["values"]["birth_date"] == "2008-05-17" and not row["errors"]


@pytest.mark.parametrize("typed", ["17/13/2008", "kemarin", "31/02/2008", "17/05/08"])
def test_unreadable_birth_date_is_refused(school, admin_a, typed):
    row = only_row(preview(school, admin_a, [student(**{"Tanggal Lahir": typed})]))
    assert row["codes"] == {"birth_date": "bad_date"}


def test_birth_date_in_the_future_is_refused(school, admin_a):
    row = only_row(preview(school, admin_a, [student(**{"Tanggal Lahir": "01/01/2027"})]))
    assert row["codes"] == {"birth_date": "future_date"}


@pytest.mark.parametrize(
    "typed, sex", [("L", "L"), ("p", "P"), ("Laki-laki", "L"), ("PEREMPUAN", "P")]
)
def test_sex_is_read_from_letters_and_words(school, admin_a, typed, sex):
    row = only_row(preview(school, admin_a, [student(**{"Jenis Kelamin": typed})]))
    assert row["values"]["sex"] == sex


@pytest.mark.parametrize("typed", ["M", "F", "Pria", "1"])
def test_sex_other_than_l_or_p_is_refused(school, admin_a, typed):
    row = only_row(preview(school, admin_a, [student(**{"Jenis Kelamin": typed})]))
    assert row["codes"] == {"sex": "bad_sex"}


@pytest.mark.parametrize(
    "typed", ["TKJ", "tkj", "Teknik Komputer dan Jaringan", "TKJ - Teknik Komputer dan Jaringan"]
)
def test_concentration_is_read_from_abbreviation_or_name(school, admin_a, typed):
    row = only_row(preview(school, admin_a, [student(**{"Konsentrasi Keahlian": typed})]))
    assert row["values"]["concentration_id"] == factories.concentration("TKJ").pk


def test_unknown_concentration_is_refused_listing_the_schools(school, admin_a):
    # AKL exists, but this school does not teach it.
    row = only_row(preview(school, admin_a, [student(**{"Konsentrasi Keahlian": "AKL"})]))
    assert row["codes"] == {"concentration": "unknown_concentration"}
    message = row["errors"]["concentration"]
    assert "TKJ - Teknik Komputer dan Jaringan" in message and "RPL" in message


@pytest.mark.parametrize(
    "class_name, level",
    [("XII TKJ 2", "XII"), ("XI RPL 1", "XI"), ("X TKJ", "X"), ("12", "XII"), ("XIII", "XIII")],
)
def test_grade_is_read_from_the_class(class_name, level):
    assert level_of_class(class_name) == level


def test_class_without_a_grade_is_refused(school, admin_a):
    row = only_row(preview(school, admin_a, [student(Kelas="TKJ 2")]))
    assert row["codes"] == {"class_name": "bad_class"}


def test_class_typed_as_a_number_gives_its_grade(school, admin_a):
    row = only_row(preview(school, admin_a, [student(Kelas=12)]))
    assert (row["values"]["class_name"], row["values"]["level"]) == ("12", "XII")


@pytest.mark.parametrize(
    "today, year",
    [
        (datetime.date(2026, 3, 2), "2025/2026"),
        (datetime.date(2026, 6, 30), "2025/2026"),
        (datetime.date(2026, 7, 1), "2026/2027"),
    ],
)
def test_school_year_starts_in_july(today, year):
    assert current_school_year(today) == year


def test_empty_school_year_is_the_current_one(school, admin_a):
    row = only_row(preview(school, admin_a, [student(**{"Tahun Pelajaran": None})]))
    assert row["values"]["school_year"] == "2025/2026"


def test_missing_required_cells_are_each_reported(school, admin_a):
    required = ["Nama Lengkap", "NISN", "NIK", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin"]
    required += ["Konsentrasi Keahlian", "Kelas"]
    row = only_row(preview(school, admin_a, [student(**dict.fromkeys(required), Alamat="x")]))
    assert set(row["codes"]) == {
        "full_name",
        "nisn",
        "nik",
        "birth_place",
        "birth_date",
        "sex",
        "concentration",
        "class_name",
    }
    assert set(row["codes"].values()) == {"required"}


def test_phone_typed_as_a_number_gets_its_zero_back(school, admin_a):
    row = only_row(preview(school, admin_a, [student(**{"No. HP": 81234567890})]))
    assert row["values"]["phone"] == "081234567890" and "phone" in row["notes"]


def test_common_header_variants_are_read(school, admin_a):
    headers = ["Nama Siswa", "NISN", "NIK", "Tempat Lahir", "Tgl Lahir", "L/P"]
    headers += ["Program Keahlian", "Kelas", "Tahun Ajaran", "HP"]
    values = ["Ani", "0098765432", "6472010101010001", "Bontang", "01/02/2009", "P"]
    values += ["RPL", "XI RPL 1", "2025/2026", "0811223344"]
    row = only_row(
        preview(school, admin_a, [dict(zip(headers, values, strict=True))], headers=headers)
    )
    assert not row["errors"]
    assert row["values"]["full_name"] == "Ani" and row["values"]["phone"] == "0811223344"


def test_missing_required_column_is_an_error_about_the_file(school, admin_a):
    headers = [h for h in HEADERS if h != "NIK"]
    batch = preview(school, admin_a, [student()], headers=headers)
    assert batch.rows == [] and "NIK" in batch.errors[0]
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=batch, user=admin_a)
    assert error.value.code == "has_errors"


# --- rows against each other and against the records ----------------------------------------------
def test_duplicate_nisn_within_the_file_names_the_earlier_row(school, admin_a):
    rows = [student(1), student(2), student(3, NISN=f"{1:010d}")]
    batch = preview(school, admin_a, rows)
    first, _second, third = batch.rows
    assert not first["errors"]
    assert third["codes"] == {"nisn": "duplicate_in_file"}
    assert "row 2" in third["errors"]["nisn"]  # the header is row 1, the first student row 2


def test_duplicate_nik_within_the_file_names_the_earlier_row(school, admin_a):
    batch = preview(school, admin_a, [student(1), student(2, NIK=f"6472{1:012d}")])
    assert batch.rows[1]["codes"] == {"nik": "duplicate_in_file"}
    assert "row 2" in batch.rows[1]["errors"]["nik"]


def test_nisn_on_record_at_another_school_is_refused(school, admin_a):
    factories.CandidateFactory(nisn="0000000001", nik="6400000000000099")
    row = only_row(preview(school, admin_a, [student(1)]))
    assert row["codes"] == {"nisn": "on_record_elsewhere"}


def test_nik_on_record_at_another_school_is_refused(school, admin_a):
    factories.CandidateFactory(nisn="0000000099", nik=f"6472{1:012d}")
    row = only_row(preview(school, admin_a, [student(1)]))
    assert row["codes"] == {"nik": "on_record_elsewhere"}


def test_nik_of_another_student_of_the_school_is_refused(school, admin_a):
    factories.CandidateFactory(school=school, nisn="0000000099", nik=f"6472{1:012d}")
    row = only_row(preview(school, admin_a, [student(1)]))
    assert row["codes"] == {"nik": "on_record_other_student"}
    assert "0000000099" in row["errors"]["nik"]


def test_checks_against_the_records_take_the_same_queries_for_50_or_200_rows(school, admin_a):
    scope_of(admin_a)  # the roles are read once per request, before either preview

    def queries(count):
        with CaptureQueriesContext(connection) as context:
            preview(school, admin_a, [student(n) for n in range(1, count + 1)])
        return len(context)

    assert queries(50) == queries(200)


# --- commit ---------------------------------------------------------------------------------------
def test_commit_creates_every_row(school, admin_a):
    batch = preview(school, admin_a, [student(n) for n in range(1, 6)])
    result = commit_students(batch=batch, user=admin_a)
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    saved = Candidate.objects.get(nisn="0000000003")
    assert saved.school == school and saved.level == "XII" and saved.class_name == "XII TKJ 2"
    assert saved.birth_date == datetime.date(2008, 5, 17)
    assert saved.concentration == factories.concentration("TKJ")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_at


def test_commit_writes_one_audit_entry_for_the_whole_file(school, admin_a, lsp_a):
    batch = preview(school, admin_a, [student(n) for n in range(1, 6)])
    before = AuditEntry.objects.count()
    commit_students(batch=batch, user=admin_a)
    entry = AuditEntry.objects.get(pk__gt=0, action="create", object_repr__contains="siswa.xlsx")
    assert AuditEntry.objects.count() == before + 1
    assert entry.actor == admin_a and list(entry.lsps.all()) == [lsp_a]
    assert len(entry.changes["asesi"]["added"]) == 5


def test_a_file_with_one_bad_row_writes_nothing(school, admin_a):
    batch = preview(school, admin_a, [student(1), student(2, NIK="123"), student(3)])
    assert summarise(batch) == {"create": 2, "update": 0, "unchanged": 0, "error": 1}
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=batch, user=admin_a)
    assert error.value.code == "has_errors"
    assert Candidate.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_reimporting_the_same_file_changes_nothing(school, admin_a):
    rows = [student(n, NISN=n) for n in range(1, 4)]  # NISNs typed as numbers, zeros restored
    commit_students(batch=preview(school, admin_a, rows), user=admin_a)
    stamps = dict(Candidate.objects.values_list("nisn", "updated_at"))
    entries = AuditEntry.objects.count()

    again = preview(school, admin_a, rows)
    assert summarise(again) == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    result = commit_students(batch=again, user=admin_a)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert dict(Candidate.objects.values_list("nisn", "updated_at")) == stamps
    assert AuditEntry.objects.count() == entries


def test_changed_row_at_the_same_school_is_updated_showing_what_changes(school, admin_a):
    commit_students(batch=preview(school, admin_a, [student(1), student(2)]), user=admin_a)
    changed = student(1, Kelas="XII RPL 1", **{"Konsentrasi Keahlian": "RPL"})
    batch = preview(school, admin_a, [changed, student(2)])
    first, second = batch.rows
    assert first["action"] == "update" and second["action"] == "unchanged"
    assert set(first["changes"]) == {"class_name", "concentration_id"}
    assert first["changes"]["class_name"] == ["XII TKJ 2", "XII RPL 1"]

    result = commit_students(batch=batch, user=admin_a)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    saved = Candidate.objects.get(nisn="0000000001")
    assert saved.class_name == "XII RPL 1" and saved.concentration.abbreviation == "RPL"
    entry = AuditEntry.objects.filter(action="update").latest("pk")
    assert "0000000001 Siswa Uji 1 · class_name" in entry.changes


def test_empty_optional_cell_keeps_what_is_on_record(school, admin_a):
    commit_students(batch=preview(school, admin_a, [student(1)]), user=admin_a)
    batch = preview(school, admin_a, [student(1, **{"No. HP": None, "Alamat": ""})])
    assert only_row(batch)["action"] == "unchanged"


def test_a_second_commit_of_the_same_batch_does_nothing(school, admin_a):
    batch = preview(school, admin_a, [student(1), student(2)])
    stale_copy = ImportBatch.objects.get(pk=batch.pk)  # as a second request would load it
    commit_students(batch=batch, user=admin_a)
    entries = AuditEntry.objects.count()
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=stale_copy, user=admin_a)
    assert error.value.code == "already_committed"
    assert Candidate.objects.count() == 2 and AuditEntry.objects.count() == entries


def test_a_claimed_batch_is_not_written_twice_even_when_loaded_before_the_claim(school, admin_a):
    batch = preview(school, admin_a, [student(1)])
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTED)
    # This copy still says "preview": only the conditional update in the commit can tell.
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=batch, user=admin_a)
    assert error.value.code == "already_committed" and Candidate.objects.count() == 0


def test_a_nisn_taken_after_the_preview_makes_the_commit_write_nothing(school, admin_a):
    batch = preview(school, admin_a, [student(1), student(2)])
    factories.CandidateFactory(nisn="0000000002", nik="6400000000000099")
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=batch, user=admin_a)
    assert error.value.code == "stale"
    assert not Candidate.objects.filter(nisn="0000000001").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_admin_imports_into_a_network_school(lsp_a, admin_a):
    network = factories.SchoolFactory()
    lsp_a.network_schools.add(network)
    batch = preview(network, admin_a, [student(1, **{"Konsentrasi Keahlian": "AKL"})])
    assert only_row(batch)["action"] == "create"  # no concentrations recorded: any is accepted


def test_another_lsps_admin_may_not_preview_or_commit(school, admin_a, admin_b):
    with pytest.raises(StudentImportError) as error:
        preview(school, admin_b, [student(1)])
    assert error.value.code == "not_allowed"
    batch = preview(school, admin_a, [student(1)])
    with pytest.raises(StudentImportError) as error:
        commit_students(batch=batch, user=admin_b)
    assert error.value.code == "not_allowed" and Candidate.objects.count() == 0


# --- the template ---------------------------------------------------------------------------------
def _download(client, school):
    response = client.get(reverse("candidate_import_template", args=[school.pk]))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_template_has_the_columns_text_ids_and_drop_downs(client, school, admin_a):
    client.force_login(admin_a)
    workbook = _download(client, school)
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert workbook.sheetnames[:2] == [sheet.title, "Petunjuk"]
    for column in ("B", "C", "H"):  # NISN, NIK, No. HP
        assert sheet[f"{column}2"].number_format == "@"
    assert sheet["E2"].number_format == "DD/MM/YYYY"
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"L,P"' in formulas
    assert any("TKJ - Teknik Komputer dan Jaringan" in f for f in formulas)


def test_template_holds_no_example_row_to_import(client, school, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("candidate_import_template", args=[school.pk]))
    assert read_rows(io.BytesIO(response.content), columns=COLUMNS, required=REQUIRED) == []


# --- pages and who may use them -------------------------------------------------------------------
def _upload(client, school, rows):
    return client.post(reverse("candidate_import"), {"school": school.pk, "file": xlsx(rows)})


def test_admin_uploads_sees_the_preview_and_saves(client, school, admin_a):
    client.force_login(admin_a)
    response = _upload(client, school, [student(1), student(2, NIK="647201234567890")])
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("candidate_import_preview", args=[batch.pk])

    page = client.get(response.url).content.decode()
    assert 'data-testid="row-3"' in page and "647201234567890" in page
    assert 'data-testid="commit-button"' not in page
    refused = client.post(reverse("candidate_import_commit", args=[batch.pk]))
    assert refused.status_code == 302 and Candidate.objects.count() == 0

    _upload(client, school, [student(1), student(2)])
    fixed = ImportBatch.objects.latest("pk")
    assert (
        'data-testid="commit-button"'
        in client.get(reverse("candidate_import_preview", args=[fixed.pk])).content.decode()
    )
    saved = client.post(reverse("candidate_import_commit", args=[fixed.pk]))
    assert saved.status_code == 302 and saved.url.startswith(reverse("candidate_list"))
    assert Candidate.objects.filter(school=school).count() == 2


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, school, admin_a):
    client.force_login(admin_a)
    bogus = SimpleUploadedFile("siswa.xlsx", b"Nama;NISN\nAni;0012345678\n")
    response = client.post(reverse("candidate_import"), {"school": school.pk, "file": bogus})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_upload_offers_only_the_admins_own_schools(client, school, admin_a, lsp_b):
    client.force_login(admin_a)
    response = _upload(client, lsp_b.host_school, [student(1)])
    assert response.status_code == 200 and "school" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_import_page_lists_only_the_batches_of_the_users_lsps(client, school, admin_a, admin_b):
    link = reverse("candidate_import_preview", args=[preview(school, admin_a, [student(1)]).pk])
    client.force_login(admin_b)
    assert link not in client.get(reverse("candidate_import")).content.decode()
    client.force_login(admin_a)
    assert link in client.get(reverse("candidate_import")).content.decode()


def test_another_lsps_admin_gets_404_for_a_batch_or_a_school_template(
    client, school, admin_a, admin_b
):
    batch = preview(school, admin_a, [student(1)])
    client.force_login(admin_b)
    assert client.get(reverse("candidate_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("candidate_import_commit", args=[batch.pk])).status_code == 404
    assert client.get(reverse("candidate_import_template", args=[school.pk])).status_code == 404
    assert Candidate.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "assessor"])
def test_viewers_and_assessors_are_refused(client, school, admin_a, lsp_a, role):
    batch = preview(school, admin_a, [student(1)])
    user = (
        factories.viewer(username="v")
        if role == "viewer"
        else factories.assessor(lsp_a, username="a")
    )
    client.force_login(user)
    assert client.get(reverse("candidate_import")).status_code == 403
    assert _upload(client, school, [student(2)]).status_code == 403
    assert client.get(reverse("candidate_import_template", args=[school.pk])).status_code == 403
    assert client.get(reverse("candidate_import_preview", args=[batch.pk])).status_code == 403
    assert client.post(reverse("candidate_import_commit", args=[batch.pk])).status_code == 403
    assert Candidate.objects.count() == 0 and ImportBatch.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, school, admin_a):
    batch = preview(school, admin_a, [student(1)])
    response = client.post(reverse("candidate_import_commit", args=[batch.pk]))
    assert response.status_code == 302 and "/masuk/" in response.url
    assert Candidate.objects.count() == 0


def test_commit_must_be_posted(client, school, admin_a):
    batch = preview(school, admin_a, [student(1)])
    client.force_login(admin_a)
    assert client.get(reverse("candidate_import_commit", args=[batch.pk])).status_code == 405
    assert Candidate.objects.count() == 0


def test_superuser_may_import(client, school, superuser):
    client.force_login(superuser)
    response = _upload(client, school, [student(1)])
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    client.post(reverse("candidate_import_commit", args=[batch.pk]))
    assert Candidate.objects.filter(school=school).count() == 1


def test_a_school_no_lsp_certifies_is_refused_on_the_form(client, superuser):
    client.force_login(superuser)
    orphan = factories.SchoolFactory()
    response = _upload(client, orphan, [student(1)])
    assert response.status_code == 200 and "school" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
