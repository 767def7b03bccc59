"""The dashboards' figures computed the slow way: straight from enrolments, verdicts and
certificates, with no summary table.

Two uses: tests assert that the summary (`figures`) gives exactly these numbers, and
`bench/dashboards.py` times this against the dashboard as the baseline.
"""

import datetime

from django.apps import apps
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from .figures import MEASURES, rate

K, BK = "K", "BK"

# A breakdown's key, as reached from an enrolment.
GROUPS = {
    "regency": "candidate__school__regency_id",
    "school": "candidate__school_id",
    "scheme": "session__scheme_id",
    "programme": "candidate__concentration__programme_id",
    "lsp": "session__lsp_id",
    "funding_programme": "session__programme_id",
    "year": None,  # the session's year
}


def _key(group, prefix=""):
    if group == "year":
        return ExtractYear(f"{prefix}session__start_date")
    return F(prefix + GROUPS[group])


def _enrolments(province_id, years, filters):
    Enrolment = apps.get_model("assessments", "Enrolment")
    enrolments = Enrolment.objects.final().filter(
        candidate__school__regency__province_id=province_id,
        session__start_date__year__in=years,
    )
    for name, value in (filters or {}).items():
        enrolments = enrolments.filter(**{GROUPS[name]: value})
    return enrolments


def breakdown(province_id, year, group, today: datetime.date, filters=None, years=None) -> dict:
    """{key: {measure: n}} for one breakdown (`group`: regency, school, scheme, programme, lsp or
    year) of a province's year (or `years`), optionally filtered like the dashboard
    (`filters`: {"regency": id, "funding_programme": id, …})."""
    years = years or [year]
    enrolments = _enrolments(province_id, years, filters)
    rows = {
        row.pop("key"): {**dict.fromkeys(MEASURES, 0), **row}
        for row in enrolments.order_by()
        .values(key=_key(group))
        .annotate(
            enrolled=Count("pk", distinct=True),
            assessed=Count("pk", filter=~Q(decision=""), distinct=True),
            competent=Count("pk", filter=Q(decision=K), distinct=True),
            not_competent=Count("pk", filter=Q(decision=BK), distinct=True),
            units_k=Count("verdicts", filter=Q(verdicts__verdict=K)),
            units_bk=Count("verdicts", filter=Q(verdicts__verdict=BK)),
        )
    }
    Certificate = apps.get_model("certificates", "Certificate")
    status = Certificate.Status
    certificates = (
        Certificate.objects.filter(enrolment__in=enrolments.values("pk"))
        .exclude(status=status.REPLACED)
        .order_by()
        .values(key=_key(group, "enrolment__"))
        .annotate(
            certificates=Count("pk"),
            revoked=Count("pk", filter=Q(status=status.REVOKED)),
            valid=Count("pk", filter=Q(status=status.VALID, valid_until__gte=today)),
        )
    )
    for row in certificates:
        target = rows.setdefault(row["key"], dict.fromkeys(MEASURES, 0))
        target.update(certificates=row["certificates"], revoked=row["revoked"], valid=row["valid"])
    for row in rows.values():
        row["rate"] = rate(row["competent"], row["assessed"])
    return rows


def province_figures(province_id, year, today: datetime.date | None = None, filters=None) -> dict:
    """Every breakdown the province dashboard shows, the naive way."""
    from django.utils import timezone

    today = today or timezone.localdate()
    figures = {
        group: breakdown(province_id, year, group, today, filters)
        for group in ("regency", "school", "scheme", "programme")
    }
    figures["trend"] = breakdown(
        province_id, year, "year", today, filters, years=list(range(year - 4, year + 1))
    )
    return figures
