"""What every all-or-nothing Excel import shares: rows in an ImportBatch, previewed, then committed.

An import reads the file (`read_sheet`), checks each row into `{"number", "values", "errors",
"codes", "notes", "raw", "action"}`, refuses what it cannot trust (`refuse`,
`mark_duplicates_in_file`) and stores the rows in an ImportBatch. The commit (`check_committable`,
`commit_once`) writes exactly those rows inside one transaction, claimed so that a double click
writes nothing twice. The preview pages share `preview_rows`, `filters` and the
`templates/includes/import_*.html` partials.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .access import get_visible_or_404, is_lsp_admin
from .models import ImportBatch
from .spreadsheets import SpreadsheetError, read_rows


class ImportRefused(Exception):
    """A preview or commit that cannot go ahead; `code` for callers and tests."""

    MESSAGES = {
        "not_allowed": _("You may not import into this LSP."),
        "has_errors": _("Some rows have errors. Fix the file and upload it again."),
        "already_committed": _("This file has already been saved."),
        "stale": _(
            "The records changed since this preview (another import or edit). "
            "Upload the file again."
        ),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(self.message)


# --- reading and checking rows --------------------------------------------------------------------
def read_sheet(
    file, *, columns: Mapping, required: Collection[str], max_rows: int, empty_message
) -> tuple[list, list[str]]:
    """The file's rows, or no rows and the errors about the file as a whole."""
    try:
        rows = read_rows(file, columns=columns, required=required)
    except SpreadsheetError as error:
        return [], [str(error.message)]
    if not rows:
        return [], [str(empty_message)]
    if len(rows) > max_rows:
        message = gettext("The file has %(count)s rows; import at most %(max)s at a time.")
        return [], [message % {"count": len(rows), "max": max_rows}]
    return rows, []


def refuse(row: dict, field: str, code: str, message) -> None:
    """An error on a field that has none yet: the first problem found is the one to fix."""
    if field not in row["errors"]:
        row["errors"][field], row["codes"][field] = str(message), code


def mark_duplicates_in_file(
    rows: list[dict], fields: Sequence[str], labels: Mapping[str, str]
) -> None:
    """The later of two rows with the same value in one of `fields` is refused, naming the first."""
    for field in fields:
        first: dict[Any, int] = {}
        for row in rows:
            value = row["values"].get(field)
            if value in (None, ""):
                continue
            if value in first:
                message = _("Same %(label)s as row %(row)s.")
                params = {"label": labels[field], "row": first[value]}
                refuse(row, field, "duplicate_in_file", message % params)
            else:
                first[value] = row["number"]


def summarise(batch: ImportBatch, actions: Sequence[str]) -> dict[str, int]:
    """{action: rows}, every action of the import included, zeros too."""
    counts = dict.fromkeys(actions, 0)
    for row in batch.rows:
        counts[row["action"]] = counts.get(row["action"], 0) + 1
    return counts


# --- committing -----------------------------------------------------------------------------------
def check_committable(
    batch: ImportBatch, *, kind: str, user, allowed: bool = True, error=ImportRefused
) -> None:
    """Raise `error(code)` unless the user may commit this batch now."""
    if (
        batch.kind != kind
        or not allowed
        or not ImportBatch.objects.editable_by(user).filter(pk=batch.pk).exists()
    ):
        raise error("not_allowed")
    if batch.status != ImportBatch.Status.PREVIEW:
        raise error("already_committed")
    if batch.has_errors:
        raise error("has_errors")


def commit_once(batch: ImportBatch, write: Callable[[Any], Any], *, error=ImportRefused):
    """Claim the batch and run `write(now)` in one transaction: all or nothing, at most once.

    A unique value taken since the preview (IntegrityError) rolls everything back, the claim too,
    and raises `error("stale")`; the batch stays a preview.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            # The claim: of two requests (a double click), only one finds the batch a preview.
            claimed = ImportBatch.objects.filter(
                pk=batch.pk, status=ImportBatch.Status.PREVIEW
            ).update(status=ImportBatch.Status.COMMITTED, committed_at=now)
            if not claimed:
                raise error("already_committed")
            result = write(now)
    except IntegrityError:
        raise error("stale") from None
    batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, now
    return result


# --- pages ----------------------------------------------------------------------------------------
RECENT_BATCHES = 20


def require_admin(user) -> None:
    """Import pages are for LSP admins (and the superuser): the rows are personal data."""
    if not is_lsp_admin(user):
        raise PermissionDenied


def batch_for(user, pk, *, kind: str) -> ImportBatch:
    """403 for a non-admin, 404 for a batch of another LSP."""
    require_admin(user)
    return get_visible_or_404(ImportBatch.objects.filter(kind=kind), user, pk=pk)


def recent_batches(user, *, kind: str, limit: int = RECENT_BATCHES) -> list[ImportBatch]:
    # The rows are the bulk of a batch and the list does not need them.
    return list(
        ImportBatch.objects.for_user(user)
        .filter(kind=kind)
        .defer("rows")
        .select_related("created_by")[:limit]
    )


@dataclass(frozen=True)
class Action:
    """How one kind of row shows on the preview: its count card, filter pill and row badge."""

    key: str
    label: Any  # the count card and the filter pill
    badge: Any  # on the row
    colour: str  # Bootstrap's: success, primary, secondary, danger, info


def preview_context(batch: ImportBatch, actions: Sequence[Action], show: str | None) -> dict:
    """What the shared partials need: counts, cards, filter pills and the selected filter.

    Cards in the order of `actions`; filter pills "all" then errors first, as the admin fixes them.
    """
    counts = summarise(batch, [a.key for a in actions])
    keys = {a.key for a in actions}
    show = show if show in keys else "all"
    cards = [
        {"key": a.key, "label": a.label, "colour": a.colour, "count": counts[a.key]}
        for a in actions
    ]
    pills = [{"key": "all", "label": _("all"), "count": None}]
    pills += [c for c in cards if c["key"] == "error"] + [c for c in cards if c["key"] != "error"]
    return {
        "counts": counts,
        "cards": cards,
        "pills": pills,
        "show": show,
        "may_commit": batch.status == ImportBatch.Status.PREVIEW and not batch.has_errors,
    }


def shown_rows(batch: ImportBatch, show: str) -> list[dict]:
    return [r for r in batch.rows if show == "all" or r["action"] == show]


def badge(actions: Sequence[Action], key: str) -> dict:
    """The row's badge for the rows partial: {"badge": label, "colour": colour}."""
    action = next(a for a in actions if a.key == key)
    return {"badge": action.badge, "colour": action.colour}
