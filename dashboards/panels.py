"""What the province dashboard and its drill-down pages show, computed once per request.

Every figure comes from `services.figures` (the summary table, one GROUP BY each) or, for the
quotas, from `assessments.services.funding` (one query for every programme and school); this
module only picks them for the chosen filters, so a page costs the same number of queries
whatever the data. The tables and the Excel downloads read the same rows, and so do the charts
(`charts`): a chart never has numbers of its own.
"""

import datetime
from collections import defaultdict
from functools import cached_property

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assessments.services import funding
from assessors.models import Outcome
from lsp.access import scope_of
from lsp.models import FundingProgramme, FundingQuota, School

from . import cache as dashboard_cache
from .services import figures

SCHOOLS_ON_DASHBOARD = 10


def may_view_province(user) -> bool:
    """The province dashboard and its regency pages: Disdikbud viewers and superusers."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.viewer_province_ids)


def link_maker(name: str, params: str):
    """`key -> URL` for a page taking one id, with this query string: reversed once, not once
    a row (a province's 300 schools)."""
    marker = "987654321"
    pattern = reverse(name, args=[int(marker)]).replace("{", "{{").replace("}", "}}")
    pattern = pattern.replace(marker, "{}") + (f"?{params}" if params else "?")
    return pattern.format


def query(filters: figures.Filters, *, drop=(), **extra) -> str:
    """The filters as a query string, without those a link's target fixes itself."""
    params = {k: v for k, v in filters.as_params().items() if k not in drop}
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


class Panels:
    """The figures of one page for one user, filter and day; each read on first use."""

    def __init__(self, user, filters: figures.Filters, today: datetime.date):
        self.user, self.filters, self.today = user, filters, today
        self.facts = figures.facts_for(user)
        self.scoped = filters.apply(self.facts)

    # --- the summary -----------------------------------------------------------------------------
    @cached_property
    def regencies(self) -> list[dict]:
        rows = figures.by_regency(self.scoped, self.today)
        link = link_maker("dashboard_regency", query(self.filters, drop=("regency",)))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            row["url"] = link(row["key"])
        return rows

    @cached_property
    def schools(self) -> list[dict]:
        rows = figures.by_school(self.scoped, self.today)
        link = link_maker("dashboard_school", query(self.filters, drop=("regency", "school")))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            row["url"] = link(row["key"])
        return rows

    @cached_property
    def top_schools(self) -> list[dict]:
        return self.schools[:SCHOOLS_ON_DASHBOARD]

    @cached_property
    def schemes(self) -> list[dict]:
        return figures.by_scheme(self.scoped, self.today)

    @cached_property
    def programmes(self) -> list[dict]:
        rows = figures.by_programme(self.scoped, self.today)
        for row in rows:
            if row["key"] is None:
                row["name"] = _("No vocational programme recorded")
        return rows

    @cached_property
    def sessions(self) -> list[dict]:
        return figures.by_session(self.scoped, self.today)

    @cached_property
    def trend(self) -> list[dict]:
        return figures.trend(self.facts, self.filters, self.today)

    @cached_property
    def totals(self) -> dict:
        """The headline: the sum of the regency table (every summary row has a regency)."""
        return figures.totals(self.regencies)

    def totals_of(self, rows: list[dict]) -> dict:
        return figures.totals(rows)

    # --- assessors -------------------------------------------------------------------------------
    @cached_property
    def capacity(self) -> dict:
        """Kept until the registry moves (`dashboards/cache.py`): the writes of a season
        (verdicts, enrolments, certificates) leave it, the costliest panel, alone."""
        parts = (
            "capacity",
            scope_of(self.user).cache_key(),
            sorted(self.filters.as_params().items()),
            self.today,
        )
        capacity = dashboard_cache.kept(
            parts,
            lambda: figures.assessor_capacity(self.user, self.filters, self.today),
            registry=True,
        )
        for row in capacity["regencies"]:
            if row["key"] is None:
                row["name"] = _("No home school recorded")
        return capacity

    @cached_property
    def outcomes(self) -> list[dict]:
        """The recognition outcomes in the daily check's order, zeros included."""
        counts = self.capacity["outcomes"]
        order = [Outcome.ON_TRACK, Outcome.ELIGIBLE, Outcome.AT_RISK, Outcome.MUST_RETRAIN,
                 Outcome.NONE]  # fmt: skip
        return [{"key": o.value, "name": str(o.label), "count": counts.get(o.value, 0)}
                for o in order]  # fmt: skip

    # --- funding programmes ----------------------------------------------------------------------
    @cached_property
    def funding(self) -> list[dict]:
        """Quota use per funding programme of the year: the quotas of the schools the filters
        keep (regency, school, LSP's schools, the programme itself)."""
        f = self.filters
        quotas = FundingQuota.objects.for_user(self.user).filter(programme__year=f.year)
        if f.funding_programme is not None:
            quotas = quotas.filter(programme_id=f.funding_programme)
        if f.regency is not None:
            quotas = quotas.filter(school__regency_id=f.regency)
        if f.school is not None:
            quotas = quotas.filter(school_id=f.school)
        if f.lsp is not None:
            quotas = quotas.filter(school__in=School.objects.of_lsps([f.lsp]))
        use = defaultdict(funding.QuotaUse)  # read from the summary: same numbers, no counting
        for row in figures.quota_use(quotas.order_by()):
            use[row.programme_id].add(row)
        if not use:
            return []
        programmes = FundingProgramme.objects.filter(pk__in=list(use)).select_related("kind", "lsp")
        rows = []
        for programme in programmes.order_by("name", "lsp__name"):
            total = use[programme.pk]
            rows.append(
                {
                    "key": programme.pk,
                    "name": programme.name,
                    "kind": programme.kind.name,
                    "keeper": programme.lsp.name,
                    "is_banper": programme.kind.is_banper,
                    "url": programme.get_absolute_url(),
                    "schools": total.schools,
                    "quota": total.quota,
                    "enrolled": total.enrolled,
                    "assessed": total.assessed,
                    "certified": total.certified,
                    "remaining": total.remaining,
                    "use": round(100 * total.enrolled / total.quota, 1) if total.quota else None,
                }
            )
        rows.sort(key=lambda row: not row["is_banper"])  # BANPER first, then by name
        for number, row in enumerate(rows, 1):
            row["number"] = number  # the chart's label: programmes often share a name
        return rows

    # --- the charts ------------------------------------------------------------------------------
    def charts(self, *names) -> dict:
        """{name: Chart.js data} for the tables named: labels and datasets from their rows."""
        return {name: getattr(self, f"_chart_{name}")() for name in names}

    @staticmethod
    def _verdicts(rows, label):
        return {
            "labels": [label(row) for row in rows],
            "datasets": [
                {
                    "label": _("Competent (K)"),
                    "data": [r["competent"] for r in rows],
                    "color": "success",
                },
                {
                    "label": _("Not yet competent (BK)"),
                    "data": [r["not_competent"] for r in rows],
                    "color": "danger",
                },
            ],  # fmt: skip
            "stacked": True,
        }

    def _chart_regency(self):
        return self._verdicts(self.regencies, lambda r: r["name"])

    def _chart_school(self):
        return self._verdicts(self.top_schools, lambda r: r["name"])

    def _chart_all_schools(self):
        return self._verdicts(self.schools, lambda r: r["name"])

    def _chart_scheme(self):
        return self._verdicts(self.schemes, lambda r: r["name"])

    def _chart_programme(self):
        return self._verdicts(self.programmes, lambda r: r["name"])

    def _chart_session(self):
        return self._verdicts(self.sessions, lambda r: r["code"])

    def _chart_trend(self):
        rows = self.trend
        return {
            "labels": [str(r["year"]) for r in rows],
            "datasets": [
                {"label": _("Assessed"), "data": [r["assessed"] for r in rows], "color": "primary"},
                {
                    "label": _("Competent (K)"),
                    "data": [r["competent"] for r in rows],
                    "color": "success",
                },
                {
                    "label": _("Certificates issued"),
                    "data": [r["certificates"] for r in rows],
                    "color": "warning",
                },
            ],  # fmt: skip
            "stacked": False,
        }

    def _chart_funding(self):
        rows = self.funding
        return {
            "labels": [f"{r['number']}. {r['name']}" for r in rows],
            "datasets": [
                {"label": _("Quota"), "data": [r["quota"] for r in rows], "color": "secondary"},
                {"label": _("Enrolled"), "data": [r["enrolled"] for r in rows], "color": "primary"},
                {"label": _("Assessed"), "data": [r["assessed"] for r in rows], "color": "info"},
                {
                    "label": _("Certified"),
                    "data": [r["certified"] for r in rows],
                    "color": "success",
                },
            ],  # fmt: skip
            "stacked": False,
        }

    @staticmethod
    def _statuses(rows):
        return {
            "labels": [r["name"] if "code" not in r else r["code"] for r in rows],
            "datasets": [
                {"label": _("Active"), "data": [r["active"] for r in rows], "color": "success"},
                {"label": _("Expiring"), "data": [r["expiring"] for r in rows], "color": "warning"},
                {"label": _("Expired"), "data": [r["expired"] for r in rows], "color": "danger"},
            ],  # fmt: skip
            "stacked": True,
        }

    def _chart_assessor_regency(self):
        return self._statuses(self.capacity["regencies"])

    def _chart_assessor_scheme(self):
        return self._statuses(self.capacity["schemes"])

    def _chart_outcomes(self):
        rows = self.outcomes
        colors = {"on_track": "success", "eligible": "primary", "at_risk": "warning",
                  "must_retrain": "danger", "none": "secondary"}  # fmt: skip
        return {
            "labels": [r["name"] for r in rows],
            "datasets": [
                {
                    "label": _("Assessors"),
                    "data": [r["count"] for r in rows],
                    "colors": [colors[r["key"]] for r in rows],
                }
            ],
            "stacked": False,
        }
