"""The LSP admin's view of their schools' teachers, and Disdikbud's province summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lsp.access import scope_of
from lsp.audit import write_entry
from lsp.models import School
from lsp.spreadsheets import build_workbook, workbook_response

from .. import services
from ..forms import TeacherAccountForm, TeacherForm
from ..models import Teacher
from ..rules import max_points, min_points, semester_from_request
from .access import get_teacher_or_404

PAGE_SIZE = 50


def _admin_schools(user):
    scope = scope_of(user)
    if scope.superuser:
        return School.objects.all()
    if not scope.admin_lsp_ids:
        raise PermissionDenied
    return School.objects.of_lsps(scope.admin_lsp_ids)


def _school_filter(request, schools):
    """The `?school=` chosen among the user's schools; anything else is a bad request."""
    value = request.GET.get("school", "")
    if not value:
        return None
    if not value.isdigit() or not schools.filter(pk=value).exists():
        raise BadRequest(_("Unknown school."))
    return int(value)


def _teacher_rows(request, schools, semester):
    teachers = (
        Teacher.objects.filter(school__in=schools)
        .with_points(semester)
        .annotate(missing=Greatest(Value(min_points()) - F("points"), Value(0)))
        .select_related("school")
        .order_by("school__name", "full_name", "pk")
    )
    school_id = _school_filter(request, schools)
    if school_id:
        teachers = teachers.filter(school_id=school_id)
    if request.GET.get("below") == "1":
        teachers = teachers.filter(points__lt=min_points())
    return teachers, school_id


@login_required
def school_teachers(request):
    """Every teacher of the admin's schools with their semester total; below the minimum first
    to the eye (highlighted), verification one click away."""
    schools = _admin_schools(request.user)
    semester = semester_from_request(request)
    teachers, school_id = _teacher_rows(request, schools, semester)
    page = Paginator(teachers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kept = query.copy()  # the filters the semester arrows keep
    kept.pop("semester", None)
    return render(
        request,
        "development/school_teachers.html",
        {
            "page_obj": page,
            "teachers": page.object_list,
            "semester": semester,
            "schools": schools.order_by("name"),
            "school_id": school_id,
            "below": request.GET.get("below") == "1",
            "min_points": min_points(),
            "max_points": max_points(),
            "missing_assessors": services.assessors_without_teacher(schools),
            "query": query.urlencode(),
            "nav_query": f"&{kept.urlencode()}" if kept else "",
        },
    )


HEADERS = (
    gettext_lazy("School"),
    "NPSN",
    gettext_lazy("Teacher"),
    gettext_lazy("Assessor"),
    gettext_lazy("Verified points"),
    gettext_lazy("Points counted"),
    gettext_lazy("Awaiting verification"),
    gettext_lazy("Missing to the minimum"),
)


@login_required
def school_teachers_export(request):
    schools = _admin_schools(request.user)
    semester = semester_from_request(request)
    teachers, _school = _teacher_rows(request, schools, semester)
    rows = [
        (
            t.school.name,
            t.school.npsn,
            t.full_name,
            _("yes") if t.assessor_id else _("no"),
            t.raw_points,
            t.points,
            t.pending_points,
            t.missing,
        )
        for t in teachers
    ]
    write_entry(
        action="export",
        label=_("Teachers' development points %(semester)s (%(count)s teachers)")
        % {"semester": semester.key, "count": len(rows)},
        lsp_ids=scope_of(request.user).admin_lsp_ids,
    )
    workbook = build_workbook(
        title=_("Development points"),
        headers=[str(h) for h in HEADERS],
        rows=rows,
        text_columns={1},
        blank_rows=0,
    )
    return workbook_response(workbook, filename=f"poin-pengembangan-guru-{semester.key}.xlsx")


@login_required
def teacher_create(request):
    """A teacher of the admin's school who is not an assessor, to record activities for."""
    _admin_schools(request.user)
    form = TeacherForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        teacher = form.save()
        messages.success(request, _("%(name)s was added.") % {"name": teacher})
        return redirect(teacher.get_absolute_url())
    return render(request, "includes/form_page.html", {"form": form})


@login_required
@never_cache
def teacher_account(request, pk):
    """Give a teacher who is not an assessor an account to record their own activities.

    The generated password is shown on this one response and kept nowhere but as a hash."""
    teacher = get_teacher_or_404(request.user, pk)
    if not Teacher.objects.managed_by(request.user).filter(pk=teacher.pk).exists():
        raise PermissionDenied  # the teacher themself
    if teacher.assessor_id is not None:
        raise PermissionDenied  # an assessor's account is kept on the assessor's record
    if teacher.user_id is not None:
        messages.info(request, _("%(name)s already has an account.") % {"name": teacher})
        return redirect(teacher.get_absolute_url())
    form = TeacherAccountForm(
        request.POST or None,
        user=request.user,
        teacher=teacher,
        initial={"username": services.suggest_username(teacher.full_name)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            password = services.give_account(teacher, form.save(commit=False))
        except ValueError:  # given meanwhile, in another tab
            messages.info(request, _("%(name)s already has an account.") % {"name": teacher})
            return redirect(teacher.get_absolute_url())
        return render(
            request,
            "development/teacher_account.html",
            {"teacher": teacher, "account": teacher.user, "password": password},
        )
    return render(request, "development/teacher_account.html", {"teacher": teacher, "form": form})


@login_required
@require_POST
def add_assessors(request):
    """Every assessor teaching at the admin's schools becomes a teacher there."""
    added = services.add_school_assessors(_admin_schools(request.user))
    messages.success(request, _("%(count)s assessors were added as teachers.") % {"count": added})
    return redirect("development_school")


@login_required
def province_summary(request):
    """Disdikbud: per school, how many teachers, below the minimum, at the cap. No one's data."""
    scope = scope_of(request.user)
    if scope.superuser:
        schools = School.objects.all()
    elif scope.viewer_province_ids:
        schools = School.objects.filter(regency__province_id__in=scope.viewer_province_ids)
    else:
        raise PermissionDenied
    semester = semester_from_request(request)
    rows = services.school_summary(schools.values("pk"), semester)
    totals = {key: sum(r[key] for r in rows) for key in ("teachers", "below", "at_cap")}
    return render(
        request,
        "development/province_summary.html",
        {
            "rows": rows,
            "totals": totals,
            "semester": semester,
            "min_points": min_points(),
            "max_points": max_points(),
        },
    )
