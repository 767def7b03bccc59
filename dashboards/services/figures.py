"""Reading the dashboards' figures: from the summary (`Fact`), scoped to who asks.

Every function takes facts already scoped (`facts_for(user)`) and filtered (`Filters.apply`);
each is one GROUP BY, so a dashboard costs the same number of queries whatever the data.
The assessor figures come from the registry (a province has a few thousand assessors) through the
same rules the assessor pages use (`with_status` and `with_recognition`), over the counts kept per
assessor (`with_standing`).
"""

import dataclasses
import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from lsp.access import scope_of

from ..models import Fact, FundingUse

TREND_YEARS = 5
MEASURES = ("enrolled", "assessed", "competent", "not_competent", "units_k", "units_bk",
            "certificates", "revoked", "valid")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Filters:
    year: int
    regency: int | None = None
    school: int | None = None
    lsp: int | None = None
    scheme: int | None = None
    programme: int | None = None
    funding_programme: int | None = None

    def apply(self, facts, *, year=True):
        """The facts matching every filter (all years when `year` is False)."""
        if year:
            facts = facts.filter(year=self.year)
        for name in ("regency", "school", "lsp", "scheme", "programme", "funding_programme"):
            value = getattr(self, name)
            if value is not None:
                facts = facts.filter(**{f"{name}_id": value})
        return facts

    def as_params(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def facts_for(user):
    """The summary rows a user may see: a Disdikbud viewer their province's, an LSP admin their
    LSP's; nothing for anyone else."""
    scope = scope_of(user)
    if scope.superuser:
        return Fact.objects.all()
    return Fact.objects.filter(
        Q(province_id__in=scope.viewer_province_ids) | Q(lsp_id__in=scope.admin_lsp_ids)
    )


def sums(today: datetime.date) -> dict:
    """The measures of a group of rows; `valid` asks the day (a certificate expires)."""
    # `valid` first: the sums below take the fields' names, and F() would then mean the sums.
    return {
        "valid": Coalesce(
            Sum(F("certificates") - F("revoked"), filter=Q(valid_until__gte=today)), 0
        ),
        "enrolled": Coalesce(Sum("enrolled"), 0),
        "assessed": Coalesce(Sum("assessed"), 0),
        "competent": Coalesce(Sum("competent"), 0),
        "not_competent": Coalesce(Sum("not_competent"), 0),
        "units_k": Coalesce(Sum("units_k"), 0),
        "units_bk": Coalesce(Sum("units_bk"), 0),
        "certificates": Coalesce(Sum("certificates"), 0),
        "revoked": Coalesce(Sum("revoked"), 0),
    }


def rate(competent: int, assessed: int) -> float | None:
    """The competence rate, in percent: K among those with a decision."""
    return round(100 * competent / assessed, 1) if assessed else None


def _rows(facts, today, keys: dict, order: list[str], *fields):
    rows = list(facts.order_by().values(*fields, **keys).annotate(**sums(today)).order_by(*order))
    for row in rows:
        row["rate"] = rate(row["competent"], row["assessed"])
    return rows


def by_regency(facts, today):
    return _rows(
        facts,
        today,
        {"key": F("regency_id"), "name": F("regency__name")},
        ["-assessed", "name"],
    )


def by_school(facts, today):
    return _rows(
        facts,
        today,
        {
            "key": F("school_id"),
            "name": F("school__name"),
            "npsn": F("school__npsn"),
            "regency_name": F("regency__name"),
        },
        ["-assessed", "name"],
    )


def by_scheme(facts, today):
    return _rows(
        facts,
        today,
        {"key": F("scheme_id"), "code": F("scheme__code"), "name": F("scheme__title")},
        ["-assessed", "name"],
    )


def by_programme(facts, today):
    return _rows(
        facts,
        today,
        {"key": F("programme_id"), "name": F("programme__name")},
        ["-assessed", "name"],
    )


def by_lsp(facts, today):
    return _rows(facts, today, {"key": F("lsp_id"), "name": F("lsp__name")}, ["name"])


def by_session(facts, today):
    """Per session: what a school's page lists."""
    return _rows(
        facts,
        today,
        {
            "key": F("session_id"),
            "code": F("session__code"),
            "start_date": F("session__start_date"),
            "scheme_title": F("scheme__title"),
            "lsp_name": F("lsp__name"),
        },
        ["-start_date", "-key"],
    )


def trend(facts, filters: Filters, today) -> list[dict]:
    """The last five years up to the year asked, every other filter kept; empty years as zeros."""
    first = filters.year - TREND_YEARS + 1
    window = filters.apply(facts, year=False).filter(year__gte=first, year__lte=filters.year)
    found = {row["year"]: row for row in _rows(window, today, {}, ["year"], "year")}
    empty = {**dict.fromkeys(MEASURES, 0), "rate": None}
    return [found.get(year, {**empty, "year": year}) for year in range(first, filters.year + 1)]


def totals(rows: list[dict]) -> dict:
    """The sum of a breakdown: the headline figures are the table's own total."""
    total = {key: sum(row[key] for row in rows) for key in MEASURES}
    total["rate"] = rate(total["competent"], total["assessed"])
    return total


# --- Funding programmes --------------------------------------------------------------------------
def quota_use(quotas):
    """FundingQuota rows annotated like `assessments.services.funding.with_use` (enrolled,
    assessed, certified, remaining, used), read from the summary `FundingUse` instead of the
    enrolments: the same numbers (tested), kept current with the facts."""
    money = DecimalField(max_digits=18, decimal_places=0)
    use = FundingUse.objects.filter(
        programme_id=OuterRef("programme_id"), school_id=OuterRef("school_id")
    )
    counts = {
        name: Coalesce(Subquery(use.values(name)[:1]), 0)
        for name in ("enrolled", "assessed", "certified")
    }
    return quotas.annotate(**counts).annotate(
        remaining=ExpressionWrapper(F("quota") - F("enrolled"), output_field=IntegerField()),
        used=ExpressionWrapper(F("assessed") * F("amount_per_student"), output_field=money),
    )


# --- Assessors ------------------------------------------------------------------------------------
def lsps_for(user, filters: Filters):
    """The LSPs whose assessors and schemes the user's dashboard counts."""
    Lsp = apps.get_model("lsp", "Lsp")
    scope = scope_of(user)
    lsps = Lsp.objects.all()
    if not scope.superuser:
        lsps = lsps.filter(
            Q(pk__in=scope.admin_lsp_ids) | Q(province_id__in=scope.viewer_province_ids)
        )
    return lsps.filter(pk=filters.lsp) if filters.lsp is not None else lsps


def assessors_for(user, filters: Filters):
    """The assessors serving those LSPs, narrowed by the filters that apply to an assessor:
    regency and school (their home school) and scheme (in their technical scope)."""
    Assessor = apps.get_model("assessors", "Assessor")
    served = Assessor.lsps.through.objects.filter(lsp__in=lsps_for(user, filters))
    assessors = Assessor.objects.filter(pk__in=served.values("assessor_id"))
    if filters.regency is not None:
        assessors = assessors.filter(home_school__regency_id=filters.regency)
    if filters.school is not None:
        assessors = assessors.filter(home_school_id=filters.school)
    if filters.scheme is not None:  # a subquery, not a join: each assessor once
        TechnicalScope = apps.get_model("assessors", "TechnicalScope")
        scoped = TechnicalScope.objects.filter(scheme_id=filters.scheme)
        assessors = assessors.filter(pk__in=scoped.values("assessor_id"))
    return assessors


def assessor_capacity(user, filters: Filters, today) -> dict:
    """Active / expiring (within the warning days) / expired assessors per regency and per
    scheme, the recognition outcomes, and the active schemes short of assessors (fewer than
    DASHBOARD_MIN_ASSESSORS_PER_SCHEME whose certificate and scope are valid).

    Status and outcome come from the assessors' kept standing (`with_standing`: the rules of
    `with_status` and `with_recognition` over counts the daily check keeps), so three queries,
    whatever the number of assessors: the standings that do not hold for today (normally none),
    the assessors counted by regency, status and outcome, and counted by the schemes of their
    valid scopes and status."""
    from assessors.models import Status

    # Each assessor is one row (their standing is one-to-one, a scheme in their scope once):
    # plain counts, which PostgreSQL aggregates by hashing, where a DISTINCT count sorts.
    counts = {
        "active": Count("pk", filter=Q(status=Status.ACTIVE)),
        "expiring": Count("pk", filter=Q(status=Status.EXPIRING)),
        "expired": Count("pk", filter=Q(status=Status.EXPIRED)),
    }
    keys = tuple(counts)
    assessors = assessors_for(user, filters).with_standing(today)
    grouped = (
        assessors.order_by()
        .values(
            "status",
            "outcome",
            key=F("home_school__regency_id"),
            name=F("home_school__regency__name"),
        )
        .annotate(n=Count("pk"))  # unordered: grouped by hashing; ordered below, ~60 rows
    )
    regency_rows, outcomes = {}, {}
    for row in grouped:
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + row["n"]
        regency = regency_rows.setdefault(
            row["key"], {"key": row["key"], "name": row["name"], **dict.fromkeys(keys, 0)}
        )
        if row["status"] in keys:  # the statuses counted are the keys: active, expiring, expired
            regency[row["status"]] += row["n"]
    regencies = sorted(
        regency_rows.values(), key=lambda row: (row["name"] is None, row["name"] or "", row["key"])
    )
    per_scheme = {
        row.pop("scheme"): row
        for row in assessors.order_by()
        .filter(scopes__valid_until__gte=today)
        .values(scheme=F("scopes__scheme_id"))
        .annotate(**counts)
    }
    Scheme = apps.get_model("assessments", "Scheme")
    schemes = Scheme.objects.filter(lsp__in=lsps_for(user, filters), is_active=True)
    if filters.scheme is not None:
        schemes = schemes.filter(pk=filters.scheme)
    minimum = settings.DASHBOARD_MIN_ASSESSORS_PER_SCHEME
    scheme_rows = []
    for pk, code, title in schemes.order_by("title").values_list("pk", "code", "title"):
        row = {"key": pk, "code": code, "name": title, **per_scheme.get(pk, dict.fromkeys(keys, 0))}
        row["short"] = row["active"] + row["expiring"] < minimum
        scheme_rows.append(row)
    return {
        "regencies": regencies,
        "schemes": scheme_rows,
        "short": [row for row in scheme_rows if row["short"]],
        "outcomes": outcomes,
        "minimum": minimum,
        "total": {key: sum(row[key] for row in regencies) for key in keys},
    }
