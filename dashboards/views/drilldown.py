"""Drill-down from the province dashboard: a regency's schools, a school's sessions.

Same filters, same figures: a regency page's totals are the dashboard's row for that regency, a
school page's totals the school's row. Who may open them:
- a regency: Disdikbud viewers of its province and superusers (404 for another province's);
- a school: viewers of its province, superusers, and admins of an LSP certifying it (the host
  or a network school), who see their own LSP's sessions of it; 404 for anyone else.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from lsp.access import scope_of
from lsp.models import Regency, School

from ..panels import may_view_province
from .province import filtered, page


def regencies_for(user):
    scope = scope_of(user)
    if scope.superuser:
        return Regency.objects.all()
    return Regency.objects.filter(province_id__in=scope.viewer_province_ids)


def schools_for(user):
    """The schools whose page the user may open."""
    scope = scope_of(user)
    if scope.superuser:
        return School.objects.all()
    return School.objects.filter(
        Q(regency__province_id__in=scope.viewer_province_ids)
        | Q(pk__in=School.objects.of_lsps(scope.admin_lsp_ids).values("pk"))
    )


@login_required
def regency_dashboard(request, pk):
    if not may_view_province(request.user):
        raise PermissionDenied
    regency = get_object_or_404(regencies_for(request.user).select_related("province"), pk=pk)
    form, panels = filtered(
        request,
        fixed={"regency": regency.pk},
        schools=School.objects.for_user(request.user).filter(regency=regency),
    )
    context = {"regency": regency}
    if panels is not None:
        context.update(
            totals=panels.totals_of(panels.schools),
            charts=panels.charts("all_schools", "scheme", "programme", "trend"),
        )
    return page(request, "dashboards/regency.html", form, panels, **context)


@login_required
def school_dashboard(request, pk):
    school = get_object_or_404(schools_for(request.user).select_related("regency__province"), pk=pk)
    form, panels = filtered(request, fixed={"regency": None, "school": school.pk})
    context = {"school": school, "may_view_province": may_view_province(request.user)}
    if panels is not None:
        context.update(
            totals=panels.totals_of(panels.sessions),
            charts=panels.charts("session", "scheme", "funding"),
        )
    return page(request, "dashboards/school.html", form, panels, **context)
