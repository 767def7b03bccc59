"""A scheme's units, elements and KUK: imported from the spreadsheet LSPs keep them in.

Two steps over one ImportBatch. `preview_scheme_units` reads and checks every row and stores the
rows; `commit_scheme_units` writes exactly those rows, all or nothing, at most once. The writers
(`replace_unit_elements`, `set_scheme_units`) change rows only where they differ, so importing the
same file again changes nothing; the demo data and the scheme form use them too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lsp.models import ImportBatch
from lsp.spreadsheets import Row, SpreadsheetError, clean_text, read_rows

from ..models import Criterion, Element, Scheme, SchemeUnit, Unit
from ..validators import unit_code_validator

KIND = "scheme_units"
MAX_ROWS = 3000  # a scheme has tens of units and a few hundred KUK; more is the wrong file

# The first header of each column is the one the template uses and error messages name.
COLUMNS = {
    "unit_code": ("Kode Unit", "Kode Unit Kompetensi"),
    "unit_title": ("Judul Unit", "Judul Unit Kompetensi"),
    "unit_title_en": ("Judul Unit (EN)", "Judul Unit Kompetensi (EN)", "Unit Title"),
    "element": ("Elemen", "Elemen Kompetensi"),
    "criterion": ("KUK", "Kriteria Unjuk Kerja"),
}
REQUIRED = {"unit_code", "unit_title", "element", "criterion"}
MAX_LENGTHS = {"unit_title": 300, "unit_title_en": 300, "element": 500}


class SchemeImportError(Exception):
    """A commit that cannot go ahead; `code` is for callers and tests, `message` for users."""

    HAS_ERRORS = "has_errors"
    ALREADY_COMMITTED = "already_committed"
    NOT_ALLOWED = "not_allowed"

    def __init__(self, code: str, message: Any):
        self.code = code
        self.message = message
        super().__init__(message)


MESSAGES = {
    SchemeImportError.HAS_ERRORS: gettext_lazy(
        "The file still has problems. Fix them and upload it again."
    ),
    SchemeImportError.ALREADY_COMMITTED: gettext_lazy("This import has already been saved."),
    SchemeImportError.NOT_ALLOWED: gettext_lazy("You may not change this scheme."),
}


# --- Step 1: read and check -----------------------------------------------------------------------
def preview_scheme_units(*, scheme: Scheme, file: Any, user: Any) -> ImportBatch:
    """Read the file, check every row, and keep the result as a batch waiting to be committed.

    Messages are stored translated, in the language of the admin who uploaded (who reads them).
    """
    rows, file_errors = _read(file)
    checked = _RowChecker().check_all(rows)
    _mark_actions(checked, lsp_id=scheme.lsp_id)
    return ImportBatch.objects.create(
        kind=KIND,
        lsp_id=scheme.lsp_id,
        created_by=user,
        filename=str(getattr(file, "name", "") or "")[-255:],
        target={"scheme": scheme.pk},
        rows=checked,
        errors=file_errors,
    )


def _read(file: Any) -> tuple[list[Row], list[str]]:
    try:
        rows = read_rows(file, columns=COLUMNS, required=REQUIRED)
    except SpreadsheetError as error:
        return [], [str(error.message)]
    if not rows:
        return [], [_("The file has no rows under its header.")]
    if len(rows) > MAX_ROWS:
        message = _("The file has %(count)s rows; one import takes at most %(max)s.")
        return [], [message % {"count": len(rows), "max": MAX_ROWS}]
    return rows, []


def _key(text: str) -> str:
    # "Memasang Jaringan Kabel" and "memasang jaringan  kabel" name the same thing.
    return " ".join(text.split()).casefold()


class _RowChecker:
    """Checks rows in file order, remembering what earlier rows said.

    Files copied from SKKNI documents often have merged cells: the unit code and the element are
    written once and the rows below are empty there. An empty "Kode Unit" (with an empty or the
    same title) continues the unit of the row above; an empty "Elemen" continues the element above.
    """

    def __init__(self):
        self.previous: dict[str, str] | None = None
        self.titles: dict[str, tuple[str, int]] = {}  # unit code → (title, row) first given
        self.titles_en: dict[str, tuple[str, int]] = {}
        self.criteria: dict[tuple[str, str, str], int] = {}  # (code, element, KUK) → row

    def check_all(self, rows: Iterable[Row]) -> list[dict]:
        return [self.check(row) for row in rows]

    def check(self, row: Row) -> dict:
        values = {key: clean_text(row.values.get(key)) for key in COLUMNS}
        values["unit_code"] = "".join(values["unit_code"].split()).upper()
        self._fill_down(values)
        errors = {}
        for check in (self._check_code, self._check_titles, self._check_parts):
            errors.update(check(values, row.number))
        for name, limit in MAX_LENGTHS.items():
            if len(values[name]) > limit and name not in errors:
                errors[name] = _("Too long: at most %(limit)s characters.") % {"limit": limit}
        self.previous = values
        return {"number": row.number, "values": values, "errors": errors, "action": ""}

    def _fill_down(self, values: dict[str, str]) -> None:
        above = self.previous
        if above and not values["unit_code"] and values["unit_title"] in ("", above["unit_title"]):
            values["unit_code"] = above["unit_code"]
            values["unit_title"] = above["unit_title"]
        if above and not values["element"] and values["unit_code"] == above["unit_code"]:
            values["element"] = above["element"]
        code = values["unit_code"]
        # The title is needed once per unit, not on every row of it.
        if not values["unit_title"] and code in self.titles:
            values["unit_title"] = self.titles[code][0]
        if not values["unit_title_en"] and code in self.titles_en:
            values["unit_title_en"] = self.titles_en[code][0]

    def _check_code(self, values: dict[str, str], number: int) -> dict[str, str]:
        code = values["unit_code"]
        if not code:
            return {"unit_code": _("The unit code is missing.")}
        try:
            unit_code_validator(code)
        except ValidationError:
            message = _(
                "“%(code)s” is not a unit code. A unit code looks like J.620100.004.02: "
                "a letter, a dot, then groups of digits and letters separated by dots."
            )
            return {"unit_code": message % {"code": code}}
        return {}

    def _check_titles(self, values: dict[str, str], number: int) -> dict[str, str]:
        code, errors = values["unit_code"], {}
        if not values["unit_title"]:
            errors["unit_title"] = _("The unit title is missing.")
        for name, seen in (("unit_title", self.titles), ("unit_title_en", self.titles_en)):
            title = values[name]
            if not (code and title):
                continue
            first, first_row = seen.setdefault(code, (title, number))
            if _key(first) != _key(title):
                message = _(
                    "Unit %(code)s is titled “%(title)s” on row %(row)s. "
                    "One unit code has one title: make the two rows the same."
                )
                errors[name] = message % {"code": code, "title": first, "row": first_row}
        return errors

    def _check_parts(self, values: dict[str, str], number: int) -> dict[str, str]:
        errors = {}
        if not values["element"]:
            errors["element"] = _("The element is missing.")
        if not values["criterion"]:
            errors["criterion"] = _("The KUK (performance criterion) is missing.")
        elif values["element"]:
            key = (values["unit_code"], _key(values["element"]), _key(values["criterion"]))
            first_row = self.criteria.setdefault(key, number)
            if first_row != number:
                message = _("This KUK is already on row %(row)s under the same element.")
                errors["criterion"] = message % {"row": first_row}
        return errors


def _mark_actions(rows: list[dict], *, lsp_id: int) -> None:
    codes = {row["values"]["unit_code"] for row in rows}
    existing = set(
        Unit.objects.filter(lsp_id=lsp_id, code__in=codes).values_list("code", flat=True)
    )
    for row in rows:
        row["action"] = "replace" if row["values"]["unit_code"] in existing else "create"


# --- What the batch would write -------------------------------------------------------------------
@dataclass
class PlannedElement:
    title: str
    criteria: list[str] = field(default_factory=list)


@dataclass
class PlannedUnit:
    code: str
    title: str
    title_en: str = ""
    elements: list[PlannedElement] = field(default_factory=list)
    existing: Unit | None = None
    other_schemes: list[Scheme] = field(default_factory=list)

    @property
    def criteria_count(self) -> int:
        return sum(len(e.criteria) for e in self.elements)

    @property
    def title_changes(self) -> bool:
        return self.existing is not None and self.existing.title != self.title


def plan_units(rows: Iterable[dict]) -> list[PlannedUnit]:
    """The units of the rows without errors, in order of first appearance: elements in order of
    first appearance within their unit, KUK in row order within their element."""
    units: dict[str, PlannedUnit] = {}
    elements: dict[tuple[str, str], PlannedElement] = {}
    for row in rows:
        if row.get("errors"):
            continue
        values = row["values"]
        code = values["unit_code"]
        unit = units.setdefault(code, PlannedUnit(code=code, title=values["unit_title"]))
        unit.title_en = unit.title_en or values.get("unit_title_en", "")
        key = (code, _key(values["element"]))
        if key not in elements:
            elements[key] = PlannedElement(title=values["element"])
            unit.elements.append(elements[key])
        elements[key].criteria.append(values["criterion"])
    return list(units.values())


def plan_batch(batch: ImportBatch, *, scheme: Scheme) -> list[PlannedUnit]:
    """The batch's units with, for the preview, the LSP's existing units of the same code and
    the other schemes that share them (replacing a shared unit's KUK changes those too)."""
    planned = plan_units(batch.rows)
    existing = Unit.objects.filter(lsp_id=batch.lsp_id, code__in=[u.code for u in planned])
    by_code = {unit.code: unit for unit in existing.prefetch_related("schemes")}
    for unit in planned:
        unit.existing = by_code.get(unit.code)
        if unit.existing:
            unit.other_schemes = [s for s in unit.existing.schemes.all() if s.pk != scheme.pk]
    return planned


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


def batch_problems(batch: ImportBatch) -> list[RowProblem]:
    """Every problem by Excel row and column, in file order."""
    order = list(COLUMNS)
    problems = [
        RowProblem(row["number"], COLUMNS.get(name, (name,))[0], message)
        for row in batch.rows
        for name, message in sorted(
            row.get("errors", {}).items(),
            key=lambda item: order.index(item[0]) if item[0] in order else len(order),
        )
    ]
    return sorted(problems, key=lambda p: p.row)


# --- Step 2: write --------------------------------------------------------------------------------
@dataclass
class ImportOutcome:
    units_created: int = 0
    units_replaced: int = 0
    changes: int = 0


def commit_scheme_units(*, batch: ImportBatch, user: Any) -> ImportOutcome:
    """Write the batch's units, elements and KUK and make them the scheme's units, in file order.

    All or nothing; a batch with problems is refused, and a batch is written at most once: it is
    claimed with a conditional update inside the transaction, so a second click does nothing.
    """
    with transaction.atomic():
        scheme = (
            Scheme.objects.editable_by(user)
            .filter(pk=batch.target.get("scheme"), lsp_id=batch.lsp_id)
            .select_related("lsp")
            .first()
        )
        if batch.kind != KIND or scheme is None:
            raise _error(SchemeImportError.NOT_ALLOWED)
        if batch.has_errors or not batch.rows:
            raise _error(SchemeImportError.HAS_ERRORS)
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.COMMITTED, committed_at=timezone.now()
        )
        if not claimed:
            raise _error(SchemeImportError.ALREADY_COMMITTED)
        outcome = ImportOutcome()
        units = [_save_unit(scheme, planned, outcome) for planned in plan_units(batch.rows)]
        outcome.changes += set_scheme_units(scheme=scheme, units=units)
    batch.status = ImportBatch.Status.COMMITTED
    return outcome


def _error(code: str) -> SchemeImportError:
    return SchemeImportError(code, MESSAGES[code])


def _save_unit(scheme: Scheme, planned: PlannedUnit, outcome: ImportOutcome) -> Unit:
    unit = Unit.objects.filter(lsp_id=scheme.lsp_id, code=planned.code).first()
    if unit is None:
        unit = Unit.objects.create(
            lsp_id=scheme.lsp_id, code=planned.code, title=planned.title, title_en=planned.title_en
        )
        outcome.units_created += 1
    else:
        outcome.units_replaced += 1
        # An English title left out of the file keeps the one typed in by hand.
        wanted = {"title": planned.title, "title_en": planned.title_en or unit.title_en}
        changed = [name for name, value in wanted.items() if getattr(unit, name) != value]
        if changed:
            for name in changed:
                setattr(unit, name, wanted[name])
            unit.save(update_fields=changed)  # audited: only when something differs
            outcome.changes += 1
    elements = [(e.title, e.criteria) for e in planned.elements]
    outcome.changes += replace_unit_elements(unit=unit, elements=elements)
    return unit


# --- Writers shared with the scheme form and the demo data ----------------------------------------
def replace_unit_elements(*, unit: Unit, elements: Sequence[tuple[str, Sequence[str]]]) -> int:
    """Make the unit's elements and KUK exactly these, numbered 1, 2… in order; returns the
    number of rows written.

    Rows are updated in place by number rather than deleted and recreated, so an unchanged
    element or KUK keeps its identity (and whatever later refers to it).
    """
    current = {e.number: e for e in unit.elements.prefetch_related("criteria")}
    changes = 0
    for number, (title, texts) in enumerate(elements, start=1):
        element = current.get(number)
        if element is None:
            element = Element.objects.create(unit=unit, number=number, title=title)
            changes += 1
            existing_criteria = {}
        else:
            if element.title != title:
                element.title = title
                element.save(update_fields=["title"])
                changes += 1
            existing_criteria = {c.number: c for c in element.criteria.all()}
        changes += _replace_criteria(element, texts, existing_criteria)
    changes += unit.elements.filter(number__gt=len(elements)).delete()[0]
    return changes


def _replace_criteria(element: Element, texts: Sequence[str], current: dict) -> int:
    changes = 0
    new = []
    for number, text in enumerate(texts, start=1):
        criterion = current.get(number)
        if criterion is None:
            new.append(Criterion(element=element, number=number, text=text))
        elif criterion.text != text:
            criterion.text = text
            criterion.save(update_fields=["text"])
            changes += 1
    Criterion.objects.bulk_create(new)
    extra = [c.pk for n, c in current.items() if n > len(texts)]
    if extra:
        changes += Criterion.objects.filter(pk__in=extra).delete()[0]
    return changes + len(new)


def set_scheme_units(*, scheme: Scheme, units: Sequence[Unit]) -> int:
    """Make these the scheme's units, in this order; returns the number of rows written."""
    if any(unit.lsp_id != scheme.lsp_id for unit in units):
        raise ValueError("A scheme uses only its own LSP's units.")
    wanted = {unit.pk: order for order, unit in enumerate(units, start=1)}
    current = {link.unit_id: link for link in SchemeUnit.objects.filter(scheme=scheme)}
    changes, _deleted = (
        SchemeUnit.objects.filter(scheme=scheme).exclude(unit_id__in=wanted).delete()
    )
    for unit_id, order in wanted.items():
        link = current.get(unit_id)
        if link is not None and link.order != order:
            link.order = order
            link.save(update_fields=["order"])
            changes += 1
    new = [
        SchemeUnit(scheme=scheme, unit_id=pk, order=o)
        for pk, o in wanted.items()
        if pk not in current
    ]
    SchemeUnit.objects.bulk_create(new)
    return changes + len(new)


def next_number(queryset) -> int:
    """The number after the highest: where a new element or KUK goes."""
    return (queryset.aggregate(top=Max("number"))["top"] or 0) + 1
