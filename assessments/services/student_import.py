"""Importing students from the school's Excel file: preview every row, then commit all or nothing.

The preview stores the cleaned rows in an ImportBatch; the commit writes exactly those rows, so
what the admin saw is what is saved. A row already on record at the same school is matched by
NISN and either left alone (identical) or updated (only the fields that differ).
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.audit import write_entry
from lsp.imports import (
    ImportRefused,
    check_committable,
    commit_once,
    mark_duplicates_in_file,
    read_sheet,
    refuse,
)
from lsp.imports import summarise as count_actions
from lsp.models import AuditEntry, Concentration, ImportBatch, Lsp, School
from lsp.spreadsheets import (
    CellError,
    build_workbook,
    clean_date,
    clean_digits,
    clean_text,
    escape_cell,
)

from ..models import Candidate

KIND = "students"
ACTIONS = ("create", "update", "unchanged", "error")
MAX_ROWS = 5000  # a whole large SMK; beyond that the preview page is no longer readable

# Field → accepted headers; the first is the template's. Schools' own files use the others.
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("Nama Lengkap", "Nama", "Nama Siswa", "Nama Peserta Didik"),
    "nisn": ("NISN",),
    "nik": ("NIK", "No. KTP", "NIK Siswa"),
    "birth_place": ("Tempat Lahir",),
    "birth_date": ("Tanggal Lahir", "Tgl Lahir", "Tgl. Lahir", "Tanggal Lahir (DD/MM/YYYY)"),
    "sex": ("Jenis Kelamin", "L/P", "JK"),
    "address": ("Alamat",),
    "phone": ("No. HP", "No HP", "HP", "Telepon", "No. Telepon", "Nomor HP"),
    "email": ("Email", "E-mail"),
    "concentration": (
        "Konsentrasi Keahlian",
        "Konsentrasi",
        "Program Keahlian",
        "Kompetensi Keahlian",
    ),
    "class_name": ("Kelas", "Rombel"),
    "school_year": ("Tahun Pelajaran", "Tahun Ajaran"),
    "graduation_year": ("Tahun Lulus",),
}
HEADERS = [names[0] for names in COLUMNS.values()]
FIELDS = list(COLUMNS)
LABELS = {field: names[0] for field, names in COLUMNS.items()}  # how the admin's file names it
REQUIRED = {
    "full_name",
    "nisn",
    "nik",
    "birth_place",
    "birth_date",
    "sex",
    "concentration",
    "class_name",
}
# Empty optional cells keep what is on record: a school file without phones must not erase them.
OPTIONAL = {"address", "phone", "email", "graduation_year"}
# The model fields an import writes, in the order a change is shown.
WRITTEN = [
    "full_name",
    "nik",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "phone",
    "email",
    "concentration_id",
    "level",
    "class_name",
    "school_year",
    "graduation_year",
]

SEXES = {"l": "L", "laki-laki": "L", "laki laki": "L", "p": "P", "perempuan": "P"}
_LEVEL = re.compile(r"^(?:(XIII|XII|XI|X)(?![IVX])|(1[0-3])(?!\d))")
_LEVEL_OF_NUMBER = {"10": "X", "11": "XI", "12": "XII", "13": "XIII"}
_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[/\-–]\s*(\d{4})")
_PHONE_JUNK = re.compile(r"[\s.\-()/]")


class StudentImportError(ImportRefused):
    """A preview or commit that cannot go ahead; `code` for callers and tests."""

    MESSAGES = {
        **ImportRefused.MESSAGES,
        "not_allowed": _("You may not import students into this school."),
    }


@dataclass(frozen=True)
class CommitResult:
    created: int
    updated: int
    unchanged: int


# --- small rules ----------------------------------------------------------------------------------
def current_school_year(today: datetime.date) -> str:
    """The Indonesian school year starts in July."""
    start = today.year if today.month >= 7 else today.year - 1
    return f"{start}/{start + 1}"


def level_of_class(class_name: str) -> str | None:
    """'XII TKJ 2' → 'XII'; '12' → 'XII'; None when the class does not start with a grade."""
    match = _LEVEL.match(class_name.strip().upper())
    if not match:
        return None
    return match[1] or _LEVEL_OF_NUMBER[match[2]]


def concentration_option(concentration: Concentration) -> str:
    return f"{concentration.abbreviation} - {concentration.name}"


def _key(text: str) -> str:
    # "tkj – Teknik  Komputer" and "TKJ - Teknik Komputer" are the same choice.
    return re.sub(r"\s*[-–—]\s*", " - ", " ".join(text.split())).casefold()


def school_concentrations(school: School) -> list[Concentration]:
    """What the school teaches; a school with none recorded yet may use any concentration."""
    taught = list(school.concentrations.order_by("abbreviation"))
    return taught or list(Concentration.objects.order_by("abbreviation"))


# --- reading one row ------------------------------------------------------------------------------
class _RowChecker:
    """Cleans one row's cells; what it cannot trust becomes an error on that field."""

    def __init__(self, *, concentrations: list[Concentration], today: datetime.date):
        self.today = today
        self.default_school_year = current_school_year(today)
        self.concentrations = {}
        for c in concentrations:
            for text in (c.abbreviation, c.name, concentration_option(c), str(c)):
                self.concentrations[_key(text)] = c.pk
        self.options = ", ".join(concentration_option(c) for c in concentrations)

    def check(self, raw: dict[str, Any]) -> dict:
        values, errors, codes, notes, shown = {}, {}, {}, {}, {}
        for field in FIELDS:
            cell = raw.get(field)
            try:
                values[field], note = getattr(self, f"_{field}")(cell)
            except CellError as error:
                errors[field], codes[field] = str(error.message), error.code
                shown[field] = clean_text(cell)
                continue
            if note:
                notes[field] = str(note)
        if "concentration" in values:
            values["concentration_id"] = values.pop("concentration")
        if "class_name" in values:
            values["level"] = level_of_class(values["class_name"])
        return {"values": values, "errors": errors, "codes": codes, "notes": notes, "raw": shown}

    @staticmethod
    def _text(cell, *, max_length: int, required: bool) -> str:
        text = clean_text(cell)
        if required and not text:
            raise CellError("required", _("This cell is empty."))
        if len(text) > max_length:
            message = _("At most %(max)s characters; found %(found)s.")
            raise CellError("too_long", message, max=max_length, found=len(text))
        return text

    def _full_name(self, cell):
        return self._text(cell, max_length=150, required=True), None

    def _nisn(self, cell):
        nisn = clean_digits(cell, length=10)
        if isinstance(cell, int | float) and len(str(int(cell))) < len(nisn):
            # A numeric cell: Excel dropped the leading zeros, which clean_digits put back.
            return nisn, _("Excel dropped the leading zero; restored as %(nisn)s.") % {"nisn": nisn}
        return nisn, None

    def _nik(self, cell):
        return clean_digits(cell, length=16), None

    def _birth_place(self, cell):
        return self._text(cell, max_length=100, required=True), None

    def _birth_date(self, cell):
        if not clean_text(cell):
            raise CellError("required", _("This cell is empty."))
        day = clean_date(cell)
        if day >= self.today:
            raise CellError("future_date", _("The date of birth must be in the past."))
        return day.isoformat(), None

    def _sex(self, cell):
        text = clean_text(cell)
        if not text:
            raise CellError("required", _("This cell is empty."))
        sex = SEXES.get(text.casefold())
        if sex is None:
            message = _("“%(value)s” is not a sex: write L (Laki-laki) or P (Perempuan).")
            raise CellError("bad_sex", message, value=text)
        return sex, None

    def _address(self, cell):
        return self._text(cell, max_length=1000, required=False), None

    def _phone(self, cell):
        text = clean_text(cell)
        if not text:
            return "", None
        phone = _PHONE_JUNK.sub("", text.lstrip("'’"))
        if not re.fullmatch(r"\+?\d{8,15}", phone):
            message = _("“%(value)s” is not a phone number (8 to 15 digits, e.g. 081234567890).")
            raise CellError("bad_phone", message, value=text)
        if isinstance(cell, int | float) and phone.startswith("8"):
            # Typed as a number, Excel dropped the 0 of "08…".
            restored = "0" + phone
            return restored, _("Excel dropped the leading zero; restored as %(phone)s.") % {
                "phone": restored
            }
        return phone, None

    def _email(self, cell):
        email = self._text(cell, max_length=254, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                message = _("“%(value)s” is not an e-mail address.")
                raise CellError("bad_email", message, value=email) from None
        return email, None

    def _concentration(self, cell):
        text = clean_text(cell)
        if not text:
            raise CellError("required", _("This cell is empty."))
        pk = self.concentrations.get(_key(text))
        if pk is None:
            message = _(
                "“%(value)s” is not a concentration of this school. Use one of: %(options)s."
            )
            raise CellError("unknown_concentration", message, value=text, options=self.options)
        return pk, None

    def _class_name(self, cell):
        class_name = self._text(cell, max_length=30, required=True)
        if level_of_class(class_name) is None:
            message = _(
                "Cannot tell the grade from “%(value)s”: start the class with X, XI, XII or XIII "
                "(or 10 to 13), e.g. XII TKJ 2."
            )
            raise CellError("bad_class", message, value=class_name)
        return class_name, None

    def _school_year(self, cell):
        text = clean_text(cell)
        if not text:
            return self.default_school_year, None
        match = _SCHOOL_YEAR.fullmatch(text)
        if not match or int(match[2]) != int(match[1]) + 1:
            message = _("“%(value)s” is not a school year: write it as 2025/2026.")
            raise CellError("bad_school_year", message, value=text)
        return f"{match[1]}/{match[2]}", None

    def _graduation_year(self, cell):
        text = clean_text(cell)
        if not text:
            return None, None
        if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
            message = _("“%(value)s” is not a year (e.g. 2026).")
            raise CellError("bad_year", message, value=text)
        return int(text), None


# --- checks across rows ---------------------------------------------------------------------------
def _existing(rows: list[dict]) -> tuple[dict[str, Candidate], dict[str, Candidate]]:
    """Everyone on record with one of the file's NISNs or NIKs: one query for the whole file."""
    nisns = {r["values"]["nisn"] for r in rows if "nisn" in r["values"]}
    niks = {r["values"]["nik"] for r in rows if "nik" in r["values"]}
    found = list(Candidate.objects.filter(Q(nisn__in=nisns) | Q(nik__in=niks)))
    return {c.nisn: c for c in found}, {c.nik: c for c in found}


def _plain(value) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _changes(candidate: Candidate, values: dict) -> dict[str, list]:
    changes = {}
    for attname in WRITTEN:
        field = "concentration" if attname == "concentration_id" else attname
        new = values.get(attname)
        if field in OPTIONAL and new in ("", None):
            continue
        old = _plain(getattr(candidate, attname))
        if old != new:
            changes[attname] = [old, new]
    return changes


def _match_on_record(rows: list[dict], school: School) -> None:
    by_nisn, by_nik = _existing(rows)
    for row in rows:
        values, errors = row["values"], row["errors"]
        same_nisn = by_nisn.get(values.get("nisn"))
        same_nik = by_nik.get(values.get("nik"))
        # Another school's student is not this admin's to see or change: say so, name nothing.
        if same_nisn and same_nisn.school_id != school.pk:
            message = _("This NISN is already on record at another school.")
            refuse(row, "nisn", "on_record_elsewhere", message)
        if same_nik and same_nik != same_nisn:
            if same_nik.school_id != school.pk:
                message = _("This NIK is already on record at another school.")
                refuse(row, "nik", "on_record_elsewhere", message)
            else:
                message = _("This NIK is already on record for another student (NISN %(nisn)s).")
                refuse(row, "nik", "on_record_other_student", message % {"nisn": same_nik.nisn})
        if errors:
            row["action"] = "error"
        elif same_nisn:
            row["pk"] = same_nisn.pk
            row["changes"] = _changes(same_nisn, values)
            row["action"] = "update" if row["changes"] else "unchanged"
        else:
            row["action"] = "create"


# --- the workflow ---------------------------------------------------------------------------------
def importable_schools(user):
    """The schools whose students the user may import: host and network schools of their LSPs."""
    scope = scope_of(user)
    return School.objects.all() if scope.superuser else School.objects.of_lsps(scope.admin_lsp_ids)


def _lsp_for(school: School, user) -> Lsp:
    lsps = Lsp.objects.certifying(school.pk).order_by("pk")
    scope = scope_of(user)
    if not scope.superuser:
        lsps = lsps.filter(pk__in=scope.admin_lsp_ids)
    lsp = lsps.first()
    if lsp is None:
        raise StudentImportError("not_allowed")
    return lsp


def preview_students(*, school, file, filename, user, today=None) -> ImportBatch:
    """Read and check every row of the file; save them, unwritten, in a batch to preview."""
    if not importable_schools(user).filter(pk=school.pk).exists():
        raise StudentImportError("not_allowed")
    lsp = _lsp_for(school, user)
    today = today or timezone.localdate()
    sheet_rows, file_errors = read_sheet(
        file,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        empty_message=_("The file has no student rows under the header row."),
    )
    checker = _RowChecker(concentrations=school_concentrations(school), today=today)
    rows = [{"number": r.number, **checker.check(r.values)} for r in sheet_rows]
    # The later of two rows with the same NISN or NIK is refused, naming the earlier one.
    mark_duplicates_in_file(rows, ("nisn", "nik"), LABELS)
    if rows:
        _match_on_record(rows, school)
    return ImportBatch.objects.create(
        kind=KIND,
        lsp=lsp,
        created_by=user,
        filename=filename[:255],
        target={"school": school.pk},
        rows=rows,
        errors=file_errors,
    )


def summarise(batch: ImportBatch) -> dict[str, int]:
    return count_actions(batch, ACTIONS)


def commit_students(*, batch, user) -> CommitResult:
    """Write the previewed rows, all or nothing; a second commit of the batch does nothing.

    A NISN or NIK taken since the preview raises "stale": nothing is written, the batch stays a
    preview.
    """
    school_pk = batch.target.get("school")
    allowed = importable_schools(user).filter(pk=school_pk).exists()
    check_committable(batch, kind=KIND, user=user, allowed=allowed, error=StudentImportError)
    return commit_once(
        batch, lambda now: _commit(batch, user, school_pk, now), error=StudentImportError
    )


def _commit(batch: ImportBatch, user, school_pk: int, now) -> CommitResult:
    new = [r for r in batch.rows if r["action"] == "create"]
    changed = [r for r in batch.rows if r["action"] == "update"]
    _create(new, school_pk)
    _update(changed, school_pk, now)
    _audit(batch, user, school_pk, new, changed)
    return CommitResult(
        created=len(new), updated=len(changed), unchanged=len(batch.rows) - len(new) - len(changed)
    )


def _model_values(values: dict) -> dict:
    data = {attname: values[attname] for attname in WRITTEN}
    data["birth_date"] = datetime.date.fromisoformat(data["birth_date"])
    return data


def _create(rows: list[dict], school_pk: int) -> None:
    Candidate.objects.bulk_create(
        [
            Candidate(school_id=school_pk, nisn=r["values"]["nisn"], **_model_values(r["values"]))
            for r in rows
        ],
        batch_size=500,
    )


def _update(rows: list[dict], school_pk: int, now) -> None:
    if not rows:
        return
    candidates = Candidate.objects.filter(school_id=school_pk).in_bulk([r["pk"] for r in rows])
    if len(candidates) != len(rows):
        raise StudentImportError("stale")  # a student was deleted or moved since the preview
    fields = {"updated_at"}
    for row in rows:
        candidate, values = candidates[row["pk"]], _model_values(row["values"])
        for attname in row["changes"]:
            setattr(candidate, attname, values[attname])
        candidate.updated_at = now  # bulk_update does not apply auto_now
        fields.update(row["changes"])
    Candidate.objects.bulk_update(candidates.values(), sorted(fields), batch_size=500)


def _who(row: dict) -> str:
    return f"{row['values']['nisn']} {row['values']['full_name']}"


def _audit(batch, user, school_pk, new, changed) -> None:
    """One entry per kind of write, not one per student: bulk writes send no signals."""
    lsp_ids = set(Lsp.objects.certifying(school_pk).values_list("pk", flat=True)) | {batch.lsp_id}
    common = {"actor": user, "lsp_ids": lsp_ids}
    if new:
        write_entry(
            action=AuditEntry.Action.CREATE,
            label=f"Impor {batch.filename}: {len(new)} asesi baru",
            changes={"asesi": {"added": [_who(r) for r in new]}},
            **common,
        )
    if changed:
        write_entry(
            action=AuditEntry.Action.UPDATE,
            label=f"Impor {batch.filename}: {len(changed)} asesi diubah",
            changes={
                f"{_who(r)} · {attname}": change
                for r in changed
                for attname, change in r["changes"].items()
            },
            **common,
        )


# --- the template ---------------------------------------------------------------------------------
def student_template(*, school: School):
    """The empty workbook a school fills in: Text ID columns, drop-downs, a guidance sheet."""
    concentrations = school_concentrations(school)
    index = {field: i for i, field in enumerate(FIELDS)}
    workbook = build_workbook(
        title="Siswa",
        headers=HEADERS,
        rows=[],  # no example row: it would be imported as a student
        text_columns={index[f] for f in ("nisn", "nik", "phone", "class_name", "school_year")},
        date_columns={index["birth_date"]},
        validations={
            index["sex"]: ["L", "P"],
            index["concentration"]: [concentration_option(c) for c in concentrations],
        },
        widths={index["full_name"]: 30, index["address"]: 40, index["concentration"]: 40},
    )
    _guidance_sheet(workbook, school, concentrations)
    return workbook


def _guidance(field: str) -> str:
    return str(
        {
            "full_name": _("As on the birth certificate."),
            "nisn": _("10 digits. Keep the column as Text so leading zeros stay."),
            "nik": _("16 digits, from the family card (KK). Never type it as a number."),
            "birth_place": _("City or regency of birth."),
            "birth_date": _("DD/MM/YYYY, e.g. 13/11/2008."),
            "sex": _("L (Laki-laki) or P (Perempuan)."),
            "address": _("Optional."),
            "phone": _("Optional. e.g. 081234567890."),
            "email": _("Optional."),
            "concentration": _("Choose from the list (abbreviation or name also accepted)."),
            "class_name": _("As the school names it, e.g. XII TKJ 2. It starts with the grade."),
            "school_year": _("e.g. 2025/2026. Empty: the current school year."),
            "graduation_year": _("Optional. e.g. 2026."),
        }[field]
    )


def _guidance_sheet(workbook, school: School, concentrations: list[Concentration]) -> None:
    # Laid out down the page, never as a header row, so the reader can't mistake it for data.
    sheet = workbook.create_sheet("Petunjuk")
    sheet.append([escape_cell(gettext("Student import template: %(school)s") % {"school": school})])
    sheet.append([gettext("Fill in the first sheet, one student per row, from row 2.")])
    sheet.append([gettext("An empty optional cell keeps what is already on record.")])
    sheet.append([])
    sheet.append([gettext("Column"), gettext("Required"), gettext("What to write")])
    for field in FIELDS:
        required = gettext("yes") if field in REQUIRED else gettext("no")
        sheet.append([LABELS[field], required, _guidance(field)])
    sheet.append([])
    sheet.append([gettext("Concentrations of this school")])
    for concentration in concentrations:
        sheet.append([escape_cell(concentration_option(concentration))])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
