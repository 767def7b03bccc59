"""Writing the dashboards' summary (`Fact`) from the base tables.

- `rows_for(sessions)`: the summary rows of some sessions, computed from enrolments, verdicts
  and certificates: the one definition of what each figure counts.
- `refresh(session_ids)`: replace those sessions' rows; called after every change that moves a
  figure (see `dashboards.signals`: a session, an enrolment, a verdict, a decision, a
  certificate), once per transaction, after it commits.
- `rebuild()`: every row again, in one transaction; the nightly beat job and `seed_demo` use it.

What counts:
- enrolled: the session's students, by their last round (`Enrolment.objects.final()`);
- assessed / competent / not_competent: those with a decision, K, BK;
- units_k / units_bk: their unit verdicts;
- certificates: issued for the session and not replaced by a reissue; revoked: of those, revoked.
  Rows with certificates carry `valid_until`, so "valid today" is asked when the page is read.
"""

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from .. import cache as dashboard_cache
from ..models import MEASURES, Fact, FundingUse

K, BK = "K", "BK"

# The dimensions, as reached from an enrolment (for a certificate: through its enrolment).
_DIMENSIONS = {
    "session_id": "session_id",
    "province_id": "candidate__school__regency__province_id",
    "regency_id": "candidate__school__regency_id",
    "school_id": "candidate__school_id",
    "lsp_id": "session__lsp_id",
    "scheme_id": "session__scheme_id",
    "programme_id": "candidate__concentration__programme_id",
    "funding_id": "session__funding_id",
    "funding_programme_id": "session__programme_id",
}


def _dimensions(prefix=""):
    """As `values()` aliases: `_<field>` (an alias may not be a field's own name)."""
    dimensions = {f"_{name}": F(prefix + path) for name, path in _DIMENSIONS.items()}
    dimensions["_year"] = ExtractYear(f"{prefix}session__start_date")
    return dimensions


def _fact(row) -> Fact:
    return Fact(**{name.removeprefix("_"): value for name, value in row.items()})


def _enrolment_rows(session_ids):
    Enrolment = apps.get_model("assessments", "Enrolment")
    enrolments = Enrolment.objects.final()
    if session_ids is not None:
        enrolments = enrolments.filter(session_id__in=session_ids)
    return (
        enrolments.order_by()
        .values(**_dimensions())
        .annotate(
            enrolled=Count("pk", distinct=True),
            assessed=Count("pk", filter=~Q(decision=""), distinct=True),
            competent=Count("pk", filter=Q(decision=K), distinct=True),
            not_competent=Count("pk", filter=Q(decision=BK), distinct=True),
            units_k=Count("verdicts", filter=Q(verdicts__verdict=K)),
            units_bk=Count("verdicts", filter=Q(verdicts__verdict=BK)),
        )
    )


def _certificate_rows(session_ids):
    Certificate = apps.get_model("certificates", "Certificate")
    status = Certificate.Status
    certificates = Certificate.objects.exclude(status=status.REPLACED)
    if session_ids is not None:
        certificates = certificates.filter(enrolment__session_id__in=session_ids)
    return (
        certificates.order_by()
        .values(**_dimensions("enrolment__"), _valid_until=F("valid_until"))
        .annotate(
            certificates=Count("pk"),
            revoked=Count("pk", filter=Q(status=status.REVOKED)),
        )
    )


def rows_for(session_ids=None) -> list[Fact]:
    """The summary rows of these sessions (of all sessions when None)."""
    rows = [*_enrolment_rows(session_ids), *_certificate_rows(session_ids)]
    return [_fact(row) for row in rows]


def sessions_of_enrolments(enrolment_ids) -> set[int]:
    """The sessions of these enrolments and of the first rounds they re-assess."""
    if not enrolment_ids:
        return set()
    Enrolment = apps.get_model("assessments", "Enrolment")
    rows = Enrolment.objects.filter(pk__in=enrolment_ids).values_list(
        "session_id", "previous__session_id"
    )
    return {pk for row in rows for pk in row if pk}


def refresh(session_ids) -> int:
    """Replace the summary rows of these sessions (and the quota use of the funding programmes
    they drew on before or draw on now); returns how many fact rows they have now."""
    session_ids = sorted(set(session_ids))
    if not session_ids:
        return 0
    Session = apps.get_model("assessments", "AssessmentSession")
    with transaction.atomic():
        # One refresh of a session at a time: a second waits, then writes the newer figures.
        programmes = set(
            Session.objects.filter(pk__in=session_ids)
            .select_for_update()
            .exclude(programme=None)
            .values_list("programme_id", flat=True)
        )
        stale = Fact.objects.filter(session_id__in=session_ids)
        programmes |= set(stale.exclude(funding_programme=None).values_list(
            "funding_programme_id", flat=True
        ))  # fmt: skip
        stale.delete()
        facts = rows_for(session_ids)
        Fact.objects.bulk_create(facts, batch_size=2000)
        refresh_funding(programmes)
        dashboard_cache.forget_now_and_on_commit(registry=False)
    return len(facts)


def refresh_funding(programme_ids=None) -> int:
    """Recount the quota use of these programmes (of all when None) by the quota rule."""
    from assessments.services.funding import with_use

    FundingQuota = apps.get_model("lsp", "FundingQuota")
    quotas = FundingQuota.objects.all()
    stale = FundingUse.objects.all()
    if programme_ids is not None:
        if not programme_ids:
            return 0
        quotas = quotas.filter(programme_id__in=programme_ids)
        stale = stale.filter(programme_id__in=programme_ids)
    rows = [
        FundingUse(
            programme_id=row.programme_id,
            school_id=row.school_id,
            enrolled=row.enrolled,
            assessed=row.assessed,
            certified=row.certified,
        )
        for row in with_use(quotas.order_by())
    ]
    stale.delete()
    FundingUse.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rebuild() -> int:
    """Every summary row again, from scratch, in one transaction (readers see old or new)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The whole table goes: one statement, no per-row delete.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Fact._meta.db_table}")
        else:
            Fact.objects.all().delete()
        facts = rows_for()
        Fact.objects.bulk_create(facts, batch_size=5000)
        refresh_funding()
        dashboard_cache.forget_now_and_on_commit(registry=False)
    return len(facts)


__all__ = [
    "MEASURES",
    "rebuild",
    "refresh",
    "refresh_funding",
    "rows_for",
    "sessions_of_enrolments",
]
