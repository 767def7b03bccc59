"""The LSP admin's dashboard (their home): what needs doing, and how the year is going.

Only the LSP's admins and the superuser open it: anyone who cannot see the LSP gets 404, anyone
who sees it without administering it (a Disdikbud viewer, an assessor) 403. Every panel is a
fixed number of queries (`dashboards.services.lsp_panels`).
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.models import Lsp

from .services import figures, lsp_panels


class YearForm(forms.Form):
    """The year of the K/BK and quota panels: this year or one of the trend's years before it."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(today.year, today.year - figures.TREND_YEARS, -1)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.default = today.year

    def chosen(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.default


def administered_lsp(user, pk: int) -> Lsp:
    """The LSP, for its admins and the superuser: 404 when unseen, 403 when only seen."""
    lsp = get_object_or_404(
        Lsp.objects.for_user(user).select_related("province", "host_school"), pk=pk
    )
    scope = scope_of(user)
    if not (scope.superuser or lsp.pk in scope.admin_lsp_ids):
        raise PermissionDenied
    return lsp


def _overview(lsp: Lsp, today: datetime.date) -> dict:
    """The LSP page's cards in brief: schools, TUKs verified today, the licence."""
    warn = datetime.timedelta(days=settings.EXPIRY_WARNING_DAYS)
    until = lsp.licence_valid_until
    return {
        "school_count": lsp.schools().count(),
        "tuk_count": lsp.tuks.count(),
        "tuks_usable_count": lsp.tuks.usable_on(today).count(),
        "licence_lapsed": until is not None and until < today,
        "licence_expiring": until is not None and today <= until <= today + warn,
    }


@login_required
def lsp_dashboard(request, pk):
    lsp = administered_lsp(request.user, pk)
    today = timezone.localdate()
    form = YearForm(request.GET or None, today=today)
    year = form.chosen()
    context = {
        "lsp": lsp,
        "today": today,
        "form": form,
        "year": year,
        "upcoming_days": settings.DASHBOARD_UPCOMING_DAYS,
        "upcoming": lsp_panels.upcoming(lsp, today),
        "awaiting": lsp_panels.awaiting(lsp),
        "to_issue": lsp_panels.to_issue(lsp),
        "watch": lsp_panels.assessor_watch(request.user, lsp, today),
        "schemes": lsp_panels.scheme_figures(request.user, lsp, year, today),
        "quotas": lsp_panels.quota_use(lsp, year),
        **_overview(lsp, today),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "dashboards/lsp_dashboard.html", context, status=status)
