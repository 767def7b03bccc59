"""Importing an LSP's assessors from Excel: preview every row, then commit all or nothing.

The preview stores the cleaned rows in an ImportBatch; the commit writes exactly those rows. A row
is either a new assessor ("create"), or an assessor already registered for another LSP whose NIK
and MET number both match ("link": the commit adds this LSP to their LSPs and changes nothing
else), or an error. A NIK or MET number that matches someone else tells nothing about that person.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from lsp.models import AuditEntry, ImportBatch, Lsp, School
from lsp.signals import figures_changed
from lsp.spreadsheets import (
    CellError,
    build_workbook,
    clean_date,
    clean_digits,
    clean_text,
    escape_cell,
)
from lsp.validators import normalise_phone

from ..models import Assessor, AssessorCertificate, default_valid_until
from ..validators import MET_EXAMPLE, normalise_met
from .roles import sync_roles

KIND = "assessors"
MAX_ROWS = 2000  # a province's assessors; beyond that the preview page is no longer readable
ACTIONS = ("create", "link", "error")

# Field → accepted headers; the first is the template's. LSPs' own lists use the others.
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("Nama Lengkap", "Nama", "Nama Asesor", "Nama Lengkap Asesor"),
    "nik": ("NIK", "No. KTP", "NIK Asesor", "Nomor Induk Kependudukan"),
    "met_number": (
        "No. Registrasi MET",
        "No Registrasi MET",
        "Nomor Registrasi MET",
        "No. Reg. MET",
        "No Reg MET",
        "No. MET",
        "No MET",
        "Nomor MET",
        "MET",
        "No. Registrasi",
        "Nomor Registrasi",
    ),
    "email": ("Email", "E-mail", "Surel", "Alamat Email"),
    "phone": ("No. HP", "No HP", "HP", "Telepon", "No. Telepon", "Nomor HP", "No. WA", "WA"),
    "npsn": ("NPSN Sekolah Asal", "NPSN", "NPSN Sekolah", "Sekolah Asal (NPSN)"),
    "certificate_number": (
        "No. Sertifikat Asesor",
        "No Sertifikat Asesor",
        "Nomor Sertifikat Asesor",
        "No. Sertifikat",
        "Nomor Sertifikat",
    ),
    "issued_on": (
        "Tanggal Terbit Sertifikat",
        "Tanggal Terbit",
        "Tgl Terbit",
        "Tgl. Terbit",
        "Tanggal Sertifikat",
    ),
    "valid_until": (
        "Berlaku Sampai",
        "Berlaku Hingga",
        "Masa Berlaku",
        "Tanggal Berakhir",
        "Tanggal Kedaluwarsa",
    ),
}
HEADERS = [names[0] for names in COLUMNS.values()]
FIELDS = list(COLUMNS)
LABELS = {field: names[0] for field, names in COLUMNS.items()}  # how the admin's file names it
REQUIRED = {"full_name", "nik", "met_number"}
CERTIFICATE_FIELDS = ("certificate_number", "issued_on", "valid_until")


class AssessorImportError(ImportRefused):
    """A preview or commit that cannot go ahead; `code` for callers and tests."""

    MESSAGES = {
        **ImportRefused.MESSAGES,
        "not_allowed": _("You may not import assessors into this LSP."),
    }


@dataclass(frozen=True)
class CommitResult:
    created: int
    linked: int
    certificates: int


# --- reading one row ------------------------------------------------------------------------------
class _RowChecker:
    """Cleans one row's cells; what it cannot trust becomes an error on that field."""

    def __init__(self, *, schools: dict[str, int], today: datetime.date):
        self.schools = schools  # NPSN → school pk, for the NPSNs the file names
        self.today = today

    def check(self, raw: dict[str, Any]) -> dict:
        values, errors, codes, notes, shown = {}, {}, {}, {}, {}
        for field in FIELDS:
            cell = raw.get(field)
            try:
                values[field] = getattr(self, f"_{field}")(cell)
            except CellError as error:
                errors[field], codes[field] = str(error.message), error.code
                shown[field] = clean_text(cell)
        values["home_school_id"] = self.schools.get(values.get("npsn"))
        row = {"values": values, "errors": errors, "codes": codes, "notes": notes, "raw": shown}
        self._certificate(row)
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

    def _full_name(self, cell):
        return self._text(cell, max_length=150, required=True)

    def _nik(self, cell):
        return clean_digits(cell, length=16)

    def _met_number(self, cell):
        text = clean_text(cell)
        if not text:
            raise CellError("required", _("This cell is empty."))
        try:
            return normalise_met(text)
        except ValidationError:
            message = _("“%(value)s” is not a MET number: write it as %(example)s.")
            raise CellError("bad_met", message, value=text, example=MET_EXAMPLE) from None

    def _email(self, cell):
        email = self._text(cell, max_length=254, required=False)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                message = _("“%(value)s” is not an e-mail address.")
                raise CellError("bad_email", message, value=email) from None
        return email

    def _phone(self, cell):
        text = clean_text(cell)
        if not text:
            return ""
        try:
            return normalise_phone(text)
        except ValidationError:
            message = _("“%(value)s” is not an Indonesian phone number (e.g. 081234567890).")
            raise CellError("bad_phone", message, value=text) from None

    def _npsn(self, cell):
        if not clean_text(cell):
            return None
        npsn = clean_digits(cell, length=8)
        if npsn not in self.schools:
            message = _("No school with NPSN %(npsn)s is on record.")
            raise CellError("unknown_school", message, npsn=npsn)
        return npsn

    def _certificate_number(self, cell):
        return self._text(cell, max_length=100, required=False)

    def _issued_on(self, cell):
        if not clean_text(cell):
            return None
        day = clean_date(cell)
        if day > self.today:
            raise CellError("future_date", _("The issue date cannot be in the future."))
        return day.isoformat()

    def _valid_until(self, cell):
        return clean_date(cell).isoformat() if clean_text(cell) else None

    def _certificate(self, row: dict) -> None:
        """A certificate needs its number and issue date; validity defaults to three years."""
        values = row["values"]
        number, issued, until = (values.get(f) for f in CERTIFICATE_FIELDS)
        if "certificate_number" in values and not number and (issued or until):
            message = _("The certificate has dates but no number.")
            refuse(row, "certificate_number", "required", message)
        if number and "issued_on" in values and not issued:
            message = _("The certificate number needs the issue date.")
            refuse(row, "issued_on", "required", message)
        if not (number and issued) or row["errors"].keys() & set(CERTIFICATE_FIELDS):
            return
        issued_on = datetime.date.fromisoformat(issued)
        if until is None:
            valid_until = default_valid_until(issued_on)
            values["valid_until"] = valid_until.isoformat()
            note = _("Empty: three years after the issue date, %(date)s.")
            row["notes"]["valid_until"] = str(note) % {"date": formats.date_format(valid_until)}
        elif datetime.date.fromisoformat(until) <= issued_on:
            message = _("The end of validity must come after the issue date.")
            refuse(row, "valid_until", "not_after_issue", message)


# --- checks against the records -------------------------------------------------------------------
def _schools(sheet_rows) -> dict[str, int]:
    """NPSN → school pk for the NPSNs the file names: one query for the whole file."""
    npsns = set()
    for row in sheet_rows:
        try:
            npsns.add(clean_digits(row.values.get("npsn"), length=8))
        except CellError:
            continue
    return dict(School.objects.filter(npsn__in=npsns).values_list("npsn", "pk"))


def _match_on_record(rows: list[dict], lsp: Lsp) -> None:
    niks = {r["values"]["nik"] for r in rows if r["values"].get("nik")}
    mets = {r["values"]["met_number"] for r in rows if r["values"].get("met_number")}
    found = list(
        Assessor.objects.filter(Q(nik__in=niks) | Q(met_number__in=mets)).only(
            "pk", "full_name", "nik", "met_number"
        )
    )
    by_nik = {a.nik: a for a in found}
    by_met = {a.met_number: a for a in found}
    serving = set(
        Assessor.lsps.through.objects.filter(
            assessor_id__in=[a.pk for a in found], lsp_id=lsp.pk
        ).values_list("assessor_id", flat=True)
    )
    numbers = {r["values"].get("certificate_number") for r in rows} - {"", None}
    certificates = dict(
        AssessorCertificate.objects.filter(number__in=numbers).values_list("number", "assessor_id")
    )
    for row in rows:
        values = row["values"]
        same_nik, same_met = by_nik.get(values.get("nik")), by_met.get(values.get("met_number"))
        link = False
        if same_nik is not None and same_nik == same_met:
            if same_nik.pk in serving:
                message = _("This assessor is already registered in this LSP: %(name)s.")
                refuse(row, "nik", "already_in_lsp", message % {"name": same_nik.full_name})
            else:
                link = True
        else:
            _refuse_on_record(row, "nik", same_nik, serving)
            _refuse_on_record(row, "met_number", same_met, serving)
        number = values.get("certificate_number")
        if number in certificates and not (link and certificates[number] == same_nik.pk):
            message = _("This certificate number is already on record.")
            refuse(row, "certificate_number", "on_record", message)
        if row["errors"]:
            row["action"] = "error"
        elif link:
            _link(row, same_nik, certificate_known=number in certificates)
        else:
            row["action"] = "create"


def _link(row: dict, assessor: Assessor, *, certificate_known: bool) -> None:
    """Someone registered for another LSP: only this LSP is added; the rest of the row is unused."""
    row["action"], row["pk"] = "link", assessor.pk
    notes = row["notes"]
    notes.pop("valid_until", None)
    message = _("Registered for another LSP: only this LSP is added, the other cells are not used.")
    notes["met_number"] = str(message)
    if row["values"].get("certificate_number") and not certificate_known:
        message = _("Not saved for an assessor already registered: add it on their page.")
        notes["certificate_number"] = str(message)


def _refuse_on_record(row: dict, field: str, assessor, serving: set[int]) -> None:
    if assessor is None:
        return
    if assessor.pk in serving:
        # One of this LSP's own assessors: the admin may see who it is.
        messages = {
            "nik": _("This NIK is already registered in this LSP, for %(name)s (%(met)s)."),
            "met_number": _("This MET number is already registered in this LSP, for %(name)s."),
        }
        params = {"name": assessor.full_name, "met": assessor.met_number}
        refuse(row, field, "already_in_lsp", messages[field] % params)
    else:
        # Someone the admin may not see: say so, name nothing.
        messages = {
            "nik": _("This NIK is already registered for another assessor."),
            "met_number": _("This MET number is already registered for another assessor."),
        }
        refuse(row, field, "on_record_elsewhere", messages[field])


# --- the workflow ---------------------------------------------------------------------------------
def importable_lsps(user):
    """The LSPs whose assessors the user may import: those they administer; any for a superuser."""
    return Lsp.objects.editable_by(user)


def preview_assessors(*, lsp, file, filename, user, today=None) -> ImportBatch:
    """Read and check every row of the file; save them, unwritten, in a batch to preview."""
    if not importable_lsps(user).filter(pk=lsp.pk).exists():
        raise AssessorImportError("not_allowed")
    today = today or timezone.localdate()
    sheet_rows, file_errors = read_sheet(
        file,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        empty_message=_("The file has no assessor rows under the header row."),
    )
    checker = _RowChecker(schools=_schools(sheet_rows), today=today)
    rows = [{"number": r.number, **checker.check(r.values)} for r in sheet_rows]
    # The later of two rows with the same NIK, MET or certificate number names the earlier one.
    mark_duplicates_in_file(rows, ("nik", "met_number", "certificate_number"), LABELS)
    if rows:
        _match_on_record(rows, lsp)
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


def commit_assessors(*, batch, user) -> CommitResult:
    """Write the previewed rows, all or nothing; a second commit of the batch does nothing.

    A NIK, MET or certificate number taken since the preview raises "stale": nothing is written,
    the batch stays a preview.
    """
    lsp_pk = batch.target.get("lsp")
    allowed = lsp_pk == batch.lsp_id and importable_lsps(user).filter(pk=lsp_pk).exists()
    check_committable(batch, kind=KIND, user=user, allowed=allowed, error=AssessorImportError)
    return commit_once(batch, lambda now: _commit(batch, user, lsp_pk), error=AssessorImportError)


def _commit(batch: ImportBatch, user, lsp_pk: int) -> CommitResult:
    new = [r for r in batch.rows if r["action"] == "create"]
    linked = [r for r in batch.rows if r["action"] == "link"]
    created = _create(new)
    certified = [r for r in new if r["values"].get("certificate_number")]
    AssessorCertificate.objects.bulk_create(
        [_certificate(created[r["values"]["nik"]], r["values"]) for r in certified],
        batch_size=500,
    )
    linked_assessors = _linked(linked)
    served = [a.pk for a in created.values()] + [a.pk for a in linked_assessors]
    Through = Assessor.lsps.through
    # A link made since the preview breaks the unique pair: IntegrityError, so "stale".
    Through.objects.bulk_create(
        [Through(assessor_id=pk, lsp_id=lsp_pk) for pk in served], batch_size=500
    )
    for assessor in linked_assessors:
        if assessor.user_id:  # new assessors have no account yet; linked ones may
            sync_roles(assessor)
    # bulk_create sends no model signal (new assessors have no kept standing yet): the
    # dashboards' assessor figures are told here.
    figures_changed.send(Assessor, session_ids=[])
    _audit(batch, user, lsp_pk, new, certified, linked)
    return CommitResult(created=len(new), linked=len(linked), certificates=len(certified))


def _create(rows: list[dict]) -> dict[str, Assessor]:
    """The new assessors by NIK, with their primary keys."""
    assessors = Assessor.objects.bulk_create(
        [
            Assessor(
                full_name=r["values"]["full_name"],
                nik=r["values"]["nik"],
                met_number=r["values"]["met_number"],
                email=r["values"]["email"],
                phone=r["values"]["phone"],
                home_school_id=r["values"]["home_school_id"],
            )
            for r in rows
        ],
        batch_size=500,
    )
    if any(a.pk is None for a in assessors):  # a database that does not return new keys
        assessors = Assessor.objects.filter(nik__in=[a.nik for a in assessors])
    return {a.nik: a for a in assessors}


def _certificate(assessor: Assessor, values: dict) -> AssessorCertificate:
    # bulk_create skips save(), which fills the default validity: the preview already did.
    return AssessorCertificate(
        assessor=assessor,
        number=values["certificate_number"],
        issued_on=datetime.date.fromisoformat(values["issued_on"]),
        valid_until=datetime.date.fromisoformat(values["valid_until"]),
        kind=AssessorCertificate.Kind.INITIAL,
    )


def _linked(rows: list[dict]) -> list[Assessor]:
    """The assessors to link, still as previewed (same NIK and MET number), or "stale"."""
    wanted = {r["pk"]: r["values"] for r in rows}
    found = list(Assessor.objects.filter(pk__in=wanted).only("pk", "nik", "met_number", "user"))
    if len(found) != len(wanted) or any(
        (a.nik, a.met_number) != (wanted[a.pk]["nik"], wanted[a.pk]["met_number"]) for a in found
    ):
        raise AssessorImportError("stale")
    return found


def _who(row: dict) -> str:
    return f"{row['values']['met_number']} {row['values']['full_name']}"


def _audit(batch, user, lsp_pk, new, certified, linked) -> None:
    """One entry per kind of write, not one per assessor: bulk writes send no signals."""
    common = {"actor": user, "lsp_ids": {lsp_pk}}
    if new:
        write_entry(
            action=AuditEntry.Action.CREATE,
            label=f"Impor {batch.filename}: {len(new)} asesor baru",
            changes={"asesor": {"added": [_who(r) for r in new]}},
            **common,
        )
    if certified:
        write_entry(
            action=AuditEntry.Action.CREATE,
            label=f"Impor {batch.filename}: {len(certified)} sertifikat asesor",
            changes={
                "sertifikat asesor": {
                    "added": [f"{r['values']['certificate_number']} · {_who(r)}" for r in certified]
                }
            },
            **common,
        )
    if linked:
        write_entry(
            action=AuditEntry.Action.UPDATE,
            label=f"Impor {batch.filename}: {len(linked)} asesor ditambahkan ke LSP",
            changes={"lsps": {"added": [_who(r) for r in linked]}},
            **common,
        )


# --- the template ---------------------------------------------------------------------------------
def assessor_template(*, lsp: Lsp):
    """The empty workbook an LSP fills in: Text ID columns, date columns, a guidance sheet."""
    index = {field: i for i, field in enumerate(FIELDS)}
    workbook = build_workbook(
        title="Asesor",
        headers=HEADERS,
        rows=[],  # no example row: it would be imported as an assessor
        text_columns={
            index[f] for f in ("nik", "met_number", "phone", "npsn", "certificate_number")
        },
        date_columns={index["issued_on"], index["valid_until"]},
        widths={index["full_name"]: 30, index["met_number"]: 24, index["email"]: 28},
    )
    _guidance_sheet(workbook, lsp)
    return workbook


def _guidance(field: str) -> str:
    return str(
        {
            "full_name": _("As on the BNSP assessor certificate."),
            "nik": _("16 digits, from the identity card (KTP). Never type it as a number."),
            "met_number": _("As on the certificate, e.g. %(example)s.") % {"example": MET_EXAMPLE},
            "email": _("Optional."),
            "phone": _("Optional. e.g. 081234567890."),
            "npsn": _("Optional. The 8-digit NPSN of the school where the assessor teaches."),
            "certificate_number": _("Optional. The number of the current assessor certificate."),
            "issued_on": _("Required with a certificate number. DD/MM/YYYY, e.g. 13/11/2024."),
            "valid_until": _("Optional. Empty: three years after the issue date."),
        }[field]
    )


def _guidance_sheet(workbook, lsp: Lsp) -> None:
    # Laid out down the page, never as a header row, so the reader can't mistake it for data.
    sheet = workbook.create_sheet("Petunjuk")
    sheet.append([escape_cell(gettext("Assessor import template: %(lsp)s") % {"lsp": lsp})])
    sheet.append([gettext("Fill in the first sheet, one assessor per row, from row 2.")])
    sheet.append(
        [
            gettext(
                "An assessor already registered for another LSP, with the same NIK and MET "
                "number, is added to this LSP; nothing else about them changes."
            )
        ]
    )
    sheet.append([])
    sheet.append([gettext("Column"), gettext("Required"), gettext("What to write")])
    for field in FIELDS:
        required = gettext("yes") if field in REQUIRED else gettext("no")
        sheet.append([LABELS[field], required, _guidance(field)])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
