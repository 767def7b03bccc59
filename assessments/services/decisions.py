"""The decision (pleno) and appeals, around the rules in `sessions.py`.

- `pending_enrolments` / `session_decision_refusal`: what the session's pleno decides, and why not.
- `enrolment_decision_refusal` / `decide_enrolment`: a re-assessment round, decided on its own.
- `outcome`: the session's K / BK per asesi (their latest decided round) and its competence rate.
- `appeal_filing_refusal` / `reassessment_refusal` / `grant` / `reject_appeal`: FR.AK.04.
- `history`: the rounds of one asesi in a session, with their verdicts and appeals.

Rule 6 throughout: nobody decides on an asesi they assessed, in any round.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assessors.models import Assessor
from lsp.audit import write_entry
from lsp.models import AuditEntry
from lsp.signals import figures_changed

from ..models import Appeal, AssessmentSession, Enrolment, UnitVerdict, Verdict
from . import sessions as rules
from .sessions import Refused

Status = AssessmentSession.Status


def _day(day: datetime.date) -> str:
    return formats.date_format(day)


# --- the session's pleno --------------------------------------------------------------------------
def pending_enrolments(session: AssessmentSession, *, round: int = 1):
    """What `rules.decide` decides, annotated with the recommendation, by name."""
    return (
        session.enrolments.filter(round=round, decision="")
        .exclude(eligibility=Enrolment.Eligibility.NOT_ELIGIBLE)
        .select_related("candidate__school", "assessor", "session")
        .with_recommendation()
        .order_by("candidate__full_name", "pk")
    )


def session_decision_refusal(user, session: AssessmentSession, enrolments) -> str | None:
    """Why the user may not take the session's decision now; None when they may."""
    refusal = rules.decision_refusal(user, enrolments)
    if refusal:
        return refusal
    if any(e.recommendation is None for e in enrolments):
        return _("Some asesi lack a verdict for a unit of the scheme.")
    if session.status != Status.AWAITING_DECISION:
        return _("The session is not awaiting a decision.")  # decide() refuses it too
    return None


# --- a re-assessment round ------------------------------------------------------------------------
def rounds_of(enrolment: Enrolment):
    """Every round of this asesi in this session, first to last."""
    return Enrolment.objects.filter(
        session_id=enrolment.session_id, candidate_id=enrolment.candidate_id
    ).order_by("round", "pk")


def enrolment_decision_refusal(user, enrolment: Enrolment, assessed_by: set[int]) -> str | None:
    """`assessed_by`: the user ids of the assessors of every round of this asesi."""
    if enrolment.round == 1:
        return _("The first round is decided for the whole session.")
    if enrolment.decision:
        return _("This asesi has already been decided.")
    refusal = rules.decision_refusal(user, [enrolment])
    if refusal:
        return refusal
    if user.pk in assessed_by:
        return _("You assessed this asesi: the decision must be taken by someone else.")
    if getattr(enrolment, "recommendation", None) is None:
        return _("Some asesi lack a verdict for a unit of the scheme.")
    return None


def _assessed_by(enrolment: Enrolment) -> set[int]:
    users = rounds_of(enrolment).values_list("assessor__user_id", flat=True)
    return {u for u in users if u is not None}


@transaction.atomic
def decide_enrolment(user, enrolment: Enrolment, *, notes: str = "") -> str:
    """Confirm a re-assessment round's recommendation as its decision; returns it."""
    enrolment = (
        Enrolment.objects.select_related("assessor", "session", "candidate")
        .with_recommendation()
        .get(pk=enrolment.pk)
    )
    refusal = enrolment_decision_refusal(user, enrolment, _assessed_by(enrolment))
    if refusal:
        raise Refused(refusal)
    # Only if still undecided: two admins confirming at once decide it once.
    decided = Enrolment.objects.filter(pk=enrolment.pk, decision="").update(
        decision=enrolment.recommendation, decided_at=timezone.now()
    )
    if not decided:
        raise Refused(_("This asesi has already been decided."))
    figures_changed.send(Enrolment, session_ids=[enrolment.session_id])
    write_entry(
        action=AuditEntry.Action.UPDATE,
        instance=enrolment,
        label=f"Keputusan sertifikasi {enrolment} (putaran {enrolment.round})",
        changes={"decision": enrolment.recommendation, "round": enrolment.round, "notes": notes},
        actor=user,
        lsp_ids={enrolment.session.lsp_id},
    )
    return enrolment.recommendation


# --- the session's outcome ------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    k: int = 0
    bk: int = 0
    reassessed: int = 0  # asesi whose outcome comes from a later round
    pending_rounds: list = field(default_factory=list)  # later rounds not decided yet

    @property
    def total(self) -> int:
        return self.k + self.bk

    @property
    def rate(self) -> float | None:
        """The competence rate, K / (K + BK), as a percentage."""
        return 100 * self.k / self.total if self.total else None


def outcome(session: AssessmentSession) -> Outcome:
    """Each asesi counted once, with their latest decided round: two queries."""
    latest: dict[int, tuple[int, str]] = {}
    rows = (
        session.enrolments.decided()
        .order_by("round")
        .values_list("candidate_id", "round", "decision")
    )
    for candidate_id, round_, decision in rows:
        latest[candidate_id] = (round_, decision)
    counts = Counter(decision for _round, decision in latest.values())
    pending = list(
        session.enrolments.filter(round__gt=1, decision="")
        .select_related("candidate", "assessor")
        .order_by("candidate__full_name", "pk")
    )
    return Outcome(
        k=counts[Verdict.K],
        bk=counts[Verdict.BK],
        reassessed=sum(1 for round_, _d in latest.values() if round_ > 1),
        pending_rounds=pending,
    )


# --- appeals --------------------------------------------------------------------------------------
def appeal_filing_refusal(
    enrolment: Enrolment, filed_on: datetime.date, *, today: datetime.date | None = None
) -> str | None:
    """An appeal follows a decision, within the LSP's days, once per decision, never ahead."""
    refusal = rules.appeal_refusal(enrolment, filed_on)
    if refusal:
        return refusal
    today = today or timezone.localdate()
    if filed_on > today:
        return _("The filing date cannot be in the future.")
    if filed_on < timezone.localdate(enrolment.decided_at):
        return _("An appeal is filed after the decision of %(day)s.") % {
            "day": _day(timezone.localdate(enrolment.decided_at))
        }
    if enrolment.appeals.exists():
        return _("An appeal against this decision is already recorded.")
    return None


def may_appeal(enrolment: Enrolment, *, today: datetime.date | None = None) -> bool:
    return appeal_filing_refusal(enrolment, today or timezone.localdate(), today=today) is None


def reassessment_choices(appeal: Appeal, *, on: datetime.date | None = None):
    """Assessors of the LSP who may assess the scheme on the day and have not assessed the asesi."""
    first = appeal.enrolment
    session = first.session
    return (
        Assessor.objects.may_assess(session.scheme, on or timezone.localdate())
        .serving([session.lsp_id])
        .exclude(pk__in=rounds_of(first).values("assessor_id"))
        .order_by("full_name", "pk")
    )


def reassessment_refusal(appeal: Appeal, assessor: Assessor, day: datetime.date) -> str | None:
    first = appeal.enrolment
    if appeal.outcome != Appeal.Outcome.PENDING:
        return _("This appeal has already been decided.")
    if not first.verdicts.filter(verdict=Verdict.BK).exists():
        return _("A re-assessment covers the BK units; this asesi has none.")
    if day < appeal.filed_on:
        return _("The re-assessment cannot come before the appeal (%(day)s).") % {
            "day": _day(appeal.filed_on)
        }
    if rounds_of(first).filter(assessor=assessor).exists():
        return _("The re-assessment needs an assessor who has not assessed this asesi.")
    if not reassessment_choices(appeal, on=day).filter(pk=assessor.pk).exists():
        return _("%(name)s may not assess this scheme on %(day)s.") % {
            "name": assessor,
            "day": _day(day),
        }
    return None


@transaction.atomic
def grant(user, appeal: Appeal, *, assessor: Assessor, day: datetime.date, reason: str = ""):
    """`rules.grant_reassessment`, after the checks it leaves to its callers."""
    if not Enrolment.objects.editable_by(user).filter(pk=appeal.enrolment_id).exists():
        raise Refused(_("Only the LSP admin decides an appeal."))
    refusal = reassessment_refusal(appeal, assessor, day)
    if refusal:
        raise Refused(refusal)
    return rules.grant_reassessment(user, appeal, assessor=assessor, day=day, reason=reason)


@transaction.atomic
def reject_appeal(user, appeal: Appeal, reason: str) -> None:
    if not Enrolment.objects.editable_by(user).filter(pk=appeal.enrolment_id).exists():
        raise Refused(_("Only the LSP admin decides an appeal."))
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise Refused(_("This appeal has already been decided."))
    if not reason.strip():
        raise Refused(_("Give the reason for rejecting the appeal."))
    appeal.outcome = Appeal.Outcome.REJECTED
    appeal.outcome_reason = reason.strip()
    appeal.decided_by, appeal.decided_at = user, timezone.now()
    appeal.save()


# --- one asesi's history --------------------------------------------------------------------------
@dataclass
class Round:
    enrolment: Enrolment
    verdicts: list = field(default_factory=list)
    appeal: Appeal | None = None

    @property
    def bk_units(self) -> list:
        return [v.unit for v in self.verdicts if v.verdict == Verdict.BK]

    @property
    def k_count(self) -> int:
        return sum(1 for v in self.verdicts if v.verdict == Verdict.K)


def history(enrolment: Enrolment) -> list[Round]:
    """The asesi's rounds in this session, each with its verdicts and appeal: three queries."""
    enrolments = list(rounds_of(enrolment).select_related("assessor", "session__lsp"))
    ids = [e.pk for e in enrolments]
    verdicts: dict[int, list] = {pk: [] for pk in ids}
    for verdict in (
        UnitVerdict.objects.filter(enrolment_id__in=ids)
        .select_related("unit")
        .order_by("unit__code")
    ):
        verdicts[verdict.enrolment_id].append(verdict)
    appeals: dict[int, Appeal] = {}
    for appeal in (
        Appeal.objects.filter(enrolment_id__in=ids)
        .select_related("decided_by")
        .order_by("filed_on", "pk")
    ):
        appeal.ground_labels = [
            Appeal.Ground(g).label for g in appeal.grounds if g in Appeal.Ground.values
        ]
        appeals[appeal.enrolment_id] = appeal
    return [Round(e, verdicts[e.pk], appeals.get(e.pk)) for e in enrolments]
