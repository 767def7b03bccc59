"""Importing assessors' logbooks from Excel: assessments done before Kompeten or for another LSP.

One row is one assessment of one assessor of the LSP the admin imports for, named by MET number
(or NIK). The preview stores the checked rows in an ImportBatch (the shared machinery of
`lsp/imports.py`); the commit writes exactly those rows, all or nothing, once.
"""

import contextlib
import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lsp.audit import write_entry
from lsp.imports import (
    ImportRefused,
    check_committable,
    commit_once,
    read_sheet,
    refuse,
)
from lsp.imports import summarise as count_actions
from lsp.models import AuditEntry, ImportBatch, Lsp
from lsp.signals import figures_changed
from lsp.spreadsheets import (
    CellError,
    build_workbook,
    clean_date,
    clean_digits,
    clean_text,
    escape_cell,
)

from ..models import Assessor, LogbookEntry
from ..models.standing import forget as forget_standing
from ..validators import MET_EXAMPLE, normalise_met
from .imports import COLUMNS as ASSESSOR_COLUMNS

KIND = "assessor_logbook"
MAX_ROWS = 2000
ACTIONS = ("create", "error")
MAX_ASESI = 32767  # the column's limit; a session has tens

# Field → accepted headers; the first is the template's.
COLUMNS: dict[str, tuple[str, ...]] = {
    "met_number": ASSESSOR_COLUMNS["met_number"],
    "nik": ASSESSOR_COLUMNS["nik"],
    "date": (
        "Tanggal",
        "Tanggal Asesmen",
        "Tanggal Uji",
        "Tanggal Uji Kompetensi",
        "Tanggal Pelaksanaan",
        "Tgl",
        "Tgl.",
    ),
    "lsp": ("LSP", "Nama LSP"),
    "scheme": ("Skema", "Skema Sertifikasi", "Nama Skema", "Judul Skema"),
    "tuk": ("TUK", "Nama TUK", "Tempat Uji Kompetensi"),
    "asesi": ("Jumlah Asesi", "Jml Asesi", "Jml. Asesi", "Asesi", "Jumlah Peserta"),
}
FIELDS = list(COLUMNS)
LABELS = {field: names[0] for field, names in COLUMNS.items()}
REQUIRED = {"date", "scheme", "asesi"}  # and the MET number or the NIK, checked per row
TEMPLATE_FIELDS = ["met_number", "date", "lsp", "scheme", "tuk", "asesi"]


class LogbookImportError(ImportRefused):
    MESSAGES = {
        **ImportRefused.MESSAGES,
        "not_allowed": _("You may not import logbooks for this LSP."),
    }


def importable_lsps(user):
    """The LSPs whose assessors' logbooks the user may import: those they administer."""
    return Lsp.objects.editable_by(user)


def entry_key(assessor_id, date, scheme: str, lsp_id, lsp_name: str) -> tuple:
    """Two entries are the same assessment when these agree (names compared without case)."""
    return (assessor_id, str(date), scheme.casefold(), lsp_id or lsp_name.casefold())


def same_entry(entry: LogbookEntry):
    """Entries already on record for the same assessment as `entry`."""
    lsp = Q(lsp=entry.lsp) if entry.lsp_id else Q(lsp__isnull=True, lsp_name__iexact=entry.lsp_name)
    return LogbookEntry.objects.filter(
        lsp, assessor_id=entry.assessor_id, date=entry.date, scheme_name__iexact=entry.scheme_name
    )


# --- reading one row ------------------------------------------------------------------------------
class _RowChecker:
    """Cleans one row's cells; what it cannot trust becomes an error on that field."""

    def __init__(self, *, lsp: Lsp, today: datetime.date, by_met, by_nik, lsps_by_name):
        self.lsp, self.today = lsp, today
        self.by_met, self.by_nik, self.lsps_by_name = by_met, by_nik, lsps_by_name

    def check(self, raw: dict[str, Any]) -> dict:
        values, errors, codes, shown = {}, {}, {}, {}
        for field in FIELDS:
            try:
                values[field] = getattr(self, f"_{field}")(raw.get(field))
            except CellError as error:
                errors[field], codes[field] = str(error.message), error.code
                shown[field] = clean_text(raw.get(field))
        row = {"values": values, "errors": errors, "codes": codes, "notes": {}, "raw": shown}
        self._assessor(row)
        self._lsp_of(row)
        return row

    @staticmethod
    def _text(cell, *, max_length: int, required: bool) -> str:
        text = clean_text(cell)
        if required and not text:
            raise CellError("required", _("This cell is empty."))
        if len(text) > max_length:
            message = _("At most %(max)s characters; found %(found)s.")
            raise CellError("too_long", message, max=max_length, found=len(text))
        return text

    def _met_number(self, cell):
        text = clean_text(cell)
        if not text:
            return ""
        try:
            return normalise_met(text)
        except ValidationError:
            message = _("“%(value)s” is not a MET number: write it as %(example)s.")
            raise CellError("bad_met", message, value=text, example=MET_EXAMPLE) from None

    def _nik(self, cell):
        return clean_digits(cell, length=16) if clean_text(cell) else ""

    def _date(self, cell):
        if not clean_text(cell):
            raise CellError("required", _("This cell is empty."))
        day = clean_date(cell)
        if day > self.today:
            raise CellError("future_date", _("The date cannot be in the future."))
        return day.isoformat()

    def _lsp(self, cell):
        return self._text(cell, max_length=200, required=False)

    def _scheme(self, cell):
        text = clean_text(cell)
        if not text:
            raise CellError("required", _("The scheme is missing."))
        return self._text(text, max_length=300, required=True)

    def _tuk(self, cell):
        return self._text(cell, max_length=200, required=False)

    def _asesi(self, cell):
        text = clean_text(cell)
        if not text:
            raise CellError("required", _("This cell is empty."))
        match = re.fullmatch(r"(\d+)(?:[.,]0+)?", text)
        if not match or not 1 <= int(match[1]) <= MAX_ASESI:
            message = _("“%(value)s” is not a number of asesi: write a whole number, 1 or more.")
            raise CellError("bad_count", message, value=text)
        return int(match[1])

    def _assessor(self, row: dict) -> None:
        """The assessor of the LSP named by MET number or NIK (both: the same person)."""
        values = row["values"]
        if row["errors"].keys() & {"met_number", "nik"}:
            return
        met, nik = values.pop("met_number", ""), values.pop("nik", "")
        if not met and not nik:
            message = _("Write the assessor's MET number (or NIK).")
            refuse(row, "met_number", "required", message)
            return
        params = {"lsp": self.lsp.name}
        by_met, by_nik = self.by_met.get(met), self.by_nik.get(nik)
        if met and by_met is None:
            message = _("No assessor of %(lsp)s has this MET number.") % params
            refuse(row, "met_number", "unknown_assessor", message)
            row["raw"]["met_number"] = met
        if nik and by_nik is None:
            message = _("No assessor of %(lsp)s has this NIK.") % params
            refuse(row, "nik", "unknown_assessor", message)
        elif by_met is not None and by_nik is not None and by_met != by_nik:
            message = _("This NIK is another assessor's than the MET number's.")
            refuse(row, "nik", "mismatch", message)
        assessor = by_met or by_nik
        if assessor is not None and not row["errors"].keys() & {"met_number", "nik"}:
            values.update(
                assessor_id=assessor.pk,
                assessor_name=assessor.full_name,
                assessor_met=assessor.met_number,
            )

    def _lsp_of(self, row: dict) -> None:
        """An LSP in Kompeten by its name; otherwise the name as written; empty: this LSP."""
        values = row["values"]
        if "lsp" not in values:
            return
        name = values.pop("lsp")
        if not name:
            values.update(lsp_id=self.lsp.pk, lsp_name="", lsp_label=self.lsp.name)
            note = _("Empty: %(lsp)s.") % {"lsp": self.lsp.name}
            row["notes"]["lsp"] = str(note)
            return
        found = self.lsps_by_name.get(name.casefold())
        values.update(lsp_id=found, lsp_name="" if found else name, lsp_label=name)


# --- checks across rows and against the records ---------------------------------------------------
def _assessors(sheet_rows, lsp: Lsp) -> tuple[dict, dict]:
    """MET → assessor and NIK → assessor, among the LSP's assessors the file names: one query."""
    mets, niks = set(), set()
    for row in sheet_rows:
        text = clean_text(row.values.get("met_number"))
        if text:
            with contextlib.suppress(ValidationError):  # reported on the row by the checker
                mets.add(normalise_met(text))
        try:
            niks.add(clean_digits(row.values.get("nik"), length=16))
        except CellError:
            continue
    found = list(
        Assessor.objects.serving([lsp.pk])
        .filter(Q(met_number__in=mets) | Q(nik__in=niks))
        .only("pk", "full_name", "met_number", "nik")
    )
    return {a.met_number: a for a in found}, {a.nik: a for a in found}


def _lsps_by_name(sheet_rows) -> dict[str, int]:
    names = {clean_text(row.values.get("lsp")).casefold() for row in sheet_rows} - {""}
    found = Lsp.objects.annotate(lowered=Lower("name")).filter(lowered__in=names)
    return {name.casefold(): pk for name, pk in found.values_list("name", "pk")}


def _key(values: dict) -> tuple | None:
    if "assessor_id" not in values or not {"date", "scheme", "lsp_id"} <= values.keys():
        return None
    return entry_key(
        values["assessor_id"],
        values["date"],
        values["scheme"],
        values["lsp_id"],
        values["lsp_name"],
    )


def _mark_duplicates_in_file(rows: list[dict]) -> None:
    """The later of two rows for the same assessment is refused, naming the first."""
    first: dict[tuple, int] = {}
    for row in rows:
        key = _key(row["values"])
        if key is None:
            continue
        if key in first:
            message = _("Same assessor, date, LSP and scheme as row %(row)s.")
            refuse(row, "date", "duplicate_in_file", message % {"row": first[key]})
        else:
            first[key] = row["number"]


def _on_record(rows: list[dict]) -> set[tuple]:
    """The keys of `rows` already in a logbook: one query."""
    ids = {r["values"]["assessor_id"] for r in rows if "assessor_id" in r["values"]}
    dates = {r["values"]["date"] for r in rows if "date" in r["values"]}
    existing = LogbookEntry.objects.filter(assessor_id__in=ids, date__in=dates).values_list(
        "assessor_id", "date", "scheme_name", "lsp_id", "lsp_name"
    )
    return {entry_key(*values) for values in existing}


def _refuse_on_record(rows: list[dict]) -> None:
    recorded = _on_record(rows)
    for row in rows:
        if _key(row["values"]) in recorded:
            message = _("This assessment is already in the assessor's logbook.")
            refuse(row, "date", "on_record", message)


# --- the workflow ---------------------------------------------------------------------------------
def preview_logbook(*, lsp, file, filename, user, today=None) -> ImportBatch:
    """Read and check every row of the file; save them, unwritten, in a batch to preview."""
    if not importable_lsps(user).filter(pk=lsp.pk).exists():
        raise LogbookImportError("not_allowed")
    today = today or timezone.localdate()
    sheet_rows, file_errors = read_sheet(
        file,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        empty_message=_("The file has no assessment rows under the header row."),
    )
    if sheet_rows and not sheet_rows[0].values.keys() & {"met_number", "nik"}:
        message = gettext("Column %(column)s (or NIK) is missing.")
        sheet_rows, file_errors = [], [message % {"column": LABELS["met_number"]}]
    by_met, by_nik = _assessors(sheet_rows, lsp) if sheet_rows else ({}, {})
    checker = _RowChecker(
        lsp=lsp,
        today=today,
        by_met=by_met,
        by_nik=by_nik,
        lsps_by_name=_lsps_by_name(sheet_rows) if sheet_rows else {},
    )
    rows = [{"number": r.number, **checker.check(r.values)} for r in sheet_rows]
    _mark_duplicates_in_file(rows)
    if rows:
        _refuse_on_record(rows)
    for row in rows:
        row["action"] = "error" if row["errors"] else "create"
    return ImportBatch.objects.create(
        kind=KIND,
        lsp=lsp,
        created_by=user,
        filename=filename[:255],
        target={"lsp": lsp.pk},
        rows=rows,
        errors=file_errors,
    )


def summarise(batch: ImportBatch) -> dict[str, int]:
    return count_actions(batch, ACTIONS)


def commit_logbook(*, batch, user) -> int:
    """Write the previewed entries, all or nothing; a second commit of the batch does nothing.

    An assessor no longer serving the LSP, or an entry recorded since the preview, raises
    "stale": nothing is written, the batch stays a preview.
    """
    lsp_pk = batch.target.get("lsp")
    allowed = lsp_pk == batch.lsp_id and importable_lsps(user).filter(pk=lsp_pk).exists()
    check_committable(batch, kind=KIND, user=user, allowed=allowed, error=LogbookImportError)
    return commit_once(batch, lambda now: _commit(batch, user, lsp_pk), error=LogbookImportError)


def _commit(batch: ImportBatch, user, lsp_pk: int) -> int:
    rows = [r for r in batch.rows if r["action"] == "create"]
    ids = {r["values"]["assessor_id"] for r in rows}
    serving = Assessor.objects.serving([lsp_pk]).filter(pk__in=ids).values_list("pk", flat=True)
    if set(serving) != ids or _on_record(rows):
        raise LogbookImportError("stale")  # inside the claim's transaction: it is rolled back
    LogbookEntry.objects.bulk_create(
        [
            LogbookEntry(
                assessor_id=r["values"]["assessor_id"],
                date=datetime.date.fromisoformat(r["values"]["date"]),
                lsp_id=r["values"]["lsp_id"],
                lsp_name=r["values"]["lsp_name"],
                scheme_name=r["values"]["scheme"],
                tuk_name=r["values"]["tuk"],
                asesi_count=r["values"]["asesi"],
            )
            for r in rows
        ],
        batch_size=500,
    )
    # bulk_create sends no model signal: the kept counts and the dashboards are told here.
    forget_standing(ids)
    figures_changed.send(LogbookEntry, session_ids=[])
    if rows:  # bulk writes send no signals: one entry for the file
        write_entry(
            action=AuditEntry.Action.CREATE,
            label=f"Impor {batch.filename}: {len(rows)} entri logbook asesor",
            changes={"logbook": {"added": [_what(r["values"]) for r in rows]}},
            actor=user,
            lsp_ids={lsp_pk},
        )
    return len(rows)


def _what(values: dict) -> str:
    return f"{values['assessor_met']} {values['date']} {values['scheme']}"


def describe(values: dict) -> str:
    """One previewed row in words: date, scheme, LSP, number of asesi."""
    parts = []
    if values.get("date"):
        parts.append(formats.date_format(datetime.date.fromisoformat(values["date"])))
    if values.get("scheme"):
        parts.append(values["scheme"])
    if values.get("lsp_label"):
        parts.append(values["lsp_label"])
    if values.get("asesi"):
        parts.append(gettext("%(count)s asesi") % {"count": values["asesi"]})
    return " · ".join(parts)


# --- the template ---------------------------------------------------------------------------------
def logbook_template(*, lsp: Lsp):
    """The empty workbook: MET as Text, the date as a date, a guidance sheet."""
    workbook = build_workbook(
        title="Logbook Asesor",
        headers=[LABELS[f] for f in TEMPLATE_FIELDS],
        rows=[],
        text_columns={TEMPLATE_FIELDS.index("met_number")},
        date_columns={TEMPLATE_FIELDS.index("date")},
        widths={0: 24, 2: 30, 3: 40, 4: 30},
    )
    sheet = workbook.create_sheet("Petunjuk")
    sheet.append([escape_cell(gettext("Assessor logbook template: %(lsp)s") % {"lsp": lsp})])
    sheet.append(
        [
            gettext(
                "One assessment per row, from row 2: assessments done before Kompeten or for "
                "another LSP. They count toward RCC when dated within the current certificate."
            )
        ]
    )
    sheet.append([])
    sheet.append([gettext("Column"), gettext("Required"), gettext("What to write")])
    guidance = {
        "met_number": gettext(
            "As on the assessor's certificate, e.g. %(example)s. Or a column NIK instead."
        )
        % {"example": MET_EXAMPLE},
        "date": gettext("The day of the assessment. DD/MM/YYYY, e.g. 13/11/2023."),
        "lsp": gettext("The LSP's name. Empty: %(lsp)s.") % {"lsp": lsp.name},
        "scheme": gettext("The certification scheme's name."),
        "tuk": gettext("Optional. The assessment site."),
        "asesi": gettext("How many asesi the assessor assessed, e.g. 10."),
    }
    for field in TEMPLATE_FIELDS:
        required = gettext("yes") if field in REQUIRED | {"met_number"} else gettext("no")
        sheet.append([LABELS[field], required, escape_cell(guidance[field])])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
    return workbook
