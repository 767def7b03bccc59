"""The assessor at the site, phone first: my sessions, my students, one student at a time.

One student's page holds FR.AK.01 (agreement), FR.APL.02 (self-assessment, filled on the
student's behalf), FR.AK.02 (K/BK per unit, saved unit by unit with htmx, or all at once without
JavaScript) and FR.AK.03 (feedback); then the verdicts are submitted and locked. The session's
FR.AK.05 notes are kept per assessor. The LSP admin reads everything and may reopen.

Who may read: `Enrolment.objects.for_user` (the assigned assessor and the LSP's admins; viewers
see no enrolments, so they get 404 here). Who may record: `services.sessions.verdict_refusal`.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessors.models import Assessor

from ..forms.assessing import (
    AgreementForm,
    FeedbackForm,
    ReopenForm,
    ReportNotesForm,
    SelfAssessmentForm,
    UnitVerdictForm,
)
from ..models import (
    AssessmentSession,
    Enrolment,
    Method,
    SchemeUnit,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from ..services import sessions as rules

STUDENT_ORDER = ("assessment_date", "candidate__full_name", "pk")


def _count(queryset, group: str):
    """A correlated COUNT: one subquery per row of the outer query, no join fan-out."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _method_labels(codes) -> list[str]:
    return [label for value, label in Method.choices if value in codes]


def _own_assessor(user) -> Assessor | None:
    return Assessor.objects.filter(user=user).first()


# --- my assessments -------------------------------------------------------------------------------
@login_required
def assess_home(request):
    """The signed-in assessor's sessions, with their students and how far they are."""
    assessor = _own_assessor(request.user)
    if assessor is None:
        return render(request, "assessments/assess_no_assessor.html", status=404)
    mine = Enrolment.objects.filter(session=OuterRef("pk"), assessor=assessor)
    recorded = UnitVerdict.objects.filter(
        enrolment__session=OuterRef("pk"), enrolment__assessor=assessor
    )
    sessions = list(
        AssessmentSession.objects.for_user(request.user)
        .filter(assignments__assessor=assessor)
        .select_related("scheme", "tuk", "lsp")
        .annotate(
            students=_count(mine, "session"),
            submitted=_count(mine.exclude(submitted_at=None), "session"),
            recorded=_count(recorded, "enrolment__session"),
            unit_count=_count(SchemeUnit.objects.filter(scheme=OuterRef("scheme")), "scheme"),
        )
        .order_by("-start_date", "-pk")
    )
    days = defaultdict(list)
    rows = (
        Enrolment.objects.filter(session__in=[s.pk for s in sessions], assessor=assessor)
        .values_list("session_id", "assessment_date")
        .distinct()
        .order_by("assessment_date")
    )
    for session_id, day in rows:
        days[session_id].append(day)
    for session in sessions:
        session.my_days = days.get(session.pk, [])
        session.expected = session.students * session.unit_count
    return render(
        request,
        "assessments/assess_home.html",
        {
            "assessor": assessor,
            "current": [s for s in sessions if not s.is_locked],
            "past": [s for s in sessions if s.is_locked],
        },
    )


def _session_for(user, pk) -> tuple[AssessmentSession, SessionAssessor | None, bool]:
    """The session, the user's assignment to it (if any) and whether they administer it.

    Viewers may see the session elsewhere but not its students: 404 here.
    """
    session = get_object_or_404(
        AssessmentSession.objects.for_user(user).select_related("scheme", "tuk", "lsp"), pk=pk
    )
    assignment = (
        SessionAssessor.objects.filter(session=session, assessor__user=user)
        .select_related("assessor")
        .first()
    )
    is_admin = AssessmentSession.objects.editable_by(user).filter(pk=session.pk).exists()
    if assignment is None and not is_admin:
        raise Http404
    return session, assignment, is_admin


def _students(user, session, assignment):
    """The assessor's own students; all the session's students for an admin."""
    students = Enrolment.objects.for_user(user).filter(session=session)
    if assignment is not None:
        students = students.filter(assessor=assignment.assessor)
    return students


@login_required
def assess_session(request, pk):
    """The assessor's students in one session: progress, submission and recommendation."""
    session, assignment, is_admin = _session_for(request.user, pk)
    enrolments = list(
        _students(request.user, session, assignment)
        .select_related("candidate", "assessor")
        .with_recommendation()
        .order_by(*STUDENT_ORDER)
    )
    invalid_days = []
    if assignment is not None:
        for day in sorted({e.assessment_date for e in enrolments}):
            if not Assessor.objects.valid_on(day).filter(pk=assignment.assessor_id).exists():
                invalid_days.append(day)
    return render(
        request,
        "assessments/assess_session.html",
        {
            "session": session,
            "assignment": assignment,
            "is_admin": is_admin,
            "enrolments": enrolments,
            "submitted": sum(1 for e in enrolments if e.submitted_at),
            "invalid_days": invalid_days,
        },
    )


# --- one student ----------------------------------------------------------------------------------
def _enrolment_for(user, pk) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.for_user(user).select_related(
            "session__scheme", "session__tuk", "session__lsp", "candidate__school", "assessor"
        ),
        pk=pk,
    )


def _units(enrolment):
    return list(enrolment.session.scheme.ordered_units().prefetch_related("elements"))


def _neighbours(user, enrolment) -> dict:
    """Previous and next student in the same list as `assess_session` shows."""
    students = Enrolment.objects.for_user(user).filter(session_id=enrolment.session_id)
    if enrolment.assessor.user_id == user.pk:
        students = students.filter(assessor_id=enrolment.assessor_id)
    pks = list(students.order_by(*STUDENT_ORDER).values_list("pk", flat=True))
    at = pks.index(enrolment.pk) if enrolment.pk in pks else 0
    return {
        "previous_pk": pks[at - 1] if at > 0 else None,
        "next_pk": pks[at + 1] if at + 1 < len(pks) else None,
        "position": at + 1,
        "count": len(pks),
    }


def _entry_context(request, enrolment, **forms) -> dict:
    """Everything the student's page shows, in a fixed number of queries however many units."""
    user = request.user
    units = forms.pop("units", None) or _units(enrolment)
    saved = {v.unit_id: v for v in enrolment.verdicts.all()}
    answers = {s.element_id: s for s in enrolment.self_assessments.all()}
    refusal = rules.verdict_refusal(user, enrolment)
    assigned = enrolment.assessor.user_id == user.pk
    data = forms.pop("verdict_data", None)
    unit_forms = [UnitVerdictForm(data, unit=u, verdict=saved.get(u.pk)) for u in units]
    for form in unit_forms:
        if data is not None:
            form.is_valid()
    verdicts = {unit_id: v.verdict for unit_id, v in saved.items()}
    is_admin = Enrolment.objects.editable_by(user).filter(pk=enrolment.pk).exists()
    context = {
        "enrolment": enrolment,
        "session": enrolment.session,
        "candidate": enrolment.candidate,
        "units": units,
        "unit_forms": unit_forms,
        "assigned": assigned,
        "may_record": refusal is None,
        "may_agree": rules.preparation_refusal(user, enrolment, admin_may=False) is None,
        "may_self_assess": rules.preparation_refusal(user, enrolment) is None,
        "refusal": refusal if assigned else None,
        "is_admin": is_admin,
        "recommendation": enrolment.compute_recommendation({u.pk for u in units}, verdicts),
        "done": len(verdicts),
        "total": len(units),
        "agreed_labels": _method_labels(enrolment.agreed_methods),
        "method_choices": Method.choices,
        "agreement_form": AgreementForm(initial={"methods": enrolment.agreed_methods}),
        "self_form": SelfAssessmentForm(units=units, answers=answers, proceed=enrolment.proceed),
        "feedback_form": FeedbackForm(instance=enrolment),
        "reopen_form": ReopenForm(),
        **_neighbours(user, enrolment),
    }
    context.update(forms)
    return context


@login_required
def assess_enrolment(request, pk):
    enrolment = _enrolment_for(request.user, pk)
    return render(request, "assessments/assess_enrolment.html", _entry_context(request, enrolment))


def _refused(request, enrolment, message: str):
    return render(
        request,
        "assessments/assess_refused.html",
        {"enrolment": enrolment, "message": message},
        status=403,
    )


def _recording(request, pk) -> tuple[Enrolment, str | None]:
    """The enrolment (404 outside the user's scope) and why the user may not record it now."""
    enrolment = _enrolment_for(request.user, pk)
    return enrolment, rules.verdict_refusal(request.user, enrolment)


def _back(enrolment, anchor=""):
    return redirect(reverse("assess_enrolment", args=[enrolment.pk]) + anchor)


@login_required
@require_POST
def assess_agreement(request, pk):
    """FR.AK.01: the methods agreed with the asesi; the agreement is timed."""
    enrolment = _enrolment_for(request.user, pk)
    refusal = rules.preparation_refusal(request.user, enrolment, admin_may=False)
    if refusal:
        return _refused(request, enrolment, refusal)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        context = _entry_context(request, enrolment, agreement_form=form)
        return render(request, "assessments/assess_enrolment.html", context)
    chosen = set(form.cleaned_data["methods"])
    enrolment.agreed_methods = [m for m in Method.values if m in chosen]
    enrolment.agreed_at = timezone.now()
    enrolment.save(update_fields=["agreed_methods", "agreed_at"])
    messages.success(request, _("The assessment plan was agreed (FR.AK.01)."))
    return _back(enrolment, "#ak01")


@login_required
@require_POST
def assess_self(request, pk):
    """FR.APL.02 on the student's behalf, and the assessor's recommendation to proceed."""
    enrolment = _enrolment_for(request.user, pk)
    refusal = rules.preparation_refusal(request.user, enrolment)
    if refusal:
        return _refused(request, enrolment, refusal)
    units = _units(enrolment)
    existing = {s.element_id: s for s in enrolment.self_assessments.all()}
    form = SelfAssessmentForm(request.POST, units=units, answers=existing)
    if not form.is_valid():
        context = _entry_context(request, enrolment, units=units, self_form=form)
        return render(request, "assessments/assess_enrolment.html", context)
    new, changed = [], []
    for element_id, (answer, evidence) in form.answered.items():
        row = existing.get(element_id)
        if row is None:
            new.append(
                SelfAssessment(
                    enrolment=enrolment, element_id=element_id, answer=answer, evidence=evidence
                )
            )
        elif (row.answer, row.evidence) != (answer, evidence):
            row.answer, row.evidence = answer, evidence
            changed.append(row)
    with transaction.atomic():
        SelfAssessment.objects.bulk_create(new)
        SelfAssessment.objects.bulk_update(changed, ["answer", "evidence"])
        proceed = form.proceed_value()
        if proceed != enrolment.proceed:
            enrolment.proceed = proceed
            enrolment.save(update_fields=["proceed"])
    messages.success(request, _("The self-assessment was saved (FR.APL.02)."))
    return _back(enrolment, "#apl02")


def _recommendation_context(enrolment) -> dict:
    unit_ids = set(enrolment.session.scheme.units.values_list("pk", flat=True))
    verdicts = dict(enrolment.verdicts.values_list("unit_id", "verdict"))
    return {
        "recommendation": enrolment.compute_recommendation(unit_ids, verdicts),
        "done": len(verdicts),
        "total": len(unit_ids),
    }


@login_required
@require_POST
def assess_unit_verdict(request, pk, unit_pk):
    """FR.AK.02 for one unit, saved as the assessor goes.

    To htmx: the unit's saved state (or why it was not saved), and the recomputed
    recommendation swapped out of band. Otherwise back to the page.
    """
    enrolment, refusal = _recording(request, pk)
    unit = get_object_or_404(enrolment.session.scheme.units.all(), pk=unit_pk)
    saved = enrolment.verdicts.filter(unit=unit).first()
    form = UnitVerdictForm(request.POST, unit=unit, verdict=saved)
    state, message, status = "saved", "", 200
    if refusal:
        if not request.htmx:
            return _refused(request, enrolment, refusal)
        state, message, status = "error", refusal, 403
    elif not form.is_valid():
        state, status = "error", 422
        message = _("Not saved: choose K or BK and the methods from the list.")
    elif not form.cleaned_data["verdict"]:
        state, message = "unsaved", _("Not saved yet: choose K or BK.")
    elif form.changes():
        try:
            saved = rules.record_verdict(
                request.user,
                enrolment,
                unit.pk,
                form.cleaned_data["verdict"],
                methods=form.cleaned_data["methods"],
                notes=form.cleaned_data["notes"].strip(),
            )
        except rules.Refused as refused:
            state, message, status = "error", refused.message, 403
    if not request.htmx:
        if state != "saved":
            messages.error(request, f"{unit.code}: {message}")
        return _back(enrolment, f"#unit-{unit.pk}")
    context = {
        "enrolment": enrolment,
        "unit": unit,
        "verdict": saved if state == "saved" else None,
        "state": state,
        "message": message,
        "oob": True,
        **_recommendation_context(enrolment),
    }
    return render(request, "assessments/assess_unit_status.html", context, status=status)


@login_required
@require_POST
def assess_verdicts(request, pk):
    """FR.AK.02 for every unit in one post: the page without JavaScript. All or nothing."""
    enrolment, refusal = _recording(request, pk)
    if refusal:
        return _refused(request, enrolment, refusal)
    units = _units(enrolment)
    saved = {v.unit_id: v for v in enrolment.verdicts.all()}
    forms = [UnitVerdictForm(request.POST, unit=u, verdict=saved.get(u.pk)) for u in units]
    if not all(form.is_valid() for form in forms):
        messages.error(request, _("Some units were not saved: see the marked units."))
        context = _entry_context(request, enrolment, units=units, verdict_data=request.POST)
        return render(request, "assessments/assess_enrolment.html", context)
    count = 0
    with transaction.atomic():
        for form in forms:
            if form.cleaned_data["verdict"] and form.changes():
                rules.record_verdict(
                    request.user,
                    enrolment,
                    form.unit.pk,
                    form.cleaned_data["verdict"],
                    methods=form.cleaned_data["methods"],
                    notes=form.cleaned_data["notes"].strip(),
                )
                count += 1
    messages.success(request, _("Verdicts saved: %(count)s unit(s) changed.") % {"count": count})
    return _back(enrolment, "#ak02")


@login_required
@require_POST
def assess_feedback(request, pk):
    """FR.AK.03: the feedback given to the asesi."""
    enrolment, refusal = _recording(request, pk)
    if refusal:
        return _refused(request, enrolment, refusal)
    form = FeedbackForm(request.POST, instance=enrolment)
    if not form.is_valid():
        context = _entry_context(request, enrolment, feedback_form=form)
        return render(request, "assessments/assess_enrolment.html", context)
    form.save()
    messages.success(request, _("The feedback was saved (FR.AK.03)."))
    return _back(enrolment, "#ak03")


@login_required
@require_POST
def assess_submit(request, pk):
    """Submit the verdicts: they are locked until the LSP admin reopens them."""
    enrolment, refusal = _recording(request, pk)
    if refusal:
        return _refused(request, enrolment, refusal)
    try:
        rules.submit_verdicts(request.user, enrolment)
    except rules.Refused as refused:
        messages.error(request, refused.message)
        return _back(enrolment, "#submit")
    messages.success(
        request,
        _("The verdicts of %(name)s were submitted and are now locked.")
        % {"name": enrolment.candidate.full_name},
    )
    return _back(enrolment)


@login_required
@require_POST
def assess_reopen(request, pk):
    """The LSP admin unlocks submitted verdicts, with a reason kept in the audit trail."""
    enrolment = _enrolment_for(request.user, pk)
    if not Enrolment.objects.editable_by(request.user).filter(pk=enrolment.pk).exists():
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
    else:
        try:
            rules.reopen(request.user, enrolment, form.cleaned_data["reason"])
        except rules.Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("The verdicts of %(name)s were reopened.")
                % {"name": enrolment.candidate.full_name},
            )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _back(enrolment)


@login_required
def assess_verdict_summary(request, pk):
    """The unit verdicts, read-only: the fragment the enrolment page loads for admins."""
    enrolment = _enrolment_for(request.user, pk)
    units = list(enrolment.session.scheme.ordered_units())
    saved = {v.unit_id: v for v in enrolment.verdicts.all()}
    rows = []
    for unit in units:
        verdict = saved.get(unit.pk)
        rows.append((unit, verdict, _method_labels(verdict.methods) if verdict else []))
    return render(
        request,
        "assessments/assess_verdict_summary.html",
        {"enrolment": enrolment, "rows": rows},
    )


# --- FR.AK.05 -------------------------------------------------------------------------------------
@login_required
def assess_report(request, pk):
    """FR.AK.05: per asesi K/BK and the BK units, with each assessor's notes.

    The assessor edits their own notes until the decision; the admin reads every assessor's.
    """
    session, assignment, is_admin = _session_for(request.user, pk)
    editable = assignment is not None and not session.is_locked and session.decided_at is None
    form = ReportNotesForm(request.POST or None, instance=assignment)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            messages.success(request, _("The session report notes were saved (FR.AK.05)."))
            return redirect("assess_report", pk=session.pk)
    enrolments = list(
        _students(request.user, session, assignment)
        .select_related("candidate", "assessor")
        .with_recommendation()
        .order_by("assessor__full_name", *STUDENT_ORDER)
    )
    bk_units = defaultdict(list)
    rows = (
        UnitVerdict.objects.filter(enrolment__in=[e.pk for e in enrolments], verdict=Verdict.BK)
        .order_by("unit__code")
        .values_list("enrolment_id", "unit__code")
    )
    for enrolment_id, code in rows:
        bk_units[enrolment_id].append(code)
    for enrolment in enrolments:
        enrolment.bk_codes = bk_units.get(enrolment.pk, [])
    assignments = (
        [assignment]
        if assignment is not None and not is_admin
        else list(session.assignments.select_related("assessor").order_by("assessor__full_name"))
    )
    return render(
        request,
        "assessments/assess_report.html",
        {
            "session": session,
            "assignment": assignment,
            "assignments": assignments,
            "is_admin": is_admin,
            "editable": editable,
            "form": form,
            "enrolments": enrolments,
        },
    )
