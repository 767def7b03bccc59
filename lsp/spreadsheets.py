"""Excel import and export: every spreadsheet in the project goes through this module.

Excel mangles identifiers (leading zeros, 15-digit precision) and dates. Reading repairs what can
be trusted and refuses the rest with a message users can act on; writing escapes formulas and
formats ID columns as Text so the next round trip stays intact.
"""

import datetime
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.http import HttpResponse
from django.utils.functional import Promise, lazy
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_SEARCH_ROWS = 10
TEMPLATE_ROWS = 1000  # empty rows below the data that keep formats and drop-downs for typing in
EXCEL_SIGNIFICANT_DIGITS = 15

# Interpolated when shown, not when raised: errors may be collected in a task and displayed later
# in the reader's language. `message % params` also resolves ngettext_lazy's plural.
_interpolate = lazy(lambda message, params: message % params, str)


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read: not an .xlsx, or required columns are missing."""

    def __init__(self, message: Any, **params: Any):
        self.message = _interpolate(message, params) if params else message
        super().__init__(self.message)


class CellError(ValueError):
    """One cell cannot be read; `code` is stable for tests and callers, `message` is for users."""

    def __init__(self, code: str, message: Any, **params: Any):
        self.code = code
        self.message = _interpolate(message, params) if params else message
        super().__init__(self.message)


MANGLED = _(
    "Excel changed this number (it keeps only 15 digits). "
    "Format the column as Text and type it again."
)
NOT_DIGITS = _("“%(value)s” must contain digits only.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def clean_digits(value: Any, *, length: int) -> str:
    """An identifier (NISN 10, NIK 16, NPSN 8) as exactly `length` digits."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("required", _("This cell is empty."))
    if _is_number(value):
        # A 16-digit NIK can't survive as a number: Excel keeps 15 significant digits, so the
        # last one is already zero (or rounded) however the cell displays.
        if length > EXCEL_SIGNIFICANT_DIGITS:
            raise CellError("mangled_number", MANGLED)
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise CellError("not_digits", NOT_DIGITS, value=value)
        # Only a number can have lost leading zeros; a text cell still has all it was given.
        digits = str(int(value)).zfill(length)
    else:
        text = str(value).strip()
        # "3.27E+15" is how Excel displays a rounded long number; it was pasted as text.
        if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+", text):
            raise CellError("mangled_number", MANGLED)
        # A leading apostrophe is how users force Text in Excel; spaces, dots and dashes are
        # how they group digits for reading.
        digits = re.sub(r"[\s.\-]", "", text.lstrip("'’"))
        if not re.fullmatch(r"[0-9]+", digits):
            raise CellError("not_digits", NOT_DIGITS, value=value)
    if len(digits) != length:
        message = _("Must be %(length)s digits; found %(found)s.")
        raise CellError("wrong_length", message, length=length, found=len(digits))
    return digits


# Indonesian, old Indonesian spellings (Pebruari, Nopember) and English, with abbreviations.
_MONTH_NAMES = (
    "januari january jan",
    "februari pebruari february feb peb",
    "maret march mar",
    "april apr",
    "mei may",
    "juni june jun",
    "juli july jul",
    "agustus august agu agt aug",
    "september sep sept",
    "oktober october okt oct",
    "november nopember nov nop",
    "desember december des dec",
)
MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NAMED_DATE = re.compile(r"(\d{1,2})[\s./-]*([a-z]+)\.?[\s./-]*(\d{4})")


def clean_date(value: Any) -> datetime.date:
    """A date from a date cell, an Excel serial number, or day-first text; never 2-digit years."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if _is_number(value):
        # A date cell formatted as General/Number reaches us as its serial (1900 system).
        if math.isfinite(value) and 1 <= value <= 2958465:  # up to 31/12/9999
            return from_excel(value).date()
    elif isinstance(value, str):
        text = " ".join(value.split()).casefold()
        try:
            if match := _NUMERIC_DATE.fullmatch(text):  # day, separator, month, year
                return datetime.date(int(match[4]), int(match[3]), int(match[1]))
            if match := _ISO_DATE.fullmatch(text):
                return datetime.date(*map(int, match.groups()))
            if (match := _NAMED_DATE.fullmatch(text)) and match[2] in MONTHS:
                return datetime.date(int(match[3]), MONTHS[match[2]], int(match[1]))
        except ValueError:
            pass  # 31/02/2007 and friends: well-formed but not a day
    message = _("“%(value)s” is not a date. Use DD/MM/YYYY, for example 13/11/2007.")
    raise CellError("bad_date", message, value="" if value is None else value)


def clean_text(value: Any) -> str:
    """Free text (names, addresses): whitespace collapsed, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # as Excel shows it, so error messages can say "row 12"
    values: dict[str, Any]


def _header_key(value: Any) -> str:
    # "NAMA  Lengkap *" and "nama lengkap" are the same column; templates mark required ones "*".
    return clean_text(value).casefold().rstrip(" *:")


def read_rows(
    file: Any,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Collection[str],
    sheet: str | None = None,
) -> list[Row]:
    """The data rows under the header row, keyed by field; fully empty rows skipped."""
    if unknown := set(required) - columns.keys():  # a typo would silently make a column optional
        raise ValueError(f"Required but not in columns: {sorted(unknown)}")
    names = {_header_key(name): key for key, accepted in columns.items() for name in accepted}
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            return _read(workbook, columns, names, set(required), sheet)
        finally:
            workbook.close()  # read-only mode keeps the zip open until closed
    except SpreadsheetError:
        raise
    # BadZipFile: .xls, .csv, PDF…; KeyError/SyntaxError/OSError: a zip that is not a workbook.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, SyntaxError, OSError, ValueError):
        raise SpreadsheetError(_("This is not an Excel (.xlsx) file.")) from None


def _read(workbook, columns, names, required, sheet) -> list[Row]:
    if sheet is not None and sheet not in workbook.sheetnames:
        raise SpreadsheetError(_("Sheet “%(sheet)s” is missing."), sheet=sheet)
    # Without a named sheet, try the active one first, then the others: users often save while
    # looking at an instructions sheet.
    active = workbook.active
    sheets = [workbook[sheet]] if sheet else sorted(workbook.worksheets, key=lambda w: w != active)
    best: dict[str, int] = {}
    for worksheet in sheets:
        # Some programs write a wrong <dimension>; without it openpyxl reads every cell.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        for number, cells in enumerate(rows, start=1):
            if number > HEADER_SEARCH_ROWS:
                break
            found: dict[str, int] = {}
            for index, cell in enumerate(cells):
                key = names.get(_header_key(cell))
                if key is not None:
                    found.setdefault(key, index)
            if len(found) > len(best):
                best = found
            if len(found) * 2 >= len(columns) and found:
                missing = [columns[key][0] for key in columns if key in required - found.keys()]
                if missing:
                    raise _missing(missing)
                return list(_data_rows(rows, found, first=number + 1))
    raise _missing([columns[key][0] for key in columns if key in required - best.keys()])


def _missing(headers: list[str]) -> SpreadsheetError:
    if not headers:  # nothing required, but nothing recognisable either
        return SpreadsheetError(_("No header row found in the first 10 rows."))
    message = ngettext_lazy(
        "Column %(columns)s is missing.", "Columns %(columns)s are missing.", "count"
    )
    return SpreadsheetError(message, count=len(headers), columns=", ".join(headers))


def _data_rows(rows: Iterable[tuple], positions: dict[str, int], *, first: int):
    for number, cells in enumerate(rows, start=first):
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        # Judged on our columns only: a template pre-numbered in "No" is still an empty row.
        if any(clean_text(v) for v in values.values()):
            yield Row(number, values)


def escape_cell(value: Any) -> Any:
    """A value safe to put in a cell: text can never become a formula (OWASP CSV injection)."""
    if isinstance(value, Promise):  # gettext_lazy headers; openpyxl only knows real str
        value = str(value)
    if not isinstance(value, str):
        return value
    # Control characters from pasted text make openpyxl refuse the whole file.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def build_workbook(
    *,
    title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    text_columns: Collection[int] = frozenset(),
    date_columns: Collection[int] = frozenset(),
    validations: Mapping[int, list[str]] | None = None,
    widths: Mapping[int, int] | None = None,
    blank_rows: int = TEMPLATE_ROWS,
) -> openpyxl.Workbook:
    """One sheet with a bold frozen header; also used, with no rows, as the import template.

    `blank_rows` empty rows below the data keep the column formats and drop-downs, for a user
    who types into the file; exports pass 0.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/?*\[\]:]", " ", title)[:31] or "Data"  # Excel's sheet-name rules
    formats = dict.fromkeys(date_columns, "DD/MM/YYYY") | dict.fromkeys(text_columns, "@")
    longest = [len(str(h)) for h in headers]

    sheet.append([escape_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        values = [
            # A number written into a Text column would be a number again, zeros and all lost.
            clean_text(v) if i in text_columns and _is_number(v) else v
            for i, v in enumerate(values)
        ]
        sheet.append([escape_cell(v) for v in values])
        for i, v in enumerate(values[: len(longest)]):
            longest[i] = max(longest[i], len(str(v)) if v is not None else 0)

    last = sheet.max_row + blank_rows
    for i, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=i + 1, max_col=i + 1):
            cell.number_format = number_format
    for i, options in (validations or {}).items():
        sheet.add_data_validation(_dropdown(workbook, i, options, last))

    sheet.freeze_panes = "A2"
    for i, length in enumerate(longest):
        width = (widths or {}).get(i, min(max(length + 2, 10), 50))
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    return workbook


def _dropdown(workbook: openpyxl.Workbook, index: int, options: list[str], last: int):
    letter = get_column_letter(index + 1)
    inline = ",".join(options)
    # Excel caps an inline list at 255 characters and splits it on commas, so long lists and
    # options with commas live in a hidden sheet instead.
    if len(inline) <= 255 and not any("," in o or '"' in o for o in options):
        formula = f'"{inline}"'
    else:
        lists = workbook["_lists"] if "_lists" in workbook else workbook.create_sheet("_lists")
        lists.sheet_state = "hidden"
        for row, option in enumerate(options, start=1):
            lists[f"{letter}{row}"] = escape_cell(option)
        formula = f"{quote_sheetname('_lists')}!${letter}$1:${letter}${max(len(options), 1)}"
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.showErrorMessage = True
    validation.error = str(_("Choose a value from the list."))
    validation.add(f"{letter}2:{letter}{last}")
    return validation


def workbook_response(workbook: openpyxl.Workbook, *, filename: str) -> HttpResponse:
    """A download; the name is reduced to ASCII so every browser and mail client keeps it."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name.removesuffix(".xlsx")).strip("-.")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{stem or 'export'}.xlsx")
    return response
