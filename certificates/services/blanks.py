"""BNSP blank (blanko) numbers: recorded against each certificate, by hand or from BNSP's Excel.

BNSP returns the numbered blanks with a list: "No. Sertifikat" and "No. Blanko" per row. The import
checks every row against the LSP's certificates (the shared machinery of `lsp/imports.py`) and
writes exactly the previewed rows, all or nothing, once. A blank number belongs to one certificate
of the LSP.
"""

from django.db.models import Q
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
from lsp.models import AuditEntry, ImportBatch, Lsp
from lsp.spreadsheets import clean_text

from ..models import Certificate

KIND = "certificate_blanks"
MAX_ROWS = 5000
MAX_LENGTH = Certificate._meta.get_field("blank_number").max_length
ACTIONS = ("set", "change", "same", "error")

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": (
        "No. Sertifikat",
        "No Sertifikat",
        "Nomor Sertifikat",
        "No. Sertifikat Kompetensi",
        "Certificate Number",
    ),
    "blank": ("No. Blanko", "No Blanko", "Nomor Blanko", "Blanko", "No. Seri Blanko"),
    "name": ("Nama", "Nama Lengkap", "Nama Asesi", "Nama Peserta"),
}
LABELS = {field: names[0] for field, names in COLUMNS.items()}
REQUIRED = {"number", "blank"}


class BlankImportError(ImportRefused):
    MESSAGES = {
        **ImportRefused.MESSAGES,
        "not_allowed": _("You may not record blank numbers for this LSP."),
    }


def normalise(value) -> str:
    """Spaces collapsed: '62019  3512 2 …' is the number printed with single spaces."""
    return clean_text(value)


def importable_lsps(user):
    """The LSPs whose certificates' blank numbers the user may record: those they administer."""
    return Lsp.objects.editable_by(user)


def blank_taken(lsp_id: int, blank: str, *, exclude_pk=None) -> Certificate | None:
    """Another certificate of the LSP that already has this blank number."""
    taken = Certificate.objects.filter(lsp_id=lsp_id, blank_number=blank)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.only("pk", "number").first()


# --- the preview ----------------------------------------------------------------------------------
def _check(raw: dict) -> dict:
    values, errors, codes, shown = {}, {}, {}, {}
    row = {"values": values, "errors": errors, "codes": codes, "notes": {}, "raw": shown}
    values["name"] = clean_text(raw.get("name"))[:150]
    for field in ("number", "blank"):
        text = normalise(raw.get(field))
        shown[field] = text
        if not text:
            refuse(row, field, "required", _("This cell is empty."))
        elif len(text) > (80 if field == "number" else MAX_LENGTH):
            message = _("At most %(max)s characters; found %(found)s.")
            max_length = 80 if field == "number" else MAX_LENGTH
            refuse(row, field, "too_long", message % {"max": max_length, "found": len(text)})
        else:
            values[field] = text
    return row


def _against_records(rows: list[dict], lsp: Lsp) -> None:
    """Each number is one of the LSP's certificates; each blank is no other certificate's."""
    numbers = {r["values"]["number"] for r in rows if "number" in r["values"]}
    blanks = {r["values"]["blank"] for r in rows if "blank" in r["values"]}
    found = Certificate.objects.filter(lsp=lsp).filter(
        Q(number__in=numbers) | Q(blank_number__in=blanks)
    )
    by_number, by_blank = {}, {}
    for pk, number, blank, name, status in found.values_list(
        "pk", "number", "blank_number", "holder_name", "status"
    ):
        if number in numbers:
            by_number[number] = (pk, blank, name, status)
        if blank in blanks:
            by_blank[blank] = (pk, number)
    # A blank moving from one certificate to another in the same file is still refused: BNSP
    # gives each blank once, so the file or the record is wrong and the admin should look.
    for row in rows:
        values = row["values"]
        number, blank = values.get("number"), values.get("blank")
        record = by_number.get(number) if number else None
        if number and record is None:
            message = _("No certificate of %(lsp)s has this number.") % {"lsp": lsp.name}
            refuse(row, "number", "unknown_number", message)
        if record is not None:
            pk, current, name, status = record
            values.update(certificate_id=pk, current=current, holder_name=name)
            if status == Certificate.Status.REVOKED:
                row["notes"]["number"] = str(_("This certificate is revoked."))
        if blank and blank in by_blank and (record is None or by_blank[blank][0] != record[0]):
            message = _("This blank number is already recorded for certificate %(number)s.")
            refuse(row, "blank", "blank_taken", message % {"number": by_blank[blank][1]})


def _action(row: dict) -> str:
    if row["errors"]:
        return "error"
    values = row["values"]
    if not values["current"]:
        return "set"
    if values["current"] == values["blank"]:
        return "same"
    row["notes"]["blank"] = gettext("Replaces %(old)s.") % {"old": values["current"]}
    return "change"


def preview_blanks(*, lsp: Lsp, file, filename: str, user) -> ImportBatch:
    """Read and check every row of BNSP's file; store them, unwritten, in a batch to preview."""
    if not importable_lsps(user).filter(pk=lsp.pk).exists():
        raise BlankImportError("not_allowed")
    sheet_rows, file_errors = read_sheet(
        file,
        columns=COLUMNS,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        empty_message=_("The file has no rows under the header row."),
    )
    rows = [{"number": r.number, **_check(r.values)} for r in sheet_rows]
    mark_duplicates_in_file(rows, ["number", "blank"], LABELS)
    if rows:
        _against_records(rows, lsp)
    for row in rows:
        row["action"] = _action(row)
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


# --- the commit -----------------------------------------------------------------------------------
def commit_blanks(*, batch: ImportBatch, user) -> int:
    """Write the previewed blank numbers, all or nothing; a second commit does nothing.

    A certificate whose blank number changed since the preview, or a blank number recorded for
    another certificate since, raises "stale": nothing is written, the batch stays a preview.
    """
    lsp_pk = batch.target.get("lsp")
    allowed = lsp_pk == batch.lsp_id and importable_lsps(user).filter(pk=lsp_pk).exists()
    check_committable(batch, kind=KIND, user=user, allowed=allowed, error=BlankImportError)
    return commit_once(batch, lambda now: _commit(batch, user, lsp_pk), error=BlankImportError)


def _commit(batch: ImportBatch, user, lsp_pk: int) -> int:
    rows = [r["values"] for r in batch.rows if r["action"] in ("set", "change")]
    wanted = {v["certificate_id"]: v for v in rows}
    certificates = list(
        Certificate.objects.select_for_update()
        .filter(lsp_id=lsp_pk, pk__in=wanted)
        .only("pk", "number", "blank_number")
    )
    if len(certificates) != len(wanted):
        raise BlankImportError("stale")
    blanks = {v["blank"] for v in rows}
    elsewhere = (
        Certificate.objects.filter(lsp_id=lsp_pk, blank_number__in=blanks)
        .exclude(pk__in=wanted)
        .exists()
    )
    if elsewhere or any(c.blank_number != wanted[c.pk]["current"] for c in certificates):
        raise BlankImportError("stale")  # inside the claim's transaction: it is rolled back
    changes = []
    for certificate in certificates:
        new = wanted[certificate.pk]["blank"]
        changes.append(f"{certificate.number}: {certificate.blank_number or '—'} → {new}")
        certificate.blank_number = new
    Certificate.objects.bulk_update(certificates, ["blank_number"], batch_size=500)
    if certificates:  # bulk writes send no signals: one entry for the file
        write_entry(
            action=AuditEntry.Action.UPDATE,
            label=f"Impor {batch.filename}: {len(certificates)} nomor blanko sertifikat",
            changes={"blank_number": changes},
            actor=user,
            lsp_ids={lsp_pk},
        )
    return len(certificates)
