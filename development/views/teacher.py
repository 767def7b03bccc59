"""A teacher's semester: their points, activities and what Kompeten suggests they claim."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lsp import pdf
from lsp.audit import write_entry

from .. import services
from ..forms import ActivityForm, RejectForm
from ..models import Activity
from ..rules import Semester, capped, semester_from_request
from .access import get_teacher_or_404


def _semester_context(request, *, teacher, assessor, semester: Semester) -> dict:
    activities = []
    if teacher is not None:
        activities = list(
            teacher.activities.in_semester(semester)
            .select_related("kind", "verified_by", "assessor_certificate", "session")
            .order_by("-end_date", "-pk")
        )
    verified = sum(a.points for a in activities if a.status == Activity.Status.VERIFIED)
    pending = sum(a.points for a in activities if a.status == Activity.Status.PENDING)
    own = teacher is None or teacher.user_id == request.user.id
    verifiable = set()
    if teacher is not None and not own:
        verifiable = set(
            Activity.objects.verifiable_by(request.user)
            .filter(teacher=teacher)
            .values_list("pk", flat=True)
        )
    return {
        "teacher": teacher,
        "assessor": assessor,
        "semester": semester,
        "activities": activities,
        "progress": services.progress(capped(verified)),
        "raw_points": verified,
        "pending_points": pending,
        "suggestions": services.suggestions(assessor, teacher, semester) if own else [],
        "own": own,
        "verifiable": verifiable,
        "reject_form": RejectForm(),
    }


@login_required
def my_development(request):
    """'My development points': the signed-in teacher's (or assessor's) semester."""
    semester = semester_from_request(request)
    teacher = services.own_teacher(request.user)
    assessor = (teacher.assessor if teacher else None) or services.assessor_of(request.user)
    if teacher is None and (assessor is None or assessor.home_school_id is None):
        return render(request, "development/no_teacher.html", {"assessor": assessor}, status=404)
    context = _semester_context(request, teacher=teacher, assessor=assessor, semester=semester)
    return render(request, "development/teacher.html", context)


@login_required
def teacher_detail(request, pk):
    teacher = get_teacher_or_404(request.user, pk)
    semester = semester_from_request(request)
    context = _semester_context(
        request, teacher=teacher, assessor=teacher.assessor, semester=semester
    )
    # Not their own page, so the user manages this teacher (see `workable_teachers`).
    context["may_give_account"] = (
        not context["own"] and teacher.user_id is None and teacher.assessor_id is None
    )
    return render(request, "development/teacher.html", context)


def _teacher_for_recording(request, pk):
    """The teacher an activity is recorded for: one the user manages, or themself."""
    if pk is not None:
        return get_teacher_or_404(request.user, pk), None
    teacher = services.own_teacher(request.user)
    assessor = (teacher.assessor if teacher else None) or services.assessor_of(request.user)
    if teacher is None and (assessor is None or assessor.home_school_id is None):
        raise PermissionDenied
    return teacher, assessor


@login_required
def activity_create(request, pk=None):
    teacher, assessor = _teacher_for_recording(request, pk)
    if teacher is not None and assessor is None:
        assessor = teacher.assessor if teacher.user_id == request.user.id else None
    source_key = request.GET.get("from", "")
    source = services.claimable_source(assessor, source_key)
    if source_key and source is None:
        raise PermissionDenied  # someone else's record, or not one at all
    initial = {}
    if source is not None:
        semester = Semester.of(getattr(source, "end_date", None) or source.issued_on)
        match = next(
            (
                s
                for s in services.suggestions(assessor, teacher, semester)
                if s.source == source_key
            ),
            None,
        )
        if match is None:
            messages.info(request, _("This record is already claimed."))
            return redirect("development_mine")
        initial = {
            "kind": match.kind,
            "title": match.title,
            "organiser": match.organiser,
            "start_date": match.start_date,
            "end_date": match.end_date,
        }
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        teacher=teacher,
        source=source,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if teacher is None:  # an assessor's first activity makes them a teacher
                teacher = services.teacher_of_assessor(assessor)
                form.teacher = form.instance.teacher = teacher
            activity = form.save()
        messages.success(
            request, _("“%(title)s” was recorded and awaits verification.") % {"title": activity}
        )
        return redirect(activity.get_absolute_url())
    return render(
        request,
        "development/activity_form.html",
        {"form": form, "teacher": teacher, "assessor": assessor, "linked": form.linked},
    )


@login_required
def activity_update(request, pk):
    visible = Activity.objects.for_user(request.user).select_related("teacher", "kind")
    activity = get_object_or_404(visible, pk=pk)
    if not Activity.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied  # verified: it no longer changes
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        user=request.user,
        teacher=activity.teacher,
    )
    if request.method == "POST" and form.is_valid():
        activity = form.save()
        messages.success(request, _("“%(title)s” was saved.") % {"title": activity})
        return redirect(activity.get_absolute_url())
    return render(
        request,
        "development/activity_form.html",
        {"form": form, "teacher": activity.teacher, "object": activity, "linked": form.linked},
    )


@login_required
@require_POST
def activity_delete(request, pk):
    activity = get_object_or_404(Activity.objects.for_user(request.user), pk=pk)
    if not Activity.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    url = f"{activity.teacher.get_absolute_url()}?semester={activity.semester.key}"
    activity.delete()
    messages.success(request, _("“%(title)s” was deleted.") % {"title": activity})
    return redirect(url)


@login_required
def activity_evidence(request, pk):
    """The evidence file leaves only through here: to the teacher and their school's admins."""
    visible = Activity.objects.for_user(request.user).exclude(evidence="")
    activity = get_object_or_404(visible, pk=pk)
    response = FileResponse(activity.evidence.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def activity_verify(request, pk):
    activity = get_object_or_404(
        Activity.objects.for_user(request.user).select_related("teacher"), pk=pk
    )
    if not Activity.objects.verifiable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    if request.POST.get("action") == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for the rejection."))
            return redirect(activity.get_absolute_url())
        services.reject(activity, request.user, form.cleaned_data["reason"])
        messages.success(request, _("“%(title)s” was rejected.") % {"title": activity})
    else:
        services.verify(activity, request.user)
        messages.success(request, _("“%(title)s” was verified.") % {"title": activity})
    return redirect(activity.get_absolute_url())


@login_required
def teacher_recap_pdf(request, pk):
    """The semester's recap, to attach as evidence elsewhere (e.g. the national platform)."""
    teacher = get_teacher_or_404(request.user, pk)
    semester = semester_from_request(request)
    activities = list(
        teacher.activities.in_semester(semester)
        .select_related("kind", "verified_by")
        .order_by("end_date", "pk")
    )
    verified = [a for a in activities if a.status == Activity.Status.VERIFIED]
    context = {
        "teacher": teacher,
        "school": teacher.school,
        "semester": semester,
        "activities": verified,
        "others": [a for a in activities if a.status != Activity.Status.VERIFIED],
        "progress": services.progress(capped(sum(a.points for a in verified))),
        "raw_points": sum(a.points for a in verified),
    }
    if teacher.user_id != request.user.id:
        write_entry(
            action="export",
            instance=teacher,
            label=_("Development recap %(semester)s: %(teacher)s")
            % {"semester": semester.key, "teacher": teacher},
            lsp_ids=teacher.audit_scope()[0],
        )
    return pdf.pdf_response(
        "development/pdf/recap.html",
        context,
        filename=f"rekap-pengembangan-{semester.key}-{teacher.full_name}",
        request=request,
    )
