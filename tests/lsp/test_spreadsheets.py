"""Excel in and out: what Excel mangled is repaired or plainly refused; exports run no formulas."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy

from lsp.spreadsheets import (
    XLSX_CONTENT_TYPE,
    CellError,
    SpreadsheetError,
    build_workbook,
    clean_date,
    clean_digits,
    clean_text,
    escape_cell,
    read_rows,
    workbook_response,
)

STUDENT_COLUMNS = {
    "nisn": ("NISN",),
    "name": ("Nama", "Nama Lengkap", "Nama Siswa"),
    "birth_date": ("Tanggal Lahir", "Tgl Lahir"),
    "nik": ("NIK",),
}


@pytest.fixture(autouse=True)
def _english():
    """These tests check the source-language wording; the catalogue test covers Indonesian."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _cell_error(function, value, **kwargs) -> CellError:
    with pytest.raises(CellError) as error:
        function(value, **kwargs)
    return error.value


def _xlsx(*rows, title="Siswa") -> io.BytesIO:
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    return _saved(workbook)


def _saved(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _reloaded(workbook):
    return openpyxl.load_workbook(_saved(workbook))


# Identifiers


@pytest.mark.parametrize("value", [12345678, 12345678.0])
def test_nisn_that_lost_its_leading_zeros_is_restored(value):
    assert clean_digits(value, length=10) == "0012345678"


@pytest.mark.parametrize(
    "value", ["0012345678", "'0012345678", " 0012 345 678 ", "0012.345.678", "0012-345-678"]
)
def test_nisn_typed_as_text_keeps_its_zeros_and_drops_separators(value):
    assert clean_digits(value, length=10) == "0012345678"


def test_text_that_is_too_short_is_not_padded_because_only_numbers_lose_zeros():
    error = _cell_error(clean_digits, "12345678", length=10)
    assert error.code == "wrong_length"
    assert str(error.message) == "Must be 10 digits; found 8."


@pytest.mark.parametrize("value", [3271234567890000, 3271234567890123, 3.271234567890123e15, 1234])
def test_sixteen_digit_nik_typed_as_number_is_refused_as_mangled(value):
    error = _cell_error(clean_digits, value, length=16)
    assert error.code == "mangled_number"
    assert "Format the column as Text" in str(error.message)


@pytest.mark.parametrize("value", ["3.27123E+15", "3,27123E+15", "3.27E15"])
def test_nik_in_scientific_notation_is_refused(value):
    assert _cell_error(clean_digits, value, length=16).code == "mangled_number"


def test_nik_typed_as_text_is_kept_whole():
    assert clean_digits("'3271234567890001", length=16) == "3271234567890001"


def test_number_too_long_even_before_padding_is_the_wrong_length():
    error = _cell_error(clean_digits, 123456789012, length=10)
    assert (error.code, str(error.message)) == ("wrong_length", "Must be 10 digits; found 12.")


@pytest.mark.parametrize("value", ["12345abcde", "NISN 123", 1234567.5, -12345678, True, "١٢٣"])
def test_anything_but_digits_is_refused(value):
    assert _cell_error(clean_digits, value, length=10).code == "not_digits"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_identifier_is_required(value):
    assert _cell_error(clean_digits, value, length=10).code == "required"


# Dates


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2007, 11, 13, 0, 0),
        datetime.date(2007, 11, 13),
        39399,  # Excel serial of a date cell formatted as General
        39399.0,
        "13/11/2007",
        "13-11-2007",
        "13.11.2007",
        "2007-11-13",
        "13 November 2007",
        "13 Nov 2007",
        "13 nopember 2007",
        "13-Nov-2007",
        "13 NOVEMBER 2007",
    ],
)
def test_birth_dates_in_the_usual_forms(value):
    assert clean_date(value) == datetime.date(2007, 11, 13)


MONTH_NAMES = [
    "Januari Jan January",
    "Februari Feb Pebruari February",
    "Maret Mar March",
    "April Apr",
    "Mei May",
    "Juni Jun June",
    "Juli Jul July",
    "Agustus Agu Agt August Aug",
    "September Sep Sept",
    "Oktober Okt October Oct",
    "November Nov Nopember",
    "Desember Des December Dec",
]


@pytest.mark.parametrize(
    "text, month",
    [(name, n) for n, names in enumerate(MONTH_NAMES, start=1) for name in names.split()],
)
def test_indonesian_and_english_month_names(text, month):
    assert clean_date(f"13 {text} 2007") == datetime.date(2007, month, 13)
    assert clean_date(f"13 {text.upper()} 2007") == datetime.date(2007, month, 13)


def test_day_always_comes_first():
    assert clean_date("01/02/2007") == datetime.date(2007, 2, 1)


@pytest.mark.parametrize(
    "value", ["13/11/07", "11/13/2007", "31/02/2007", "13 Brumaire 2007", "kemarin", "", None, 0]
)
def test_what_is_not_a_date_is_refused_naming_the_accepted_form(value):
    error = _cell_error(clean_date, value)
    assert error.code == "bad_date"
    assert "DD/MM/YYYY" in str(error.message)


# Text


@pytest.mark.parametrize(
    "value, expected",
    [(None, ""), (12.0, "12"), (12.5, "12.5"), (7, "7"), ("  Siti \n Aminah  ", "Siti Aminah")],
)
def test_text_is_trimmed_and_whole_numbers_lose_their_point_zero(value, expected):
    assert clean_text(value) == expected


# Reading a workbook


def test_read_rows_maps_headers_and_row_numbers():
    file = _xlsx(
        ["Daftar Siswa SMK Negeri 1 Samarinda"],
        [],
        ["No", " nisn ", "NAMA  LENGKAP", "Tgl Lahir", "Catatan"],
        [1, 12345678, "Budi Santoso", datetime.datetime(2007, 11, 13), None],
        [2, None, None, None, None],  # pre-numbered but empty: not a student
        [3, "0023456789", "Siti Aminah", "13/11/2007", "pindahan"],
    )
    rows = read_rows(file, columns=STUDENT_COLUMNS, required={"nisn", "name"})

    assert [row.number for row in rows] == [4, 6]
    assert rows[0].values == {
        "nisn": 12345678,
        "name": "Budi Santoso",
        "birth_date": datetime.datetime(2007, 11, 13),
    }
    assert rows[1].values["nisn"] == "0023456789"
    assert "nik" not in rows[1].values  # optional and absent


def test_missing_required_column_is_reported():
    file = _xlsx(["NISN", "Tanggal Lahir", "Kelas"], ["0012345678", "13/11/2007", "XII"])
    with pytest.raises(SpreadsheetError) as error:
        read_rows(file, columns=STUDENT_COLUMNS, required={"nisn", "name"})
    assert str(error.value) == "Column Nama is missing."


def test_all_missing_required_columns_are_reported_at_once():
    file = _xlsx(["Kelas", "Jurusan"], ["XII", "TKJ"])
    with pytest.raises(SpreadsheetError) as error:
        read_rows(file, columns=STUDENT_COLUMNS, required={"nisn", "name"})
    assert str(error.value) == "Columns NISN, Nama are missing."


def test_the_sheet_with_the_headers_is_found_when_another_is_active():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Petunjuk: isi data siswa di sheet Siswa"])
    workbook.create_sheet("Siswa").append(["NISN", "Nama"])
    workbook["Siswa"].append(["0012345678", "Budi"])
    rows = read_rows(_saved(workbook), columns=STUDENT_COLUMNS, required={"nisn"})
    assert [(row.number, row.values["name"]) for row in rows] == [(2, "Budi")]


def test_a_required_key_that_is_not_a_column_is_a_programming_error():
    with pytest.raises(ValueError, match="nsn"):
        read_rows(_xlsx(["NISN"]), columns=STUDENT_COLUMNS, required={"nsn"})


def test_a_named_sheet_that_does_not_exist_is_reported():
    with pytest.raises(SpreadsheetError, match="Sheet “Data” is missing."):
        read_rows(_xlsx(["NISN"]), columns=STUDENT_COLUMNS, required=set(), sheet="Data")


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"NISN,Nama\n0012345678,Budi\n",  # CSV
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # old .xls
        b"%PDF-1.7\n",
        b"",
        _zip_without_workbook(),
    ],
)
def test_non_excel_file_is_refused(content):
    with pytest.raises(SpreadsheetError) as error:
        read_rows(io.BytesIO(content), columns=STUDENT_COLUMNS, required={"nisn"})
    assert str(error.value) == "This is not an Excel (.xlsx) file."


# Writing


def test_formula_cells_are_escaped_on_export():
    dangerous = ['=HYPERLINK("http://evil.example","klik")', "+1", "-2", "@SUM(A1)", "\t=1"]
    workbook = build_workbook(title="Siswa", headers=["Catatan"], rows=[[v] for v in dangerous])
    sheet = _reloaded(workbook)["Siswa"]

    values = [cell.value for (cell,) in sheet.iter_rows(min_row=2, max_row=6)]
    assert values == ["'" + v for v in dangerous]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("value", [5, 2.5, None, datetime.date(2007, 11, 13), "Budi", "a=b"])
def test_escaping_leaves_harmless_values_alone(value):
    assert escape_cell(value) == value


def test_control_characters_pasted_into_text_do_not_break_the_export():
    assert escape_cell("Budi\x0bSantoso") == "BudiSantoso"


def test_translatable_headers_are_written_as_text():
    with translation.override("id"):
        workbook = build_workbook(title="Siswa", headers=[gettext_lazy("Name")], rows=[])
    assert _reloaded(workbook)["Siswa"]["A1"].value == "Nama"


def test_header_is_bold_and_frozen():
    sheet = _reloaded(build_workbook(title="Siswa", headers=["NISN", "Nama"], rows=[]))["Siswa"]
    assert sheet["A1"].font.bold and sheet["B1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_text_columns_are_formatted_as_text_including_empty_template_rows():
    workbook = build_workbook(
        title="Siswa",
        headers=["NISN", "Nama", "Tanggal Lahir"],
        rows=[["0012345678", "Budi", datetime.date(2007, 11, 13)], [23456789, "Siti", None]],
        text_columns={0},
        date_columns={2},
    )
    sheet = _reloaded(workbook)["Siswa"]

    assert all(sheet.cell(row, 1).number_format == "@" for row in range(2, 1004))
    assert sheet["B2"].number_format == "General"
    assert sheet["A2"].value == "0012345678"
    assert sheet["A3"].value == "23456789"  # a number given for a text column is written as text
    assert sheet["C2"].number_format == "DD/MM/YYYY"
    assert sheet["C1003"].number_format == "DD/MM/YYYY"


def test_dropdown_validation_is_present():
    workbook = build_workbook(
        title="Asesmen",
        headers=["NISN", "Rekomendasi"],
        rows=[],
        validations={1: ["Kompeten", "Belum Kompeten"]},
    )
    (validation,) = _reloaded(workbook)["Asesmen"].data_validations.dataValidation

    assert validation.type == "list"
    assert validation.formula1 == '"Kompeten,Belum Kompeten"'
    assert str(validation.sqref) == "B2:B1001"


def test_long_or_comma_dropdown_lists_come_from_a_hidden_sheet():
    schools = [f"SMK Negeri {n} Samarinda, Kalimantan Timur" for n in range(1, 21)]
    workbook = _reloaded(
        build_workbook(
            title="Siswa", headers=["Nama", "Sekolah"], rows=[], validations={1: schools}
        )
    )
    (validation,) = workbook["Siswa"].data_validations.dataValidation

    assert validation.formula1 == "'_lists'!$B$1:$B$20"
    assert workbook["_lists"].sheet_state == "hidden"
    assert [row[0] for row in workbook["_lists"].iter_rows(min_col=2, values_only=True)] == schools
    assert workbook.active.title == "Siswa"


def test_our_template_reads_back_without_losing_zeros():
    workbook = build_workbook(
        title="Siswa",
        headers=["NISN", "Nama Lengkap"],
        rows=[["0012345678", "Budi Santoso"]],
        text_columns={0},
    )
    upload = SimpleUploadedFile("siswa.xlsx", _saved(workbook).getvalue())
    (row,) = read_rows(upload, columns=STUDENT_COLUMNS, required={"nisn", "name"})
    assert (row.number, clean_digits(row.values["nisn"], length=10)) == (2, "0012345678")


def test_download_is_an_xlsx_attachment_with_an_ascii_name():
    workbook = build_workbook(title="Siswa", headers=["NISN"], rows=[["0012345678"]])
    response = workbook_response(workbook, filename="Daftar Siswa – SMK Négeri 1.xlsx")

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert (
        response["Content-Disposition"] == 'attachment; filename="Daftar-Siswa-SMK-Negeri-1.xlsx"'
    )
    assert openpyxl.load_workbook(io.BytesIO(response.content))["Siswa"]["A2"].value == "0012345678"
