"""The LSP admin's dashboard, panel by panel: each a fixed number of queries, whatever the data.

- `upcoming`: sessions starting within `DASHBOARD_UPCOMING_DAYS`, not yet decided;
- `awaiting`: sessions in assessment whose assessors have not all submitted their verdicts, and
  sessions awaiting the decision (pleno);
- `to_issue`: decided sessions with competent asesi still without a certificate: the certificates
  app's rule (`certificates.services.issuing`: `ISSUABLE`, `competent_enrolments`) in one query
  for all of the LSP's sessions (tests hold it equal to that rule, session by session);
- `assessor_watch`: the counts and the "expiring" and "at risk" lists of the assessors' watch page
  (`assessors.views.watch`: the same QuerySet, filters and orderings);
- `scheme_figures`: the year's K/BK by scheme, from the summary (`figures.by_scheme`), and the
  same rows as a chart;
- `quota_use`: the quotas of the LSP's schools in the year's funding programmes (BANPER …), with
  `assessments.services.funding.with_use`.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from assessments.models import AssessmentSession, Enrolment, SessionAssessor, Verdict
from assessments.services.funding import totals as quota_totals
from assessments.services.funding import with_use
from assessors.views.watch import BY_KEY, watch_counts, watched
from certificates.models import Certificate
from certificates.services.issuing import ISSUABLE
from lsp.models import FundingQuota, Lsp, School

from . import figures

Status = AssessmentSession.Status
WATCH_SHOWN = 10  # rows per assessor list on the dashboard; the watch page has them all
NOT_ELIGIBLE = Enrolment.Eligibility.NOT_ELIGIBLE


def upcoming(lsp: Lsp, today: datetime.date):
    """Sessions starting today or within the coming days, not yet decided, soonest first."""
    until = today + datetime.timedelta(days=settings.DASHBOARD_UPCOMING_DAYS)
    return list(
        lsp.sessions.filter(
            start_date__gte=today,
            start_date__lte=until,
            status__in=(Status.PLANNED, Status.OPEN, Status.ASSESSING),
        )
        .select_related("scheme", "tuk")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__round=1)))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=SessionAssessor.objects.select_related("assessor").order_by(
                    "assessor__full_name", "pk"
                ),
            )
        )
        .order_by("start_date", "code", "pk")
    )


def awaiting(lsp: Lsp):
    """In assessment with verdicts still to submit, awaiting the decision, or decided with a
    re-assessment (an appeal's round 2) still to submit or decide; oldest first.

    Each session carries `pending` (its asesi whose verdicts are not submitted, as
    `_advance_when_all_submitted` counts them, and round 2s), `to_decide` (submitted, no decision
    yet) and `waiting_for` (its assessors who have not submitted).
    """
    undecided = Q(enrolments__decision="") & ~Q(enrolments__eligibility=NOT_ELIGIBLE)
    reassessing = Enrolment.objects.filter(
        session_id=OuterRef("pk"), round__gt=1, decision=""
    ).exclude(eligibility=NOT_ELIGIBLE)
    unsubmitted = Enrolment.objects.filter(
        session_id=OuterRef("session_id"),
        assessor_id=OuterRef("assessor_id"),
        submitted_at=None,
        decision="",
    ).exclude(eligibility=NOT_ELIGIBLE)
    return list(
        lsp.sessions.filter(
            Q(status__in=(Status.ASSESSING, Status.AWAITING_DECISION))
            | Q(Exists(reassessing), status__in=ISSUABLE)
        )
        .select_related("scheme")
        .annotate(
            pending=Count("enrolments", filter=undecided & Q(enrolments__submitted_at=None)),
            to_decide=Count(
                "enrolments", filter=undecided & Q(enrolments__submitted_at__isnull=False)
            ),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=SessionAssessor.objects.filter(Exists(unsubmitted))
                .select_related("assessor")
                .order_by("assessor__full_name", "pk"),
                to_attr="waiting_for",
            )
        )
        .order_by("status", "start_date", "pk")
    )


def competent_without_certificate():
    """Enrolments that `competent_enrolments` would certify, as SQL: the asesi's latest decided
    round in the session, decided K, and no certificate of the session for the asesi yet."""
    later = Enrolment.objects.filter(
        session_id=OuterRef("session_id"),
        candidate_id=OuterRef("candidate_id"),
        round__gt=OuterRef("round"),
    ).exclude(decision="")
    issued = Certificate.objects.filter(
        session_id=OuterRef("session_id"), candidate_id=OuterRef("candidate_id")
    )
    competent = Enrolment.objects.filter(decision=Verdict.K)
    return competent.exclude(Exists(later)).exclude(Exists(issued))


def to_issue(lsp: Lsp):
    """Decided sessions (`ISSUABLE`) with certificates still to issue, oldest first; each with
    `to_issue`, how many."""
    waiting = (
        competent_without_certificate()
        .filter(session__lsp=lsp, session__status__in=ISSUABLE)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["session_id"]: row["n"] for row in waiting}
    if not counts:
        return []
    sessions = list(
        AssessmentSession.objects.filter(pk__in=list(counts))
        .select_related("scheme")
        .order_by("decided_at", "start_date", "pk")
    )
    for session in sessions:
        session.to_issue = counts[session.pk]
    return sessions


@dataclass
class AssessorWatch:
    counts: dict[str, int]
    lists: list[dict] = field(default_factory=list)


def assessor_watch(user, lsp: Lsp, today: datetime.date) -> AssessorWatch:
    """The watch page's counts for this LSP, and its first rows of "expiring" and "at risk"."""
    queryset = watched(user, today, lsp)
    counts = watch_counts(queryset)
    lists = []
    for key in ("expiring", "at_risk"):
        watch = BY_KEY[key]
        rows = []
        if counts[key]:
            rows = list(
                queryset.filter(watch.filter)
                .select_related("home_school")
                .order_by(*watch.order)[:WATCH_SHOWN]
            )
        for assessor in rows:
            until = assessor.current_valid_until
            assessor.days_left = (until - today).days if until else None
        lists.append(
            {
                "key": key,
                "title": watch.title,
                "rows": rows,
                "count": counts[key],
                "more": counts[key] - len(rows),
            }
        )
    return AssessorWatch(counts=counts, lists=lists)


def scheme_figures(user, lsp: Lsp, year: int, today: datetime.date) -> dict:
    """The year's figures of the LSP by scheme (K, BK, rate, certificates), and their total."""
    facts = figures.Filters(year=year, lsp=lsp.pk).apply(figures.facts_for(user))
    rows = figures.by_scheme(facts, today)
    return {"rows": rows, "total": figures.totals(rows), "chart": _verdict_chart(rows)}


def _verdict_chart(rows) -> dict:
    """The table's K and BK as Chart.js data (`templates/dashboards/_chart.html`)."""
    return {
        "labels": [row["name"] for row in rows],
        "datasets": [
            {
                "label": _("Competent (K)"),
                "data": [row["competent"] for row in rows],
                "color": "success",
            },
            {
                "label": _("Not yet competent (BK)"),
                "data": [row["not_competent"] for row in rows],
                "color": "danger",
            },
        ],
        "stacked": True,
    }


def quota_use(lsp: Lsp, year: int) -> list[dict]:
    """Per funding programme of the year: its quota rows for the LSP's schools, and their sum."""
    quotas = (
        FundingQuota.objects.filter(
            school__in=School.objects.of_lsps([lsp.pk]), programme__year=year
        )
        .select_related("programme__kind", "school")
        .order_by("programme__name", "programme_id", "school__name", "pk")
    )
    programmes: dict[int, dict] = {}
    for row in with_use(quotas):
        entry = programmes.setdefault(row.programme_id, {"programme": row.programme, "rows": []})
        entry["rows"].append(row)
    for entry in programmes.values():
        entry["total"] = quota_totals(entry["rows"])
    return list(programmes.values())
