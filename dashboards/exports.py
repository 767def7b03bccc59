"""Every dashboard table as an Excel file: the rows the page shows (`panels.Panels`), through the
shared spreadsheet helper (formula-escaped cells, IDs as text).

Aggregates only (counts per regency, school, scheme…), no student's personal data; the download
is still written to the audit trail, as every other export is.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lsp.spreadsheets import build_workbook

# The summary's measures, in the order the tables show them.
MEASURE_COLUMNS = (
    ("enrolled", _("Enrolled")),
    ("assessed", _("Assessed")),
    ("competent", _("Competent (K)")),
    ("not_competent", _("Not yet competent (BK)")),
    ("rate", _("Competence rate (%)")),
    ("units_k", _("Units K")),
    ("units_bk", _("Units BK")),
    ("certificates", _("Certificates issued")),
    ("valid", _("Certificates valid")),
    ("revoked", _("Certificates revoked")),
)
STATUS_COLUMNS = (
    ("active", _("Active")),
    ("expiring", _("Expiring")),
    ("expired", _("Expired")),
)


@dataclass(frozen=True)
class Table:
    """One downloadable table: its sheet title, the panel that holds its rows and its columns
    ((row key, header) pairs); `text` columns stay text (codes, NPSN), `dates` are dates.
    `totals`: a last row summing the measures."""

    title: object
    rows: str
    columns: tuple
    text: frozenset = field(default_factory=frozenset)
    dates: frozenset = field(default_factory=frozenset)
    totals: bool = False
    # On a school's page too: with `school=<id>`, open to whoever may open that page.
    school_page: bool = False


def _measures(*columns, **options):
    return {"columns": (*columns, *MEASURE_COLUMNS), "totals": True, **options}


TABLES = {
    "regency": Table(
        _("By regency-city"),
        "regencies",
        **_measures(("rank", _("Rank")), ("name", _("Regency/city"))),
    ),
    "school": Table(
        _("By school"),
        "schools",
        **_measures(
            ("rank", _("Rank")),
            ("name", _("School")),
            ("npsn", "NPSN"),
            ("regency_name", _("Regency/city")),
            text=frozenset({"npsn"}),
        ),
    ),
    "scheme": Table(
        _("By scheme"),
        "schemes",
        **_measures(
            ("code", _("Code")), ("name", _("Scheme")), text=frozenset({"code"}), school_page=True
        ),
    ),
    "programme": Table(
        _("By vocational programme"),
        "programmes",
        **_measures(("name", _("Vocational programme"))),
    ),
    "trend": Table(_("Five-year trend"), "trend", **_measures(("year", _("Year")))),
    "session": Table(
        _("Sessions"),
        "sessions",
        **_measures(
            ("code", _("Session code")),
            ("start_date", _("Start date")),
            ("scheme_title", _("Scheme")),
            ("lsp_name", _("LSP")),
            text=frozenset({"code"}),
            dates=frozenset({"start_date"}),
            school_page=True,
        ),
    ),
    "funding": Table(
        _("Funding programme quotas"),
        "funding",
        (
            ("name", _("Funding programme")),
            ("kind", _("Kind")),
            ("keeper", _("Kept by LSP")),
            ("schools", _("Schools")),
            ("quota", _("Quota")),
            ("enrolled", _("Enrolled")),
            ("assessed", _("Assessed")),
            ("certified", _("Certified")),
            ("remaining", _("Remaining")),
            ("use", _("Quota used (%)")),
        ),
        school_page=True,
    ),
    "assessor_regency": Table(
        _("Assessors by regency-city"),
        "capacity.regencies",
        (("name", _("Regency/city")), *STATUS_COLUMNS),
    ),
    "assessor_scheme": Table(
        _("Assessors by scheme"),
        "capacity.schemes",
        (
            ("code", _("Code")),
            ("name", _("Scheme")),
            *STATUS_COLUMNS,
            ("short", _("Short of assessors")),
        ),  # fmt: skip
        text=frozenset({"code"}),
    ),
    "outcomes": Table(
        _("Recognition outcomes"),
        "outcomes",
        (("name", _("Recognition outcome")), ("count", _("Assessors"))),
    ),
}


def rows_of(table: Table, panels) -> list[dict]:
    """The table's rows from the page's panels (a dotted name reaches into a dict)."""
    name, _dot, key = table.rows.partition(".")
    rows = getattr(panels, name)
    return rows[key] if key else rows


def _cell(value):
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return "" if value is None else value


def workbook(table: Table, rows: list[dict], totals: dict | None = None):
    keys = [key for key, _header in table.columns]
    lines = [[_cell(row.get(key)) for key in keys] for row in rows]
    if table.totals and totals is not None:
        label = str(pgettext_lazy("sum of a table", "Total"))
        lines.append([label if i == 0 else _cell(totals.get(key)) for i, key in enumerate(keys)])
    return build_workbook(
        title=str(table.title),
        headers=[str(header) for _key, header in table.columns],
        rows=lines,
        text_columns={i for i, key in enumerate(keys) if key in table.text},
        date_columns={i for i, key in enumerate(keys) if key in table.dates},
        blank_rows=0,
    )
