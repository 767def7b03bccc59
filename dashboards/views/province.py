"""The Disdikbud province dashboard and its full school ranking.

Who: Disdikbud viewers (their province) and superusers; anyone else is refused (403), an LSP
admin included: their LSP's figures are on their own dashboard. Every figure is read from
`figures.facts_for(user)`, so a filter can only narrow what the user may see; a filter value
outside the user's choices answers 400 with the form's error and no figures.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from lsp.access import scope_of
from lsp.models import Province

from .. import cache as dashboard_cache
from ..forms import DashboardFilterForm
from ..panels import Panels, may_view_province, query
from ..services import figures

SCHOOLS_PER_PAGE = 50
FIGURES = "dashboards/_province_figures.html"
ASSESSORS = "dashboards/_province_assessors.html"  # included in FIGURES, kept apart
DASHBOARD_CHARTS = ("regency", "school", "scheme", "programme", "trend", "funding")
ASSESSOR_CHARTS = ("assessor_regency", "assessor_scheme", "outcomes")


def filtered(request, *, fixed=None, schools=None):
    """The filter form bound to the query string, and the page's panels when it is valid."""
    today = timezone.localdate()
    form = DashboardFilterForm(
        request.GET,
        user=request.user,
        facts=figures.facts_for(request.user),
        today=today,
        fixed=fixed,
        schools=schools,
        # The choices are the same for everyone of the same scope (a page's own school list
        # is not: it is read afresh).
        kept_as=(scope_of(request.user).cache_key(),) if schools is None else None,
    )
    if not form.is_valid():
        return form, None
    return form, Panels(request.user, form.filters(), today)


def page(request, template, form, panels, **context):
    """Render a dashboard page: 400, with the form's errors and no figures, when invalid."""
    if panels is not None:
        # Links carry the chosen filters; what the page's URL fixes goes only to its downloads.
        context["query"] = query(panels.filters, drop=tuple(form.fixed))
        context["extra"] = urlencode({k: v for k, v in form.fixed.items() if v is not None})
        context["filters"] = panels.filters
    context.update(form=form, panels=panels, provinces=provinces_of(request.user))
    return render(request, template, context, status=200 if panels is not None else 400)


def provinces_of(user) -> list:
    """The provinces the user views (none listed for a superuser: all of them)."""
    scope = scope_of(user)
    if scope.superuser:
        return []
    return list(Province.objects.filter(pk__in=scope.viewer_province_ids).order_by("name"))


def _require_province_view(user):
    if not may_view_province(user):
        raise PermissionDenied


@login_required
def province_dashboard(request):
    _require_province_view(request.user)
    form, panels = filtered(request)
    if panels is None:
        return page(request, "dashboards/province.html", form, panels)
    context = {"panels": panels, "query": query(panels.filters), "filters": panels.filters}

    scope = scope_of(request.user).cache_key()
    filters = sorted(panels.filters.as_params().items())

    # Each only when the cache has not kept it (dashboards/cache.py); our own templates.
    def assessors():  # kept until the registry moves
        charts = panels.charts(*ASSESSOR_CHARTS)
        return render_to_string(ASSESSORS, {**context, "charts": charts}, request=request)

    def figures():  # kept until any figure moves
        charts = panels.charts(*DASHBOARD_CHARTS)
        kept = dashboard_cache.fragment((ASSESSORS, scope, filters), assessors, registry=True)
        values = {**context, "charts": charts, "assessors": mark_safe(kept)}
        return render_to_string(FIGURES, values, request=request)

    html = mark_safe(dashboard_cache.fragment((FIGURES, scope, filters), figures))
    return page(request, "dashboards/province.html", form, panels, figures=html)


@login_required
def province_schools(request):
    """Every school of the dashboard's filter, ranked, a page at a time."""
    _require_province_view(request.user)
    form, panels = filtered(request)
    context = {}
    if panels is not None:
        page_obj = Paginator(panels.schools, SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "page_obj": page_obj,
            "paginator": page_obj.paginator,
            "is_paginated": page_obj.has_other_pages(),
            "query_without_page": query(panels.filters),
            "school_totals": panels.totals_of(panels.schools),
        }
    return page(request, "dashboards/province_schools.html", form, panels, **context)
