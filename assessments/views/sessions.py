"""The schedule (jadwal): list, create, edit, status moves, the session page, impartiality."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessors.models import Assessor
from lsp.access import get_editable_or_deny, get_visible_or_404, is_lsp_admin, scope_of
from lsp.views.base import ScopedListView

from ..filters_sessions import SessionFilter
from ..forms.sessions import ImpartialityForm, SessionForm
from ..models import AssessmentSession, Enrolment, SessionAssessor, Verdict
from ..services import scheduling

Status = AssessmentSession.Status
PROBLEMS_KEY = "kompeten_session_problems"


def flash_problems(request, pk: int, title: str, problems: list, level: str = "danger") -> None:
    """Problems shown once on the session page, as a list (toasts are too brief for them)."""
    request.session[PROBLEMS_KEY] = {
        "pk": pk,
        "title": title,
        "lines": [str(p) for p in problems],
        "level": level,
    }


def pop_problems(request, pk: int) -> dict | None:
    flashed = request.session.pop(PROBLEMS_KEY, None)
    return flashed if flashed and flashed.get("pk") == pk else None


def _count_of(model, **filters):
    rows = model.objects.filter(session=OuterRef("pk"), **filters).order_by().values("session")
    return Coalesce(
        Subquery(rows.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
    )


class SessionList(ScopedListView):
    model = AssessmentSession
    filterset_class = SessionFilter
    template_name = "assessments/session_list.html"

    may_create = staticmethod(is_lsp_admin)

    def get_queryset(self):
        return (
            AssessmentSession.objects.for_user(self.request.user)
            .select_related("scheme", "tuk", "lsp", "funding", "programme")
            .annotate(
                enrolled=_count_of(Enrolment, round=1),
                assessor_count=_count_of(SessionAssessor),
            )
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = scope_of(self.request.user)
        ctx["only_assigned"] = not (
            scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids
        )
        return ctx


# --- create and edit ------------------------------------------------------------------------------
@login_required
def session_create(request):
    if not is_lsp_admin(request.user):
        raise PermissionDenied
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("Session %(code)s was scheduled.") % {"code": session.code})
        return redirect(session)
    return render(request, "assessments/session_form.html", {"form": form})


@login_required
def session_update(request, pk):
    session = get_editable_or_deny(AssessmentSession.objects, request.user, pk=pk)
    if session.is_locked:
        messages.error(request, _("The session has been decided: its schedule no longer changes."))
        return redirect(session)
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("Session %(code)s was saved.") % {"code": session.code})
        return redirect(session)
    return render(request, "assessments/session_form.html", {"form": form, "object": session})


@login_required
@require_POST
def session_status(request, pk):
    session = get_editable_or_deny(
        AssessmentSession.objects.select_related("scheme", "tuk"), request.user, pk=pk
    )
    status = request.POST.get("status", "")
    problems = scheduling.status_refusals(session, status)
    if problems:
        flash_problems(request, session.pk, _("The status was not changed:"), problems)
    else:
        session.status = status
        session.save(update_fields=["status", "updated_at"])
        messages.success(
            request, _("The session is now: %(status)s.") % {"status": session.get_status_display()}
        )
    return redirect(session)


@login_required
@require_POST
def session_impartiality(request, pk):
    """The impartiality statement of one assessor: by the LSP admin or the assessor themself."""
    assignment = get_object_or_404(SessionAssessor.objects.select_related("assessor"), pk=pk)
    session = get_visible_or_404(AssessmentSession.objects, request.user, pk=assignment.session_id)
    editable = AssessmentSession.objects.editable_by(request.user).filter(pk=session.pk).exists()
    if not (editable or assignment.assessor.user_id == request.user.pk):
        raise PermissionDenied
    form = ImpartialityForm(request.POST, instance=assignment)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("The impartiality statement of %(name)s was recorded.")
            % {"name": assignment.assessor},
        )
    else:
        flash_problems(
            request,
            session.pk,
            _("The impartiality statement was not recorded:"),
            [e for errors in form.errors.values() for e in errors],
        )
    return redirect(session)


# --- the session page -----------------------------------------------------------------------------
def _moves(session) -> list[tuple[str, str, bool]]:
    """(status, label, forward) of the buttons the admin sees."""
    order = list(Status.values)
    here = order.index(session.status)
    return [
        (status, Status(status).label, order.index(status) > here)
        for status in scheduling.offered_moves(session)
    ]


def _load_table(session, rows, assignments, limit):
    """Per assessor, the asesi on each day of the session, against the LSP's daily limit."""
    cells = defaultdict(int)
    conflicts = defaultdict(int)
    for row in rows:
        cells[(row["assessor_id"], row["assessment_date"])] += row["n"]
        conflicts[row["assessor_id"]] += row["conflicts"]
    days = session.days
    return [
        {
            "assignment": a,
            "days": [
                {"n": cells[(a.assessor_id, d)], "over": cells[(a.assessor_id, d)] > limit}
                for d in days
            ],  # fmt: skip
            "total": sum(cells[(a.assessor_id, d)] for d in days),
            "conflicts": conflicts[a.assessor_id],
        }
        for a in assignments
    ]


@login_required
def session_detail(request, pk):
    user = request.user
    today = timezone.localdate()
    session = get_visible_or_404(
        AssessmentSession.objects.select_related(
            "scheme", "tuk", "lsp", "funding", "programme", "decided_by"
        ),
        user,
        pk=pk,
    )
    scope = scope_of(user)
    can_edit = scope.superuser or session.lsp_id in scope.admin_lsp_ids
    assignments = list(SessionAssessor.objects.filter(session=session).order_by("pk"))
    statuses = {
        a.pk: a
        for a in Assessor.objects.with_status(today).filter(
            pk__in=[x.assessor_id for x in assignments]
        )
    }
    for assignment in assignments:
        assignment.assessor = statuses[assignment.assessor_id]
        assignment.may_declare = can_edit or assignment.assessor.user_id == user.pk
    enrolments = list(
        Enrolment.objects.for_user(user)
        .filter(session=session)
        .select_related("candidate__school", "assessor")
        .with_recommendation()
        .order_by("candidate__full_name", "round", "pk")
    )
    load_rows = list(
        session.enrolments.filter(round=1)
        .order_by()
        .values("assessor_id", "assessment_date")
        .annotate(n=Count("pk"), conflicts=Count("pk", filter=Q(conflict_of_interest=True)))
    )
    counts = session.enrolments.aggregate(
        enrolled=Count("pk", filter=Q(round=1)),
        eligible=Count("pk", filter=Q(round=1, eligibility=Enrolment.Eligibility.ELIGIBLE)),
        not_eligible=Count("pk", filter=Q(round=1, eligibility=Enrolment.Eligibility.NOT_ELIGIBLE)),
        submitted=Count("pk", filter=Q(round=1, submitted_at__isnull=False)),
        k=Count("pk", filter=Q(decision=Verdict.K)),
        bk=Count("pk", filter=Q(decision=Verdict.BK)),
    )
    limit = session.lsp.max_candidates_per_assessor_day
    context = {
        "session": session,
        "object": session,
        "today": today,
        "can_edit": can_edit,
        "enrolments": enrolments,
        "sees_students": can_edit or any(a.assessor.user_id == user.pk for a in assignments),
        "assignments": assignments,
        "load": _load_table(session, load_rows, assignments, limit),
        "limit": limit,
        "counts": counts,
        "moves": _moves(session) if can_edit else [],
        "may_enrol": can_edit and not session.is_locked,
        "problems": pop_problems(request, session.pk),
        "impartiality_form": ImpartialityForm(),
    }
    return render(request, "assessments/session_detail.html", context)
