"""Enrolling students in a session, and one enrolment: APL.01, eligibility, assignment, files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lsp.access import get_editable_or_deny
from lsp.models import FundingQuota, School
from lsp.spreadsheets import SpreadsheetError

from ..filters_sessions import EnrolCandidateFilter
from ..forms.sessions import ApplicationForm, AssignForm, EligibilityForm, EnrolForm
from ..models import AssessmentSession, Enrolment, Evidence
from ..services import funding, scheduling
from ..services import sessions as rules
from .sessions import flash_problems

LEFT_KEY = "kompeten_enrol_left"
PAGE_SIZE = 50


# --- enrolling ------------------------------------------------------------------------------------
@login_required
def session_enrol(request, pk):
    """Pick students (or paste/upload NISNs), assign them, check load and conflicts, enrol."""
    session = get_editable_or_deny(
        AssessmentSession.objects.select_related("lsp", "scheme", "programme"), request.user, pk=pk
    )
    refusal = scheduling.enrol_refusal(session)
    if refusal:
        messages.error(request, refusal)
        return redirect(session)
    available = scheduling.eligible_candidates(request.user, session)
    form = EnrolForm(
        request.POST or None, request.FILES or None, session=session, candidates=available
    )
    context = {"session": session, "form": form}
    if request.method == "POST" and form.is_valid():
        outcome = _enrol(request, session, form, available)
        if outcome.get("done"):
            return outcome["done"]
        context.update(outcome)
    filterset = EnrolCandidateFilter(
        request.GET,
        queryset=available.select_related("school", "concentration"),
        session=session,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    picked = {str(v) for v in request.POST.getlist("candidates")}
    left = request.session.pop(LEFT_KEY, None)
    context.update(
        {
            "filter": filterset,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "query_without_page": query.urlencode(),
            "picked": picked,
            "left": left["names"] if left and left.get("pk") == session.pk else None,
            "limit": session.lsp.max_candidates_per_assessor_day,
            "quotas": _quotas(session),
        }
    )
    return render(request, "assessments/session_enrol.html", context)


def _quotas(session) -> list:
    """The session's programme's quotas of the LSP's schools: what is left to enrol."""
    if session.programme_id is None:
        return []
    schools = School.objects.of_lsps([session.lsp_id])
    quotas = FundingQuota.objects.filter(programme_id=session.programme_id, school__in=schools)
    return list(funding.with_use(quotas.select_related("school").order_by("school__name")))


def _students(session, form, available) -> tuple[list, list]:
    """(candidates, problems by row) from the ticked boxes or the NISN list."""
    data = form.cleaned_data
    if data["source"] == "pick":
        return list(data["candidates"]), []
    try:
        rows = scheduling.read_nisn_list(file=data.get("nisn_file"), text=data.get("nisn_text", ""))
    except SpreadsheetError as error:
        return [], [str(error.message)]
    candidates, problems = scheduling.resolve_nisns(rows, available, session)
    return candidates, [str(p) for p in problems]


def _enrol(request, session, form, available) -> dict:
    candidates, list_problems = _students(session, form, available)
    if list_problems:
        return {"refusal": _("Nobody was enrolled. Correct the list:"), "problems": list_problems}
    data = form.cleaned_data
    if data["mode"] == EnrolForm.FIXED:
        planned = [
            Enrolment(
                session=session,
                candidate=c,
                assessor=data["assessor"],
                assessment_date=data["day"],
                conflict_of_interest=rules.is_conflict(data["assessor"], c),
            )
            for c in candidates
        ]
        left = []
    else:
        assessors = [a.assessor for a in session.assignments.select_related("assessor")]
        planned, left = rules.assign_evenly(session, candidates, assessors)
    problems = rules.load_problems(session, planned)
    problems += funding.quota_problems(session, [e.candidate for e in planned])
    forbidden = rules.conflict_refusal(session.lsp, planned)
    if forbidden:
        problems.append(forbidden)
    if problems:
        return {"refusal": _("Nobody was enrolled:"), "problems": problems}
    warning = rules.conflict_warning(session.lsp, planned)
    if warning and not data.get("confirm_impartiality"):
        return {
            "confirm": {
                "warning": warning,
                "candidates": candidates,
                "mode": data["mode"],
                "assessor": data["assessor"].pk if data.get("assessor") else "",
                "day": data["day"].isoformat() if data.get("day") else "",
            }
        }
    if not planned:
        return {"refusal": _("Nobody was enrolled:"), "problems": [_("No place is free.")]}
    try:
        created = scheduling.enrol(request.user, session, planned)
    except funding.QuotaExceeded as error:  # another admin took the last places meanwhile
        return {"refusal": _("Nobody was enrolled:"), "problems": error.problems}
    messages.success(
        request,
        ngettext(
            "%(count)s student was enrolled.", "%(count)s students were enrolled.", len(created)
        )
        % {"count": len(created)},
    )
    if warning:
        flash_problems(
            request, session.pk, _("Impartiality statements to record:"), [warning], "warning"
        )
    if left:
        request.session[LEFT_KEY] = {
            "pk": session.pk,
            "names": [f"{c.full_name} ({c.nisn})" for c in left],
        }
        return {"done": redirect("session_enrol", pk=session.pk)}
    return {"done": redirect(session)}


# --- one enrolment --------------------------------------------------------------------------------
def _enrolments(user):
    return Enrolment.objects.for_user(user).select_related(
        "session__scheme",
        "session__tuk",
        "session__lsp",
        "session__funding",
        "candidate__school",
        "candidate__concentration",
        "assessor",
    )


def _editable(user, pk) -> Enrolment:
    get_editable_or_deny(Enrolment.objects, user, pk=pk)
    return _enrolments(user).get(pk=pk)


@login_required
def enrolment_detail(request, pk):
    enrolment = get_object_or_404(_enrolments(request.user), pk=pk)
    can_edit = Enrolment.objects.editable_by(request.user).filter(pk=pk).exists()
    candidate = enrolment.candidate
    context = {
        "enrolment": enrolment,
        "object": enrolment,
        "session": enrolment.session,
        "candidate": candidate,
        "can_edit": can_edit,
        "today": timezone.localdate(),
        "age": scheduling.age_on(candidate.birth_date, enrolment.assessment_date),
        "minor": scheduling.is_minor(enrolment),
        "evidence": list(enrolment.evidence.all()),
        "change_refusal": scheduling.change_refusal(enrolment),
        "removal_refusal": scheduling.removal_refusal(enrolment) if can_edit else None,
    }
    return render(request, "assessments/enrolment_detail.html", context)


def _part(request, enrolment, form, *, title, done, template="assessments/enrolment_form.html"):
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, done)
        return redirect(enrolment)
    context = {
        "form": form,
        "title": title,
        "enrolment": enrolment,
        "session": enrolment.session,
        "evidence": list(enrolment.evidence.all()),
    }
    return render(request, template, context)


def _refused(request, enrolment):
    refusal = scheduling.change_refusal(enrolment)
    if refusal:
        messages.error(request, refusal)
        return redirect(enrolment)
    return None


@login_required
def enrolment_apply(request, pk):
    """FR.APL.01, filled by the admin on the student's behalf."""
    enrolment = _editable(request.user, pk)
    if refused := _refused(request, enrolment):
        return refused
    form = ApplicationForm(
        request.POST or None, request.FILES or None, instance=enrolment, user=request.user
    )
    return _part(
        request,
        enrolment,
        form,
        title=_("Application (FR.APL.01): %(name)s") % {"name": enrolment.candidate},
        done=_("The application was saved."),
    )


@login_required
def enrolment_eligibility(request, pk):
    enrolment = _editable(request.user, pk)
    if refused := _refused(request, enrolment):
        return refused
    form = EligibilityForm(request.POST or None, instance=enrolment, user=request.user)
    return _part(
        request,
        enrolment,
        form,
        title=_("Eligibility: %(name)s") % {"name": enrolment.candidate},
        done=_("The eligibility was recorded."),
    )


@login_required
def enrolment_assign(request, pk):
    """Another assessor or day for one asesi: the daily load and the conflict rule again."""
    enrolment = _editable(request.user, pk)
    if refused := _refused(request, enrolment):
        return refused
    form = AssignForm(request.POST or None, enrolment=enrolment)
    return _part(
        request,
        enrolment,
        form,
        title=_("Assessor and day: %(name)s") % {"name": enrolment.candidate},
        done=_("The assignment was changed."),
    )


@login_required
@require_POST
def enrolment_delete(request, pk):
    enrolment = _editable(request.user, pk)
    refusal = scheduling.removal_refusal(enrolment)
    if refusal:
        messages.error(request, refusal)
        return redirect(enrolment)
    session = enrolment.session
    files = [e.file for e in enrolment.evidence.all()]
    with transaction.atomic():
        enrolment.delete()
    for file in files:
        file.delete(save=False)
    messages.success(
        request,
        _("%(name)s was removed from session %(code)s.")
        % {"name": enrolment.candidate, "code": session.code},
    )
    return redirect(session)


# --- evidence files -------------------------------------------------------------------------------
@login_required
def evidence_file(request, pk):
    """Evidence leaves only through here, for those who may see the enrolment."""
    evidence = get_object_or_404(
        Evidence.objects.filter(enrolment__in=Enrolment.objects.for_user(request.user)), pk=pk
    )
    response = FileResponse(evidence.file.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = get_object_or_404(Evidence.objects.only("pk", "enrolment_id", "file"), pk=pk)
    enrolment = _editable(request.user, evidence.enrolment_id)
    if refused := _refused(request, enrolment):
        return refused
    evidence.file.delete(save=False)
    evidence.delete()
    messages.success(request, _("The evidence was removed."))
    return redirect("enrolment_apply", pk=enrolment.pk)
