"""Funding programmes (BANPER and others): list, page with each school's quota use, Excel, edit.

Who sees what: `FundingProgramme.objects.for_user` (the LSP keeping it, the LSPs whose schools it
funds, the province's Disdikbud viewers; assessors nothing) and `editable_by` (the keeping LSP's
admins). Within a programme kept by another LSP, an LSP admin sees only its own schools' rows:
`FundingQuota.objects.for_user`.

The figures are counted where the enrolments live, `assessments.services.funding`; the rows a
user sees are `FundingQuota.objects.for_user`.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lsp.access import get_editable_or_deny, get_visible_or_404, is_lsp_admin, scope_of
from lsp.audit import write_entry
from lsp.models import AuditEntry, FundingProgramme, FundingQuota, Lsp, School
from lsp.spreadsheets import build_workbook, workbook_response
from lsp.views.base import ScopedDetailView, ScopedListView

from ..forms.funding import FundingProgrammeFilter, FundingProgrammeForm, QuotaFormSet
from ..services import funding as rules


def sees_whole(user, programme: FundingProgramme) -> bool:
    scope = scope_of(user)
    return (
        scope.superuser
        or programme.lsp_id in scope.admin_lsp_ids
        or programme.province_id in scope.viewer_province_ids
    )


def school_rows(user, programme: FundingProgramme) -> list:
    """The programme's quotas the user may see, each with its figures, by school name."""
    quotas = (
        FundingQuota.objects.for_user(user)
        .filter(programme=programme)
        .select_related("school__regency")
        .order_by("school__name", "pk")
    )
    return list(rules.with_use(quotas))


# --- list and page --------------------------------------------------------------------------------
class FundingProgrammeList(ScopedListView):
    model = FundingProgramme
    filterset_class = FundingProgrammeFilter
    template_name = "lsp/funding/programme_list.html"
    list_select_related = ("kind", "lsp")

    may_create = staticmethod(is_lsp_admin)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        programmes = list(ctx["object_list"])
        found = rules.totals_by_programme(
            FundingQuota.objects.for_user(self.request.user).filter(
                programme__in=[p.pk for p in programmes]
            )
        )
        empty = rules.QuotaUse()
        for programme in programmes:
            programme.use = found.get(programme.pk, empty)
        ctx["object_list"] = programmes
        return ctx


class FundingProgrammeDetail(ScopedDetailView):
    model = FundingProgramme
    template_name = "lsp/funding/programme_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("kind", "lsp", "province")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, programme = self.request.user, self.object
        rows = school_rows(user, programme)
        sessions = (
            apps.get_model("assessments", "AssessmentSession")
            .objects.for_user(user)
            .filter(programme=programme)
            .select_related("scheme", "lsp")
            .order_by("-start_date", "pk")
        )
        ctx.update(
            {
                "rows": rows,
                "total": rules.totals(rows),
                "whole": sees_whole(user, programme),
                "sessions": sessions,
            }
        )
        return ctx


# --- Excel ----------------------------------------------------------------------------------------
HEADERS = [
    gettext_lazy("School"),
    "NPSN",
    gettext_lazy("Regency"),
    gettext_lazy("Quota"),
    gettext_lazy("Enrolled"),
    gettext_lazy("Assessed"),
    gettext_lazy("Certified"),
    gettext_lazy("Remaining"),
    gettext_lazy("Amount per student (Rp)"),
    gettext_lazy("Budget (Rp)"),
    gettext_lazy("Used (Rp)"),
]


@login_required
def funding_programme_export(request, pk):
    """The per-school table as Excel, for the accountability report; audited like every export."""
    programme = get_visible_or_404(
        FundingProgramme.objects.select_related("kind", "lsp"), request.user, pk=pk
    )
    rows = school_rows(request.user, programme)
    total = rules.totals(rows)
    lines = [
        [
            r.school.name,
            r.school.npsn,
            r.school.regency.name,
            r.quota,
            r.enrolled,
            r.assessed,
            r.certified,
            r.remaining,
            r.amount_per_student,
            r.budget,
            r.used,
        ]
        for r in rows
    ]
    lines.append(
        [
            _("Total"),
            "",
            "",
            total.quota,
            total.enrolled,
            total.assessed,
            total.certified,
            total.remaining,
            None,
            total.budget,
            total.used,
        ]
    )
    workbook = build_workbook(
        title=f"{programme.name} {programme.year}",
        headers=HEADERS,
        rows=lines,
        text_columns={1},
        blank_rows=0,
    )
    scope = scope_of(request.user)
    write_entry(
        action=AuditEntry.Action.EXPORT,
        instance=programme,
        label=f"Ekspor kuota {programme} ({len(rows)} sekolah)",
        actor=request.user,
        lsp_ids=scope.admin_lsp_ids or {programme.lsp_id},
        province_id=programme.province_id,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return workbook_response(workbook, filename=f"kuota-{programme.name}-{stamp}.xlsx")


# --- create and edit ------------------------------------------------------------------------------
@login_required
def funding_programme_create(request):
    if not is_lsp_admin(request.user):
        raise PermissionDenied
    return _edit(request, FundingProgramme())


@login_required
def funding_programme_edit(request, pk):
    programme = get_editable_or_deny(FundingProgramme.objects, request.user, pk=pk)
    return _edit(request, programme)


def _school_choices(user, programme, lsp):
    """Schools a quota may name: the keeping LSP's host and network schools (all the user's
    LSPs' while it is not chosen yet), and those the programme already has."""
    scope = scope_of(user)
    if lsp is not None:
        lsp_ids = [lsp.pk]
    elif scope.superuser:
        lsp_ids = list(Lsp.objects.values_list("pk", flat=True))
    else:
        lsp_ids = list(scope.admin_lsp_ids)
    query = Q(pk__in=School.objects.of_lsps(lsp_ids).values("pk"))
    if programme.pk:
        query |= Q(pk__in=programme.quotas.values("school_id"))
    return School.objects.filter(query)


def _edit(request, programme):
    user = request.user
    form = FundingProgrammeForm(request.POST or None, instance=programme, user=user)
    lsp = form.chosen_lsp
    schools = _school_choices(user, programme, lsp)
    enrolled, new_schools = {}, []
    if programme.pk:  # every school of the programme, with its enrolled students
        enrolled = {r.school_id: r.enrolled for r in rules.with_use(programme.quotas.all())}
    if lsp is not None:
        new_schools = list(
            School.objects.of_lsps([lsp.pk])
            .exclude(pk__in=list(enrolled))
            .order_by("name")
            .values_list("pk", flat=True)
        )
    formset = QuotaFormSet(
        request.POST or None,
        instance=programme,
        prefix="quotas",
        schools=schools,
        new_schools=new_schools,
        enrolled=enrolled,
    )
    if request.method == "POST":
        form_valid = form.is_valid()
        formset.lsp = form.cleaned_data.get("lsp") if form_valid else lsp
        if form_valid and formset.is_valid():
            with transaction.atomic():
                programme = form.save()
                formset.instance = programme
                formset.save()
            messages.success(request, _("%(object)s was saved.") % {"object": programme})
            return redirect(programme)
    return render(
        request,
        "lsp/funding/programme_form.html",
        {"form": form, "formset": formset, "object": programme if programme.pk else None},
    )
