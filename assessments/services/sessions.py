"""The rules of a session, each written once and used by pages, the API, the demo and jobs.

- `schedule_problems`: TUK verified, assessors certified and in scope every day, none double-booked.
- `assign_evenly` / `load_problems`: asesi per assessor per day within the LSP's setting.
- `conflicts`: the assessor teaches at the student's school (the LSP's conflict rule).
- `verdict_refusal` / `record_verdict` / `submit_verdicts` / `reopen`: who may record what, when.
- `decision_refusal` / `decide`: the pleno, by someone who did not assess.
- `appeal_refusal` / `grant_reassessment`: FR.AK.04 and the second round.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assessors.models import Assessor
from lsp.access import scope_of
from lsp.audit import write_entry
from lsp.models import AuditEntry, ConflictRule, Lsp, Tuk
from lsp.signals import figures_changed

from ..models import (
    AssessmentSession,
    Candidate,
    Enrolment,
    Scheme,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)

Status = AssessmentSession.Status


def _day(day: datetime.date) -> str:
    return formats.date_format(day)


def span(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


# --- scheduling -----------------------------------------------------------------------------------
def schedule_problems(
    *,
    scheme: Scheme,
    tuk: Tuk,
    start: datetime.date,
    end: datetime.date,
    assessors: Sequence[Assessor],
    session: AssessmentSession | None = None,
) -> dict[str, list[str]]:
    """{field: [messages]} of what forbids this schedule; empty when it may go ahead."""
    problems: dict[str, list[str]] = {}
    days = span(start, end)
    if tuk.lsp_id != scheme.lsp_id:
        problems.setdefault("tuk", []).append(_("The TUK belongs to another LSP."))
    unverified = [d for d in days if not tuk.is_usable_on(d)]
    if unverified:
        problems.setdefault("tuk", []).append(
            _("%(tuk)s is not verified on %(days)s.")
            % {"tuk": tuk, "days": ", ".join(_day(d) for d in unverified)}
        )
    for assessor in assessors:
        for message in _assessor_problems(assessor, scheme, days, session):
            problems.setdefault("assessors", []).append(message)
    return problems


def _assessor_problems(assessor, scheme, days, session) -> list[str]:
    messages = []
    invalid = [d for d in days if not Assessor.objects.valid_on(d).filter(pk=assessor.pk).exists()]
    if invalid:
        messages.append(
            _("%(name)s has no valid assessor certificate on %(days)s.")
            % {"name": assessor, "days": ", ".join(_day(d) for d in invalid)}
        )
    out_of_scope = [
        d
        for d in days
        if not Assessor.objects.may_assess(scheme, d).filter(pk=assessor.pk).exists()
    ]
    if out_of_scope and not invalid:
        messages.append(
            _("%(name)s does not have this scheme in their technical scope on %(days)s.")
            % {"name": assessor, "days": ", ".join(_day(d) for d in out_of_scope)}
        )
    booked = (
        AssessmentSession.objects.overlapping(days[0], days[-1])
        .filter(assignments__assessor=assessor)
        .exclude(pk=getattr(session, "pk", None))
        .order_by("start_date")
    )
    for other in booked:
        messages.append(
            _("%(name)s is already assigned to session %(code)s (%(start)s – %(end)s).")
            % {
                "name": assessor,
                "code": other.code,
                "start": _day(other.start_date),
                "end": _day(other.end_date),
            }
        )
    return messages


def can_move_to(session: AssessmentSession, status: str) -> bool:
    """The statuses follow each other in order; an admin may step forward or back by one."""
    order = list(Status.values)
    return abs(order.index(status) - order.index(session.status)) == 1


# --- enrolling ------------------------------------------------------------------------------------
def capacity(lsp: Lsp) -> int:
    return lsp.max_candidates_per_assessor_day


def load_of(session: AssessmentSession) -> Counter:
    """{(assessor_id, day): asesi} over the session's first-round enrolments."""
    rows = session.enrolments.filter(round=1).values_list("assessor_id", "assessment_date")
    return Counter(rows)


def assign_evenly(
    session: AssessmentSession, candidates: Iterable[Candidate], assessors: Sequence[Assessor]
) -> tuple[list[Enrolment], list[Candidate]]:
    """New enrolments spread over assessors and days, least loaded first, within capacity.

    Returns (enrolments to create, candidates that found no free place). Nothing is saved.
    """
    load = load_of(session)
    limit = capacity(session.lsp)
    slots = [(a, d) for d in session.days for a in assessors]
    planned, left = [], []
    for candidate in candidates:
        free = [(load[(a.pk, d)], i, a, d) for i, (a, d) in enumerate(slots)]
        free = [slot for slot in free if slot[0] < limit]
        if not free:
            left.append(candidate)
            continue
        _, _, assessor, day = min(free, key=lambda slot: (slot[0], slot[1]))
        load[(assessor.pk, day)] += 1
        planned.append(
            Enrolment(
                session=session,
                candidate=candidate,
                assessor=assessor,
                assessment_date=day,
                conflict_of_interest=is_conflict(assessor, candidate),
            )
        )
    return planned, left


def load_problems(session: AssessmentSession, planned: Iterable[Enrolment] = ()) -> list[str]:
    """Each assessor's asesi per day over the LSP's setting, counting the planned ones too."""
    load = load_of(session)
    for enrolment in planned:
        load[(enrolment.assessor_id, enrolment.assessment_date)] += 1
    limit = capacity(session.lsp)
    names = dict(session.assessors.values_list("pk", "full_name"))
    return [
        _("%(name)s would assess %(count)s asesi on %(day)s; the LSP allows %(limit)s a day.")
        % {"name": names.get(a, a), "count": n, "day": _day(d), "limit": limit}
        for (a, d), n in sorted(load.items(), key=lambda item: (item[0][1], item[0][0]))
        if n > limit
    ]


def is_conflict(assessor: Assessor, candidate: Candidate) -> bool:
    """The assessor teaches at the student's school."""
    return assessor.home_school_id is not None and assessor.home_school_id == candidate.school_id


def conflicts(planned: Iterable[Enrolment]) -> list[Enrolment]:
    return [e for e in planned if e.conflict_of_interest]


def conflict_refusal(lsp: Lsp, planned: Sequence[Enrolment]) -> str | None:
    """Under the 'forbid' rule, the message refusing a batch with a conflict of interest."""
    found = conflicts(planned)
    if not found or lsp.conflict_rule != ConflictRule.FORBID:
        return None
    return _(
        "%(count)s asesi would be assessed by an assessor who teaches at their school; "
        "this LSP forbids it. Assign them to another assessor."
    ) % {"count": len(found)}


def conflict_warning(lsp: Lsp, planned: Sequence[Enrolment]) -> str | None:
    """Under the 'warn' rule, one warning for the whole batch (not one per row)."""
    found = conflicts(planned)
    if not found or lsp.conflict_rule != ConflictRule.WARN:
        return None
    names = sorted({str(e.assessor) for e in found})
    return _(
        "%(count)s asesi will be assessed by an assessor who teaches at their school "
        "(%(names)s). Each such assessor must give an impartiality statement."
    ) % {"count": len(found), "names": ", ".join(names)}


# --- verdicts -------------------------------------------------------------------------------------
def verdict_refusal(user, enrolment: Enrolment, *, on: datetime.date | None = None) -> str | None:
    """Why the user may not record this enrolment's verdicts now; None when they may.

    Only the assigned assessor, while the enrolment is not submitted, the session is in
    assessment (or a re-assessment round is open) and their certificate is valid on the day.
    """
    session = enrolment.session
    if enrolment.assessor.user_id != user.pk:
        return _("Only the assessor assigned to this asesi records their verdicts.")
    if enrolment.is_submitted:
        return _("The verdicts were submitted and are locked; the LSP admin can reopen them.")
    if enrolment.round == 1 and session.status != Status.ASSESSING:
        return _("Verdicts are recorded while the session is in assessment.")
    if enrolment.decision:
        return _("This asesi has already been decided.")
    if enrolment.eligibility == Enrolment.Eligibility.NOT_ELIGIBLE:
        return _("This asesi was found not eligible.")
    day = enrolment.assessment_date
    if not Assessor.objects.valid_on(day).filter(pk=enrolment.assessor_id).exists():
        return _("Your assessor certificate is not valid on %(day)s.") % {"day": _day(day)}
    if on is not None and on < day:
        return _("The assessment is on %(day)s.") % {"day": _day(day)}
    return None


def preparation_refusal(user, enrolment: Enrolment, *, admin_may: bool = True) -> str | None:
    """FR.APL.02 and FR.AK.01 come before the verdicts: why the user may not fill them in now.

    The assigned assessor (and, for the self-assessment, the LSP admin on the student's behalf),
    while applications are open or during the assessment, until the verdicts are submitted.
    """
    assigned = enrolment.assessor.user_id == user.pk
    admin = admin_may and Enrolment.objects.editable_by(user).filter(pk=enrolment.pk).exists()
    if not (assigned or admin):
        if admin_may:
            return _("Only the assigned assessor or the LSP admin fills this in.")
        return _("Only the assessor assigned to this asesi agrees the plan with them.")
    if enrolment.is_submitted:
        return _("The verdicts were submitted and are locked; the LSP admin can reopen them.")
    if enrolment.decision:
        return _("This asesi has already been decided.")
    if enrolment.round == 1 and enrolment.session.status not in (Status.OPEN, Status.ASSESSING):
        return _("This is filled in while applications are open or during the assessment.")
    return None


class Refused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def record_verdict(
    user, enrolment: Enrolment, unit_id: int, verdict: str, *, methods=(), notes: str = ""
) -> UnitVerdict:
    refusal = verdict_refusal(user, enrolment)
    if refusal:
        raise Refused(refusal)
    if verdict not in Verdict.values:
        raise Refused(_("Choose K or BK."))
    if not enrolment.session.scheme.units.filter(pk=unit_id).exists():
        raise Refused(_("This unit is not part of the session's scheme."))
    obj, _created = UnitVerdict.objects.update_or_create(
        enrolment=enrolment,
        unit_id=unit_id,
        defaults={
            "verdict": verdict,
            "methods": sorted(set(methods)),
            "notes": notes,
            "recorded_by": user,
        },
    )
    return obj


def missing_units(enrolment: Enrolment) -> list:
    done = enrolment.verdicts.values("unit_id")
    return list(enrolment.session.scheme.units.exclude(pk__in=done).order_by("code"))


@transaction.atomic
def submit_verdicts(user, enrolment: Enrolment) -> None:
    """Lock the enrolment's verdicts; every unit needs one."""
    refusal = verdict_refusal(user, enrolment)
    if refusal:
        raise Refused(refusal)
    missing = missing_units(enrolment)
    if missing:
        raise Refused(
            _("Record a verdict for every unit first: %(units)s.")
            % {"units": ", ".join(u.code for u in missing)}
        )
    enrolment.submitted_at = timezone.now()
    enrolment.save(update_fields=["submitted_at"])
    _mark_assessor_submitted(enrolment)
    _advance_when_all_submitted(enrolment.session)


def _mark_assessor_submitted(enrolment: Enrolment) -> None:
    """The assignment counts as submitted (toward recognition) once all its asesi are."""
    assignment = SessionAssessor.objects.filter(
        session_id=enrolment.session_id, assessor_id=enrolment.assessor_id
    ).first()
    if assignment is None:
        return
    pending = (
        Enrolment.objects.filter(
            session_id=enrolment.session_id, assessor_id=enrolment.assessor_id, submitted_at=None
        )
        .exclude(eligibility=Enrolment.Eligibility.NOT_ELIGIBLE)
        .exists()
    )
    submitted_at = None if pending else (assignment.submitted_at or timezone.now())
    if submitted_at != assignment.submitted_at:
        assignment.submitted_at = submitted_at
        assignment.save(update_fields=["submitted_at"])


def _advance_when_all_submitted(session: AssessmentSession) -> None:
    pending = session.enrolments.filter(round=1, submitted_at=None).exclude(
        eligibility=Enrolment.Eligibility.NOT_ELIGIBLE
    )
    if session.status == Status.ASSESSING and not pending.exists():
        session.status = Status.AWAITING_DECISION
        session.save(update_fields=["status", "updated_at"])


@transaction.atomic
def reopen(user, enrolment: Enrolment, reason: str) -> None:
    """The LSP admin unlocks submitted verdicts, with a reason kept in the audit trail."""
    if not Enrolment.objects.editable_by(user).filter(pk=enrolment.pk).exists():
        raise Refused(_("Only the LSP admin may reopen verdicts."))
    if not reason.strip():
        raise Refused(_("Give the reason for reopening."))
    if enrolment.decision:
        raise Refused(_("This asesi has already been decided."))
    enrolment.submitted_at = None
    enrolment.save(update_fields=["submitted_at"])
    _mark_assessor_submitted(enrolment)
    session = enrolment.session
    if session.status == Status.AWAITING_DECISION and enrolment.round == 1:
        session.status = Status.ASSESSING
        session.save(update_fields=["status", "updated_at"])
    write_entry(
        action=AuditEntry.Action.UPDATE,
        instance=enrolment,
        label=f"Verdik dibuka kembali: {enrolment}",
        changes={"reopened": reason.strip()},
        actor=user,
        lsp_ids={session.lsp_id},
    )


# --- the decision (pleno) -------------------------------------------------------------------------
def decision_refusal(user, enrolments: Iterable[Enrolment]) -> str | None:
    """The decision is taken by an admin of the LSP who assessed none of these asesi."""
    enrolments = list(enrolments)
    if not enrolments:
        return _("There is nothing to decide.")
    lsp_id = enrolments[0].session.lsp_id
    scope = scope_of(user)
    if not (scope.superuser or lsp_id in scope.admin_lsp_ids):
        return _("Only the LSP admin takes the certification decision.")
    if any(e.assessor.user_id == user.pk for e in enrolments):
        return _("You assessed some of these asesi: the decision must be taken by someone else.")
    if any(e.submitted_at is None for e in enrolments):
        return _("Some verdicts have not been submitted yet.")
    return None


@transaction.atomic
def decide(user, session: AssessmentSession, *, notes: str = "", round: int = 1) -> int:
    """Confirm each submitted recommendation as the decision; returns how many were decided."""
    enrolments = list(
        session.enrolments.filter(round=round, decision="")
        .exclude(eligibility=Enrolment.Eligibility.NOT_ELIGIBLE)
        .select_related("assessor", "session")
        .with_recommendation()
    )
    refusal = decision_refusal(user, enrolments)
    if refusal:
        raise Refused(refusal)
    if round == 1 and session.status != Status.AWAITING_DECISION:
        raise Refused(_("The session is not awaiting a decision."))
    if any(e.recommendation is None for e in enrolments):
        raise Refused(_("Some asesi lack a verdict for a unit of the scheme."))
    now = timezone.now()
    for enrolment in enrolments:
        enrolment.decision = enrolment.recommendation
        enrolment.decided_at = now
    Enrolment.objects.bulk_update(enrolments, ["decision", "decided_at"])
    figures_changed.send(Enrolment, session_ids=[session.pk])
    if round == 1:
        session.status = Status.DECIDED
        session.decided_at, session.decided_by, session.decision_notes = now, user, notes
        session.save(update_fields=["status", "decided_at", "decided_by", "decision_notes"])
    write_entry(
        action=AuditEntry.Action.UPDATE,
        instance=session,
        label=f"Keputusan sertifikasi {session.code}: {len(enrolments)} asesi",
        changes={
            "decided": dict(Counter(e.decision for e in enrolments)),
            "round": round,
        },
        actor=user,
        lsp_ids={session.lsp_id},
    )
    return len(enrolments)


# --- appeals --------------------------------------------------------------------------------------
def appeal_deadline(enrolment: Enrolment) -> datetime.date | None:
    if not enrolment.decided_at:
        return None
    decided = timezone.localdate(enrolment.decided_at)
    return decided + datetime.timedelta(days=enrolment.session.lsp.appeal_days)


def appeal_refusal(enrolment: Enrolment, filed_on: datetime.date) -> str | None:
    deadline = appeal_deadline(enrolment)
    if deadline is None:
        return _("An appeal follows the decision; this asesi has not been decided yet.")
    if filed_on > deadline:
        return _("The appeal period ended on %(day)s.") % {"day": _day(deadline)}
    return None


@dataclass(frozen=True)
class Reassessment:
    enrolment: Enrolment
    units: list


@transaction.atomic
def grant_reassessment(
    user, appeal, *, assessor: Assessor, day: datetime.date, reason: str = ""
) -> Reassessment:
    """A second round for the appealed enrolment, with another assessor, on the BK units."""
    first = appeal.enrolment
    session = first.session
    if not Enrolment.objects.editable_by(user).filter(pk=first.pk).exists():
        raise Refused(_("Only the LSP admin decides an appeal."))
    if appeal.outcome != appeal.Outcome.PENDING:
        raise Refused(_("This appeal has already been decided."))
    if assessor.pk == first.assessor_id:
        raise Refused(_("The re-assessment needs another assessor."))
    if not Assessor.objects.may_assess(session.scheme, day).filter(pk=assessor.pk).exists():
        raise Refused(
            _("%(name)s may not assess this scheme on %(day)s.")
            % {"name": assessor, "day": _day(day)}
        )
    second = Enrolment.objects.create(
        session=session,
        candidate=first.candidate,
        assessor=assessor,
        assessment_date=day,
        round=first.round + 1,
        previous=first,
        purpose=first.purpose,
        eligibility=Enrolment.Eligibility.ELIGIBLE,
        conflict_of_interest=is_conflict(assessor, first.candidate),
    )
    # The units found K stay K: carried over, so only the BK units are assessed again.
    kept = list(first.verdicts.filter(verdict=Verdict.K))
    UnitVerdict.objects.bulk_create(
        [
            UnitVerdict(
                enrolment=second,
                unit_id=v.unit_id,
                verdict=Verdict.K,
                methods=v.methods,
                notes=_("Carried over from round %(round)s.") % {"round": first.round},
                recorded_by=v.recorded_by,
            )
            for v in kept
        ]
    )
    SessionAssessor.objects.get_or_create(session=session, assessor=assessor)
    appeal.outcome = appeal.Outcome.GRANTED
    appeal.outcome_reason = reason
    appeal.decided_by, appeal.decided_at = user, timezone.now()
    appeal.reassessment = second
    appeal.save()
    bk_units = list(
        session.scheme.units.filter(
            Q(verdicts__enrolment=first, verdicts__verdict=Verdict.BK)
        ).order_by("code")
    )
    return Reassessment(second, bk_units)
