"""Funding programmes (BANPER and others): how much of each school's quota is used, and the refusal.

The rule, written once, per programme and school:

- quota: the school's `FundingQuota.quota`;
- enrolled: distinct students of the school enrolled in sessions of the programme (a round-2
  re-assessment, or a BK student enrolled again in a later session of the same programme, is the
  same student and counts once);
- assessed: of those, the students with a decision (K or BK) in a session of the programme;
- certified: of those, the students holding a certificate from it that is not revoked;
- remaining: quota − enrolled (negative when a quota was lowered below what is enrolled);
- budget: quota × amount per student; used: assessed × amount per student.

`with_use(quotas)` annotates any FundingQuota QuerySet (one query, whatever the number of
programmes and schools: the dashboards call it for a whole province); `use_of(programme, school)`
gives one pair. `quota_problems` says why students may not be enrolled; `enrol` in
`services.scheduling` calls `check_quotas`, which locks the quota rows first so that two admins
enrolling the last place at once cannot both succeed.
"""

import decimal
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lsp.models import FundingProgramme, FundingQuota, School

from ..models import AssessmentSession, Candidate, Enrolment
from .sessions import Refused

MEASURES = ("quota", "enrolled", "assessed", "certified", "remaining", "budget", "used")


# --- the figures ----------------------------------------------------------------------------------
def _certified_statuses() -> list[str]:
    """A certificate counts unless revoked (a replaced one was mended, not withdrawn)."""
    certificate = apps.get_model("certificates", "Certificate")
    return [s for s in certificate.Status.values if s != certificate.Status.REVOKED]


def _students(condition: Q | None = None):
    """Distinct students of the outer row's school enrolled in the outer row's programme."""
    rows = (
        Enrolment.objects.filter(
            condition or Q(),
            session__programme_id=OuterRef("programme_id"),
            candidate__school_id=OuterRef("school_id"),
        )
        .order_by()
        .values("session__programme_id")
        .annotate(n=Count("candidate_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_use(quotas):
    """FundingQuota rows annotated with enrolled, assessed, certified, remaining and used
    (the budget, quota × amount per student, is the model's `budget`)."""
    money = DecimalField(max_digits=18, decimal_places=0)
    return quotas.annotate(
        enrolled=_students(),
        assessed=_students(~Q(decision="")),
        certified=_students(Q(certificate__status__in=_certified_statuses())),
    ).annotate(
        remaining=ExpressionWrapper(F("quota") - F("enrolled"), output_field=IntegerField()),
        used=ExpressionWrapper(F("assessed") * F("amount_per_student"), output_field=money),
    )


@dataclass
class QuotaUse:
    """Figures of one school, or the sum of several (`schools` counts them)."""

    schools: int = 0
    quota: int = 0
    enrolled: int = 0
    assessed: int = 0
    certified: int = 0
    remaining: int = 0
    budget: decimal.Decimal = decimal.Decimal(0)
    used: decimal.Decimal = decimal.Decimal(0)

    def add(self, row) -> "QuotaUse":
        self.schools += 1
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + (getattr(row, name) or 0))
        return self


def totals(rows: Iterable) -> QuotaUse:
    """The sum of `with_use` rows: a programme's totals row."""
    total = QuotaUse()
    for row in rows:
        total.add(row)
    return total


def totals_by_programme(quotas) -> dict[int, QuotaUse]:
    """{programme id: totals} over the given quota rows, in one query (lists and dashboards)."""
    result: dict[int, QuotaUse] = defaultdict(QuotaUse)
    for row in with_use(quotas.order_by()):
        result[row.programme_id].add(row)
    return dict(result)


def use_of(programme: FundingProgramme, school: School) -> QuotaUse | None:
    """The figures of one school in one programme; None when the school has no quota in it."""
    row = with_use(FundingQuota.objects.filter(programme=programme, school=school)).first()
    return QuotaUse().add(row) if row is not None else None


# --- the refusal ----------------------------------------------------------------------------------
class QuotaExceeded(Refused):
    """Enrolling would go beyond a school's quota (or the school has none): one line a school."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def quota_problems(
    session: AssessmentSession,
    candidates: Iterable[Candidate],
    *,
    programme: FundingProgramme | None = None,
    lock: bool = False,
) -> list[str]:
    """Why these students may not be enrolled in the session, school by school; [] when they may.

    `programme` defaults to the session's (the session form passes the one it would switch to).
    With `lock`, inside a transaction, the schools' quota rows are locked first (in a fixed
    order), so that the count that follows includes whatever a concurrent enrolment committed.
    """
    programme_id = programme.pk if programme is not None else session.programme_id
    if programme_id is None:
        return []
    candidates = {c.pk: c for c in candidates}
    counted = set(
        Enrolment.objects.filter(
            session__programme_id=programme_id, candidate_id__in=list(candidates)
        ).values_list("candidate_id", flat=True)
    )
    new = defaultdict(int)  # school id: students who would take a place
    for pk, candidate in candidates.items():
        if pk not in counted:
            new[candidate.school_id] += 1
    if not new:
        return []
    quotas = FundingQuota.objects.filter(programme_id=programme_id, school_id__in=list(new))
    if lock:
        list(quotas.select_for_update().order_by("pk").values_list("pk", flat=True))
    rows = {row.school_id: row for row in with_use(quotas)}
    names = dict(School.objects.filter(pk__in=list(new)).values_list("pk", "name"))
    name = (
        programme.name
        if programme is not None
        else FundingProgramme.objects.filter(pk=programme_id).values_list("name", flat=True).get()
    )
    problems = []
    for school_id in sorted(new, key=lambda pk: names.get(pk, "")):
        count, row = new[school_id], rows.get(school_id)
        school = names.get(school_id, school_id)
        if row is None:
            problems.append(
                ngettext(
                    "%(school)s has no quota in %(programme)s: its %(count)s student cannot "
                    "be enrolled in a session this programme funds.",
                    "%(school)s has no quota in %(programme)s: its %(count)s students cannot "
                    "be enrolled in a session this programme funds.",
                    count,
                )
                % {"school": school, "programme": name, "count": count}
            )
        elif count > row.remaining:
            problems.append(
                _(
                    "%(school)s has a quota of %(quota)s students in %(programme)s and "
                    "%(enrolled)s are already enrolled: %(remaining)s place(s) left for "
                    "%(count)s student(s)."
                )
                % {
                    "school": school,
                    "quota": row.quota,
                    "programme": name,
                    "enrolled": row.enrolled,
                    "remaining": max(row.remaining, 0),
                    "count": count,
                }
            )
    return problems


def check_quotas(session: AssessmentSession, candidates: Iterable[Candidate]) -> None:
    """Inside the enrolling transaction: lock the quotas, count again, refuse when over."""
    problems = quota_problems(session, candidates, lock=True)
    if problems:
        raise QuotaExceeded(problems)


def programme_change_problems(
    session: AssessmentSession, programme: FundingProgramme | None
) -> list[str]:
    """Moving a session with enrolled students to another programme: they must fit its quotas."""
    if programme is None or not session.pk or programme.pk == session.programme_id:
        return []
    candidates = Candidate.objects.filter(pk__in=session.enrolments.values("candidate_id")).only(
        "pk", "school_id"
    )
    return quota_problems(session, candidates, programme=programme)


def programme_problems(
    session: AssessmentSession, *, programme, funding, lsp, year: int
) -> list[str]:
    """What forbids this session (of `lsp`, starting in `year`) drawing on `programme`: it must
    be one the LSP may use that year (`usable_by_lsp`), pay as the session's funding source, and
    hold the students already enrolled."""
    if programme is None:
        return []
    usable = FundingProgramme.objects.usable_by_lsp(lsp.pk, year)
    problems = []
    if not usable.filter(pk=programme.pk).exists():
        problems.append(
            _("%(programme)s does not fund sessions of %(lsp)s in %(year)s.")
            % {"programme": programme, "lsp": lsp, "year": year}
        )
    if funding is not None and funding.pk != programme.kind_id:
        problems.append(
            _(
                "%(programme)s pays as “%(kind)s”, not “%(funding)s”: choose that funding "
                "source, or leave the funding source empty to take the programme's."
            )
            % {"programme": programme, "kind": programme.kind.name, "funding": funding.name}
        )
    return problems + programme_change_problems(session, programme)
