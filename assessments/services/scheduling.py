"""Scheduling and enrolling rules the pages need beyond `services.sessions`.

- `suggested_code`: the next free schedule code of an LSP, `JDW/<lsp>/<year>/<nnn>`.
- `status_refusals`: which status moves an admin may make with a button, and why not.
- `enrol_refusal` / `enrol`: when students may still be enrolled; the batch written at once,
  within the funding programme's school quotas (`services.funding`).
- `read_nisn_list` / `resolve_nisns`: an Excel or pasted list of NISNs, each problem by row.
- `age_on` / `is_minor`: the guardian's consent for an asesi under 18 on the assessment day.
- `eligibility_refusal`, `reassignment_problems`, `removal_refusal`: one enrolment's changes.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lsp.audit import write_entry
from lsp.models import AuditEntry, Lsp, School
from lsp.signals import figures_changed
from lsp.spreadsheets import CellError, clean_digits, read_rows

from ..models import AssessmentSession, Candidate, Enrolment, SessionAssessor
from . import funding
from . import sessions as rules

Status = AssessmentSession.Status
ADULT_AGE = 18


# --- the schedule ---------------------------------------------------------------------------------
def suggested_code(lsp: Lsp, year: int) -> str:
    """The next `JDW/<lsp id>/<year>/<nnn>` not yet used by the LSP."""
    prefix = f"JDW/{lsp.pk}/{year}/"
    used = AssessmentSession.objects.filter(lsp=lsp, code__startswith=prefix).values_list(
        "code", flat=True
    )
    numbers = [int(m[1]) for code in used if (m := re.fullmatch(r"(\d+)", code[len(prefix) :]))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# Moves a button may not make: the decision is taken by the pleno (services.sessions.decide),
# and a decision is never undone by stepping the status back.
_NOT_BY_BUTTON = {
    (Status.AWAITING_DECISION, Status.DECIDED),
    (Status.DECIDED, Status.AWAITING_DECISION),
}


def offered_moves(session: AssessmentSession) -> list[str]:
    """The statuses a button may offer from here (the checks run when one is pressed)."""
    return [
        status
        for status in Status.values
        if rules.can_move_to(session, status) and (session.status, status) not in _NOT_BY_BUTTON
    ]


def status_refusals(session: AssessmentSession, status: str) -> list[str]:
    """Why the admin may not move the session to `status` now; empty when they may."""
    if status not in Status.values or not rules.can_move_to(session, status):
        return [_("A session moves one step at a time.")]
    if (session.status, status) in _NOT_BY_BUTTON:
        return [_("The decision is taken in the pleno, not by changing the status.")]
    if status == Status.ASSESSING:
        assessors = [a.assessor for a in session.assignments.select_related("assessor")]
        if not assessors:
            return [_("Assign at least one assessor first.")]
        # Certificates and TUK verifications may have lapsed since the session was planned.
        problems = rules.schedule_problems(
            scheme=session.scheme,
            tuk=session.tuk,
            start=session.start_date,
            end=session.end_date,
            assessors=assessors,
            session=session,
        )
        return [message for messages in problems.values() for message in messages]
    if status == Status.AWAITING_DECISION:
        pending = (
            session.enrolments.filter(round=1, submitted_at=None)
            .exclude(eligibility=Enrolment.Eligibility.NOT_ELIGIBLE)
            .count()
        )
        if pending:
            return [
                ngettext(
                    "%(count)s asesi has no submitted verdicts yet.",
                    "%(count)s asesi have no submitted verdicts yet.",
                    pending,
                )
                % {"count": pending}
            ]
    return []


def removed_assessor_problems(session: AssessmentSession, removed: Iterable) -> list[str]:
    """An assessor who still has asesi in the session cannot be taken off it."""
    removed = list(removed)
    if not removed:
        return []
    counts = dict(
        session.enrolments.filter(assessor__in=removed)
        .order_by()
        .values_list("assessor_id")
        .annotate(n=Count("pk"))
    )
    return [
        ngettext(
            "%(name)s has %(count)s asesi in this session: assign them to another assessor first.",
            "%(name)s has %(count)s asesi in this session: assign them to another assessor first.",
            counts[a.pk],
        )
        % {"name": a, "count": counts[a.pk]}
        for a in removed
        if counts.get(a.pk)
    ]


def days_outside(session: AssessmentSession, start: datetime.date, end: datetime.date) -> int:
    """Enrolments whose assessment day would fall outside new dates."""
    if not session.pk:
        return 0
    return (
        session.enrolments.exclude(assessment_date__gte=start, assessment_date__lte=end)
        .filter(decision="")
        .count()
    )


# --- enrolling ------------------------------------------------------------------------------------
def enrol_refusal(session: AssessmentSession) -> str | None:
    if session.is_locked:
        return _("The session has been decided: no more students can be enrolled.")
    if session.status == Status.AWAITING_DECISION:
        return _("The session awaits its decision: move it back to assessment to enrol students.")
    if not session.assignments.exists():
        return _("Assign assessors to the session first.")
    return None


def eligible_candidates(user, session: AssessmentSession):
    """The students this user may enrol in the session: the LSP's schools', not yet enrolled."""
    return (
        Candidate.objects.for_user(user)
        .filter(school__in=School.objects.of_lsps([session.lsp_id]))
        .exclude(pk__in=session.enrolments.values("candidate_id"))
    )


@dataclass(frozen=True)
class ListProblem:
    row: int
    message: str

    def __str__(self):
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


NISN_COLUMNS = {"nisn": ["NISN"]}


def read_nisn_list(*, file=None, text: str = "") -> list[tuple[int, object]]:
    """(row number, raw cell) from an Excel file's NISN column or from pasted lines.

    Raises SpreadsheetError when the file cannot be read or has no NISN column.
    """
    if file is not None:
        return [
            (row.number, row.values["nisn"])
            for row in read_rows(file, columns=NISN_COLUMNS, required=["nisn"])
        ]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        # A pasted column of Excel cells, or "NISN<TAB>name" lines: the first cell counts.
        cell = re.split(r"[\t;,]", line.strip(), maxsplit=1)[0].strip()
        if cell and not (number == 1 and cell.casefold() == "nisn"):
            rows.append((number, cell))
    return rows


def resolve_nisns(
    rows: Sequence[tuple[int, object]], allowed, session: AssessmentSession
) -> tuple[list[Candidate], list[ListProblem]]:
    """The students named by the rows, and every row that names none (all or nothing)."""
    problems: list[ListProblem] = []
    cleaned: list[tuple[int, str]] = []
    for number, cell in rows:
        try:
            cleaned.append((number, clean_digits(cell, length=10)))
        except CellError as error:
            problems.append(ListProblem(number, str(error.message)))
    found = {c.nisn: c for c in allowed.filter(nisn__in=[n for _, n in cleaned])}
    enrolled = set(
        session.enrolments.filter(candidate__nisn__in=[n for _, n in cleaned]).values_list(
            "candidate__nisn", flat=True
        )
    )
    seen: dict[str, int] = {}
    candidates = []
    for number, nisn in cleaned:
        if nisn in seen:
            problems.append(
                ListProblem(number, _("NISN %(nisn)s repeats row %(row)s.") % {
                    "nisn": nisn, "row": seen[nisn]})
            )  # fmt: skip
            continue
        seen[nisn] = number
        if nisn in enrolled:
            problems.append(
                ListProblem(number, _("NISN %(nisn)s is already enrolled in this session.")
                            % {"nisn": nisn})
            )  # fmt: skip
        elif nisn not in found:
            problems.append(
                ListProblem(
                    number,
                    _("No student of this LSP's schools has NISN %(nisn)s.") % {"nisn": nisn},
                )
            )
        else:
            candidates.append(found[nisn])
    if not rows:
        problems.append(ListProblem(1, _("The list holds no NISN.")))
    problems.sort(key=lambda p: p.row)
    return candidates, problems


@transaction.atomic
def enrol(user, session: AssessmentSession, planned: Sequence[Enrolment]) -> list[Enrolment]:
    """Write the planned enrolments at once, with one audit entry for the batch.

    Every way of enrolling (picked, pasted or uploaded NISNs) comes through here: the funding
    programme's school quotas are checked under a row lock first (`funding.QuotaExceeded`).
    """
    funding.check_quotas(session, [e.candidate for e in planned])
    created = Enrolment.objects.bulk_create(planned)
    figures_changed.send(Enrolment, session_ids=[session.pk])
    write_entry(
        action=AuditEntry.Action.CREATE,
        instance=session,
        label=f"Pendaftaran asesi {session.code}: {len(created)} asesi",
        changes={"enrolled": [e.candidate_id for e in created]},
        actor=user,
        lsp_ids={session.lsp_id},
    )
    return created


def assessors_needing_statement(session: AssessmentSession, planned: Sequence[Enrolment]):
    """The session's assignments of assessors with a conflict and no impartiality statement."""
    ids = {e.assessor_id for e in rules.conflicts(planned)}
    return SessionAssessor.objects.filter(
        session=session, assessor_id__in=ids, impartiality_declared_at=None
    )


# --- one enrolment --------------------------------------------------------------------------------
def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def is_minor(enrolment: Enrolment) -> bool:
    """Under 18 on the assessment day: the APL.01 needs a parent's or guardian's consent."""
    return age_on(enrolment.candidate.birth_date, enrolment.assessment_date) < ADULT_AGE


def change_refusal(enrolment: Enrolment) -> str | None:
    """The application, eligibility and assignment change only until the verdicts are in."""
    if enrolment.decision or enrolment.session.is_locked:
        return _("This asesi has already been decided.")
    if enrolment.is_submitted:
        return _("The verdicts were submitted; the LSP admin must reopen them first.")
    return None


def eligibility_refusal(enrolment: Enrolment, eligibility: str) -> str | None:
    refusal = change_refusal(enrolment)
    if refusal:
        return refusal
    if eligibility == Enrolment.Eligibility.ELIGIBLE:
        if enrolment.applied_at is None:
            return _("Fill in the application (FR.APL.01) first.")
        if is_minor(enrolment) and not enrolment.guardian_consent:
            return _("The asesi is under 18: record the parent's or guardian's consent first.")
    return None


def reassignment_problems(
    enrolment: Enrolment, assessor, day: datetime.date
) -> tuple[list[str], str | None]:
    """(refusals, warning) for moving an enrolment to another assessor or day."""
    refusal = change_refusal(enrolment)
    if refusal:
        return [refusal], None
    if enrolment.verdicts.exists():
        return [
            _("Verdicts have been recorded for this asesi: it can no longer be reassigned.")
        ], None
    session = enrolment.session
    moved = Enrolment(
        session=session,
        candidate=enrolment.candidate,
        assessor=assessor,
        assessment_date=day,
        conflict_of_interest=rules.is_conflict(assessor, enrolment.candidate),
    )
    before = set(rules.load_problems(session))
    refusals = [p for p in rules.load_problems(session, [moved]) if p not in before]
    if forbidden := rules.conflict_refusal(session.lsp, [moved]):
        refusals.append(forbidden)
    return refusals, rules.conflict_warning(session.lsp, [moved])


def removal_refusal(enrolment: Enrolment) -> str | None:
    """An enrolment is removed only before any verdict exists."""
    if enrolment.decision or enrolment.session.is_locked:
        return _("This asesi has already been decided.")
    if enrolment.is_submitted or enrolment.verdicts.exists():
        return _("Verdicts have been recorded for this asesi: the enrolment stays.")
    if enrolment.reassessments.exists() or enrolment.appeals.exists():
        return _("This enrolment has an appeal or a re-assessment: it stays.")
    return None
