from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lsp.access import get_editable_or_deny, is_lsp_admin
from lsp.models import ImportBatch
from lsp.spreadsheets import build_workbook, workbook_response
from lsp.views.base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView

from ..filters import SchemeFilter, UnitFilter
from ..forms.schemes import CriterionForm, ElementForm, SchemeForm, SchemeImportForm, UnitForm
from ..models import Criterion, Element, Scheme, SchemeUnit, Unit
from ..services import scheme_import as importer


# --- Schemes ----------------------------------------------------------------------------------
class SchemeList(ScopedListView):
    model = Scheme
    filterset_class = SchemeFilter
    list_select_related = ("lsp", "concentration")

    def get_queryset(self):
        # Spelled out: a GROUP BY query drops the model's default ordering.
        return super().get_queryset().annotate(unit_count=Count("units")).order_by("title", "pk")

    may_create = staticmethod(is_lsp_admin)


class SchemeDetail(ScopedDetailView):
    model = Scheme

    def get_queryset(self):
        return super().get_queryset().select_related("lsp", "concentration__programme")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # A fixed number of queries however many units, elements and KUK the scheme has.
        ctx["scheme_units"] = (
            SchemeUnit.objects.filter(scheme=self.object)
            .select_related("unit")
            .prefetch_related(Prefetch("unit__elements", queryset=_element_queryset()))
            .order_by("order", "unit__code")
        )
        return ctx


def _element_queryset():
    return Element.objects.prefetch_related("criteria")


class SchemeCreate(ScopedCreateView):
    model = Scheme
    form_class = SchemeForm

    may_create = staticmethod(is_lsp_admin)


class SchemeUpdate(ScopedUpdateView):
    model = Scheme
    form_class = SchemeForm


# --- Units ------------------------------------------------------------------------------------
class UnitList(ScopedListView):
    model = Unit
    filterset_class = UnitFilter
    list_select_related = ("lsp",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                element_count=Count("elements", distinct=True),
                scheme_count=Count("schemes", distinct=True),
            )
            .order_by("code", "pk")
        )

    may_create = staticmethod(is_lsp_admin)


class UnitDetail(ScopedDetailView):
    model = Unit

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("lsp")
            .prefetch_related(Prefetch("elements", queryset=_element_queryset()))
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["schemes"] = Scheme.objects.for_user(self.request.user).filter(units=self.object)
        if ctx["can_edit"]:
            form = ElementForm(user=self.request.user, auto_id="new-element-%s")
            form.fields["title"].label = _("New element")
            ctx["element_form"] = form
        return ctx


class UnitCreate(ScopedCreateView):
    model = Unit
    form_class = UnitForm

    may_create = staticmethod(is_lsp_admin)


class UnitUpdate(ScopedUpdateView):
    model = Unit
    form_class = UnitForm


# --- Elements and KUK, on the unit's page -----------------------------------------------------
PART_TEMPLATE = "assessments/unit_part_form.html"


def _unit_for_change(user, pk) -> Unit:
    """404 when the unit is not visible, 403 when it is read-only for the user."""
    return get_editable_or_deny(Unit.objects, user, pk=pk)


def _element_for_change(user, pk) -> Element:
    element = get_object_or_404(Element, pk=pk)
    element.unit = _unit_for_change(user, element.unit_id)
    return element


def _criterion_for_change(user, pk) -> Criterion:
    criterion = get_object_or_404(Criterion.objects.select_related("element"), pk=pk)
    criterion.element.unit = _unit_for_change(user, criterion.element.unit_id)
    return criterion


def _edit_part(request, *, form, unit, heading, anchor="", delete_url=None, delete_note=""):
    """The small form for one element or KUK: saved and back to the unit, or shown again."""
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(unit.get_absolute_url() + anchor)
    context = {"form": form, "unit": unit, "heading": heading}
    context |= {"delete_url": delete_url, "delete_note": delete_note}
    return render(request, PART_TEMPLATE, context)


@login_required
def element_create(request, pk):
    unit = _unit_for_change(request.user, pk)
    form = ElementForm(request.POST or None, user=request.user, instance=Element(unit=unit))
    return _edit_part(request, form=form, unit=unit, heading=_("New element"))


@login_required
def element_update(request, pk):
    element = _element_for_change(request.user, pk)
    form = ElementForm(request.POST or None, user=request.user, instance=element)
    return _edit_part(
        request,
        form=form,
        unit=element.unit,
        heading=_("Element %(number)s") % {"number": element.number},
        anchor=f"#element-{element.number}",
        delete_url=reverse("element_delete", args=[element.pk]),
        delete_note=_("Its KUK are deleted too; the elements after it move up one number."),
    )


@login_required
def criterion_create(request, pk):
    element = _element_for_change(request.user, pk)
    instance = Criterion(element=element)
    form = CriterionForm(request.POST or None, user=request.user, instance=instance)
    heading = _("New KUK for element %(number)s") % {"number": element.number}
    anchor = f"#element-{element.number}"
    return _edit_part(request, form=form, unit=element.unit, heading=heading, anchor=anchor)


@login_required
def criterion_update(request, pk):
    criterion = _criterion_for_change(request.user, pk)
    form = CriterionForm(request.POST or None, user=request.user, instance=criterion)
    number = f"{criterion.element.number}.{criterion.number}"
    return _edit_part(
        request,
        form=form,
        unit=criterion.element.unit,
        heading=_("KUK %(number)s") % {"number": number},
        anchor=f"#element-{criterion.element.number}",
        delete_url=reverse("criterion_delete", args=[criterion.pk]),
        delete_note=_("The KUK after it move up one number."),
    )


@login_required
@require_POST
def element_delete(request, pk):
    element = _element_for_change(request.user, pk)
    with transaction.atomic():
        element.delete()  # its KUK go with it
        _close_gap(Element.objects.filter(unit_id=element.unit_id), element.number)
    messages.success(request, _("The element and its KUK were deleted."))
    return redirect(element.unit.get_absolute_url())


@login_required
@require_POST
def criterion_delete(request, pk):
    criterion = _criterion_for_change(request.user, pk)
    with transaction.atomic():
        criterion.delete()
        _close_gap(Criterion.objects.filter(element_id=criterion.element_id), criterion.number)
    messages.success(request, _("The KUK was deleted."))
    element = criterion.element
    return redirect(element.unit.get_absolute_url() + f"#element-{element.number}")


def _close_gap(siblings, number):
    """Renumber what followed a deleted row, so numbers stay 1, 2, 3… (1.1, 1.2… for KUK).

    One row at a time, lowest first: each moves into a number that is already free, so the
    unique (parent, number) constraint holds at every step on every database.
    """
    for pk in siblings.filter(number__gt=number).order_by("number").values_list("pk", flat=True):
        siblings.filter(pk=pk).update(number=F("number") - 1)


# --- Import of a scheme's units ---------------------------------------------------------------
TEMPLATE_HEADERS = [columns[0] for columns in importer.COLUMNS.values()]


@login_required
def scheme_import_template(request):
    """The empty spreadsheet to fill in: one row per KUK."""
    if not is_lsp_admin(request.user):
        raise PermissionDenied
    workbook = build_workbook(
        title="Unit",
        headers=TEMPLATE_HEADERS,
        rows=[],
        text_columns={0},
        widths={0: 20, 1: 45, 2: 45, 3: 45, 4: 60},
    )
    return workbook_response(workbook, filename="templat-unit-skema.xlsx")


@login_required
def scheme_import(request, pk):
    scheme = get_editable_or_deny(Scheme.objects, request.user, pk=pk)
    form = SchemeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = importer.preview_scheme_units(
            scheme=scheme, file=form.cleaned_data["file"], user=request.user
        )
        return redirect("scheme_import_preview", pk=scheme.pk, batch=batch.pk)
    batches = ImportBatch.objects.for_user(request.user).filter(
        kind=importer.KIND, target__scheme=scheme.pk
    )
    context = {"scheme": scheme, "form": form, "headers": TEMPLATE_HEADERS}
    context["batches"] = batches.select_related("created_by")[:5]
    return render(request, "assessments/scheme_import_upload.html", context)


def _batch_for(user, pk, batch_pk) -> tuple[Scheme, ImportBatch]:
    scheme = get_editable_or_deny(Scheme.objects, user, pk=pk)
    batch = get_object_or_404(ImportBatch.objects.for_user(user), pk=batch_pk, kind=importer.KIND)
    if batch.target.get("scheme") != scheme.pk:
        raise Http404
    return scheme, batch


@login_required
def scheme_import_preview(request, pk, batch):
    scheme, batch = _batch_for(request.user, pk, batch)
    units = importer.plan_batch(batch, scheme=scheme)
    planned = {unit.code for unit in units}
    context = {
        "scheme": scheme,
        "batch": batch,
        "units": units,
        "problems": importer.batch_problems(batch),
        "new_count": sum(1 for unit in units if not unit.existing),
        "element_count": sum(len(unit.elements) for unit in units),
        "criteria_count": sum(unit.criteria_count for unit in units),
        "dropped": [u for u in scheme.ordered_units() if u.code not in planned],
    }
    return render(request, "assessments/scheme_import_preview.html", context)


@login_required
@require_POST
def scheme_import_commit(request, pk, batch):
    scheme, batch = _batch_for(request.user, pk, batch)
    try:
        outcome = importer.commit_scheme_units(batch=batch, user=request.user)
    except importer.SchemeImportError as error:
        messages.error(request, error.message)
        return redirect("scheme_import_preview", pk=scheme.pk, batch=batch.pk)
    message = _(
        "Units saved: %(created)s new, %(replaced)s existing with elements and KUK replaced."
    )
    messages.success(
        request, message % {"created": outcome.units_created, "replaced": outcome.units_replaced}
    )
    return redirect(scheme)
