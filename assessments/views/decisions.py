"""The decision (pleno), appeals (FR.AK.04), reporting to BNSP and the session's Excel files.

Access: every page finds its object through `for_user` (404 outside the user's scope) and changes
only through `editable_by` (403 when read-only). The rules are in `services.sessions` and
`services.decisions`; the views only show their refusals.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lsp.access import get_editable_or_deny, get_visible_or_404
from lsp.audit import write_entry
from lsp.models import AuditEntry
from lsp.spreadsheets import build_workbook, workbook_response

from ..forms.decisions import AppealDecisionForm, AppealForm, DecisionForm
from ..models import Appeal, AssessmentSession, Enrolment, SessionAssessor
from ..services import decisions
from ..services import sessions as rules
from ..services.bnsp_list import bnsp_rows, bnsp_workbook
from ..services.sessions import Refused

Status = AssessmentSession.Status


def _fragment_or_page(request, fragment: str, context: dict, *, title: str):
    """htmx loads the fragment into the page; a plain visit gets it inside a page of its own."""
    if request.htmx:
        return render(request, fragment, context)
    return render(
        request,
        "assessments/decision_fragment_page.html",
        {**context, "fragment": fragment, "title": title},
    )


# --- the session's decision -----------------------------------------------------------------------
def _editable_session(request, pk, *related):
    return get_editable_or_deny(
        AssessmentSession.objects.select_related("scheme", "lsp", *related), request.user, pk=pk
    )


@login_required
def session_decide(request, pk):
    """The pleno: the table of asesi with their recommendations, confirmed by a non-assessor."""
    session = _editable_session(request, pk, "decided_by")
    form = DecisionForm(request.POST or None)
    pending = list(decisions.pending_enrolments(session))
    refusal = decisions.session_decision_refusal(request.user, session, pending)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            count = rules.decide(request.user, session, notes=form.cleaned_data["notes"])
        except Refused as refused:
            refusal = refused.message
        else:
            messages.success(
                request,
                _("The decision was recorded for %(count)s asesi.") % {"count": count},
            )
            return redirect(session.get_absolute_url())
    enrolments = pending
    if session.is_locked:  # decided: the table shows what was decided
        enrolments = list(
            session.enrolments.filter(round=1)
            .exclude(decision="")
            .select_related("candidate__school", "assessor")
            .with_recommendation()
            .order_by("candidate__full_name", "pk")
        )
    context = {
        "session": session,
        "enrolments": enrolments,
        "refusal": refusal,
        "form": form,
        "recommended": {
            "K": sum(1 for e in pending if e.recommendation == "K"),
            "BK": sum(1 for e in pending if e.recommendation == "BK"),
        },
        "outcome": decisions.outcome(session) if session.is_locked else None,
    }
    return render(request, "assessments/decision_session.html", context)


@login_required
def session_decision_panel(request, pk):
    """What the session page shows of the decision: loaded by htmx, for whoever sees the session."""
    session = get_visible_or_404(
        AssessmentSession.objects.select_related("decided_by"), request.user, pk=pk
    )
    can_edit = AssessmentSession.objects.editable_by(request.user).filter(pk=session.pk).exists()
    context = {
        "session": session,
        "can_edit": can_edit,
        "is_assessor": SessionAssessor.objects.filter(
            session=session, assessor__user=request.user
        ).exists(),
        "outcome": decisions.outcome(session) if session.is_locked else None,
    }
    return _fragment_or_page(
        request, "assessments/decision_panel.html", context, title=_("Certification decision")
    )


@login_required
@require_POST
def session_reported(request, pk):
    """The BNSP list was sent: decided → reported."""
    session = _editable_session(request, pk)
    if session.status != Status.DECIDED:
        messages.error(request, _("Only a decided session can be marked as reported to BNSP."))
    else:
        session.status = Status.REPORTED
        session.save(update_fields=["status", "updated_at"])
        messages.success(request, _("The session was marked as reported to BNSP."))
    return redirect(session.get_absolute_url())


@login_required
def session_bnsp_list(request, pk):
    """BNSP's blank-request list. Minors' personal data: the LSP's admins only, audited."""
    session = _editable_session(request, pk, "funding")
    if not session.is_locked:
        messages.error(request, _("The BNSP list is made once the session is decided."))
        return redirect(session.get_absolute_url())
    rows = bnsp_rows(session)
    workbook = bnsp_workbook(session, rows)
    write_entry(
        action=AuditEntry.Action.EXPORT,
        instance=session,
        label=f"Daftar permohonan blanko BNSP {session.code} ({len(rows)} asesi)",
        changes={"export": "bnsp_list", "rows": len(rows)},
        actor=request.user,
        lsp_ids={session.lsp_id},
    )
    return workbook_response(workbook, filename=f"daftar-bnsp-{session.code}.xlsx")


RESULT_HEADERS = ["Nama Lengkap", "NISN", "Sekolah", "Kelas", "Asesor", "Putaran"]


@login_required
def session_results(request, pk):
    """The session's verdicts as Excel: admins get every asesi, an assessor their own."""
    session = get_visible_or_404(
        AssessmentSession.objects.select_related("scheme"), request.user, pk=pk
    )
    enrolments = session.enrolments.all()
    if not AssessmentSession.objects.editable_by(request.user).filter(pk=session.pk).exists():
        if not SessionAssessor.objects.filter(
            session=session, assessor__user=request.user
        ).exists():
            raise PermissionDenied
        enrolments = enrolments.filter(assessor__user=request.user)
    units = list(session.scheme.ordered_units())
    enrolments = list(
        enrolments.select_related("candidate__school", "assessor")
        .prefetch_related("verdicts")
        .with_recommendation()
        .order_by("candidate__full_name", "round", "pk")
    )

    def row(e: Enrolment):
        verdicts = {v.unit_id: v.verdict for v in e.verdicts.all()}
        candidate = e.candidate
        return [
            candidate.full_name,
            candidate.nisn,
            candidate.school.name,
            candidate.class_name or candidate.level,
            e.assessor.full_name,
            e.round,
            *(verdicts.get(u.pk, "") for u in units),
            e.recommendation or "",
            e.decision,
        ]

    workbook = build_workbook(
        title=f"Hasil {session.code}",
        headers=RESULT_HEADERS + [u.code for u in units] + ["Rekomendasi", "Keputusan"],
        rows=(row(e) for e in enrolments),
        text_columns={1},
        blank_rows=0,
    )
    write_entry(
        action=AuditEntry.Action.EXPORT,
        instance=session,
        label=f"Hasil asesmen {session.code} ({len(enrolments)} baris)",
        changes={"export": "results", "rows": len(enrolments)},
        actor=request.user,
        lsp_ids={session.lsp_id},
    )
    return workbook_response(workbook, filename=f"hasil-{session.code}.xlsx")


# --- one asesi: re-assessment decision and appeals ------------------------------------------------
def _enrolments():
    return Enrolment.objects.select_related(
        "session__scheme", "session__lsp", "candidate", "assessor"
    )


@login_required
@require_POST
def enrolment_decide(request, pk):
    """The decision on a re-assessment round (round 2 and later), one asesi at a time."""
    enrolment = get_editable_or_deny(_enrolments(), request.user, pk=pk)
    form = DecisionForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        decision = decisions.decide_enrolment(request.user, enrolment, notes=notes)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The decision for %(name)s was recorded: %(decision)s.")
            % {"name": enrolment.candidate, "decision": decision},
        )
    return redirect(enrolment.get_absolute_url())


def _appeal_context(request, enrolment: Enrolment) -> dict:
    user = request.user
    can_edit = Enrolment.objects.editable_by(user).filter(pk=enrolment.pk).exists()
    rounds = decisions.history(enrolment)
    last = rounds[-1].enrolment if rounds else enrolment
    assessed_by = {r.enrolment.assessor.user_id for r in rounds} - {None}
    context = {
        "enrolment": enrolment,
        "session": enrolment.session,
        "can_edit": can_edit,
        "rounds": rounds,
        "last": last,
        "deadline": rules.appeal_deadline(last),
        "last_appeal": rounds[-1].appeal if rounds else None,
        "may_appeal": can_edit and decisions.may_appeal(last),
        "pending_appeal": next(
            (r.appeal for r in rounds if r.appeal and r.appeal.outcome == Appeal.Outcome.PENDING),
            None,
        ),
        "decide_refusal": None,
    }
    if can_edit and last.round > 1 and not last.decision:
        annotated = Enrolment.objects.with_recommendation().get(pk=last.pk)
        last.recommendation = annotated.recommendation
        context["decide_refusal"] = decisions.enrolment_decision_refusal(user, last, assessed_by)
    for r in rounds:  # link only to the rounds the user may open
        r.visible = can_edit or r.enrolment.assessor.user_id == user.pk
    return context


@login_required
def enrolment_appeal_panel(request, pk):
    """An asesi's rounds in the session and their appeal: loaded by htmx on the enrolment page."""
    enrolment = get_visible_or_404(_enrolments(), request.user, pk=pk)
    return _fragment_or_page(
        request,
        "assessments/appeal_panel.html",
        _appeal_context(request, enrolment),
        title=_("Decision and appeal of %(name)s") % {"name": enrolment.candidate},
    )


@login_required
def appeal_create(request, pk):
    """FR.AK.04: the admin records the asesi's appeal, filed within the LSP's days."""
    enrolment = get_editable_or_deny(_enrolments(), request.user, pk=pk)
    if not enrolment.decision:
        messages.error(
            request, _("An appeal follows the decision; this asesi has not been decided yet.")
        )
        return redirect(enrolment.get_absolute_url())
    if enrolment.appeals.exists():
        messages.error(request, _("An appeal against this decision is already recorded."))
        return redirect(enrolment.get_absolute_url())
    form = AppealForm(request.POST or None, user=request.user, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The appeal was recorded."))
        return redirect(enrolment.get_absolute_url())
    return render(
        request,
        "assessments/appeal_form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "deadline": rules.appeal_deadline(enrolment),
            "decided_on": timezone.localdate(enrolment.decided_at),
        },
    )


@login_required
def appeal_decide(request, pk):
    """Reject the appeal with a reason, or grant a re-assessment with another assessor."""
    appeal = get_object_or_404(Appeal.objects.only("pk", "enrolment_id"), pk=pk)
    enrolment = get_editable_or_deny(_enrolments(), request.user, pk=appeal.enrolment_id)
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.enrolment = enrolment
    if appeal.outcome != Appeal.Outcome.PENDING:
        messages.error(request, _("This appeal has already been decided."))
        return redirect(enrolment.get_absolute_url())
    form = AppealDecisionForm(request.POST or None, appeal=appeal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == form.REJECT:
                decisions.reject_appeal(request.user, appeal, data["reason"])
                messages.success(request, _("The appeal was rejected."))
                return redirect(enrolment.get_absolute_url())
            result = decisions.grant(
                request.user,
                appeal,
                assessor=data["assessor"],
                day=data["day"],
                reason=data["reason"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Re-assessment granted: %(name)s assesses %(units)s on %(day)s.")
                % {
                    "name": data["assessor"],
                    "units": ", ".join(u.code for u in result.units),
                    "day": formats.date_format(data["day"]),
                },
            )
            return redirect(result.enrolment.get_absolute_url())
    return render(
        request,
        "assessments/appeal_decide.html",
        {
            "form": form,
            "appeal": appeal,
            "enrolment": enrolment,
            "rounds": decisions.history(enrolment),
        },
    )
