"""Importing assessors from Excel: upload, preview, commit; the work is in the service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lsp.imports import (
    Action,
    badge,
    batch_for,
    preview_context,
    recent_batches,
    require_admin,
    shown_rows,
)
from lsp.models import ImportBatch, Lsp
from lsp.spreadsheets import workbook_response

from ..forms.imports import AssessorImportForm
from ..services import imports as service

ACTIONS = (
    Action("create", gettext_lazy("new"), gettext_lazy("new"), "success"),
    Action(
        "link",
        gettext_lazy("added to this LSP"),
        gettext_lazy("already registered elsewhere: will be added to this LSP"),
        "info",
    ),
    Action("error", gettext_lazy("with errors"), gettext_lazy("error"), "danger"),
)


def _batch_for(user, pk) -> ImportBatch:
    return batch_for(user, pk, kind=service.KIND)


def _list_url(lsp_pk) -> str:
    return f"{reverse('assessor_list')}?lsp={lsp_pk}"


@login_required
def assessor_import(request):
    require_admin(request.user)
    form = AssessorImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = service.preview_assessors(
                lsp=form.cleaned_data["lsp"], file=file, filename=file.name, user=request.user
            )
        except service.AssessorImportError as error:
            form.add_error("lsp", error.message)
        else:
            return redirect("assessor_import_preview", pk=batch.pk)
    lsps = list(form.fields["lsp"].queryset)
    return render(
        request,
        "assessors/assessor_import.html",
        {
            "form": form,
            "lsps": lsps,
            "batches": _recent(request.user, lsps),
            "preview_url_name": "assessor_import_preview",
        },
    )


def _recent(user, lsps: list[Lsp]) -> list[ImportBatch]:
    batches = recent_batches(user, kind=service.KIND)
    names = {lsp.pk: lsp for lsp in lsps}
    for batch in batches:
        batch.target_lsp = names.get(batch.lsp_id)
    return batches


@login_required
def assessor_import_template(request):
    """`?lsp=<id>`; without it, the admin's only LSP."""
    require_admin(request.user)
    lsps = service.importable_lsps(request.user)
    wanted = request.GET.get("lsp", "")
    if wanted.isdigit():
        lsp = lsps.filter(pk=int(wanted)).first()
    else:
        found = list(lsps[:2])
        lsp = found[0] if len(found) == 1 else None
    if lsp is None:
        raise Http404
    workbook = service.assessor_template(lsp=lsp)
    return workbook_response(workbook, filename=f"templat-asesor-{lsp.pk}.xlsx")


@login_required
def assessor_import_preview(request, pk):
    batch = _batch_for(request.user, pk)
    context = preview_context(batch, ACTIONS, request.GET.get("show"))
    return render(
        request,
        "assessors/assessor_import_preview.html",
        {
            **context,
            "batch": batch,
            "lsp": Lsp.objects.filter(pk=batch.lsp_id).first(),
            "list_url": _list_url(batch.lsp_id),
            "rows": _display(shown_rows(batch, context["show"])),
        },
    )


def _display(rows: list[dict]) -> list[dict]:
    """The stored rows with field names as the file's headers."""
    label = service.LABELS
    return [
        {
            "number": row["number"],
            "action": row["action"],
            **badge(ACTIONS, row["action"]),
            "name": row["values"].get("full_name") or row["raw"].get("full_name", ""),
            "ident": row["values"].get("met_number") or row["raw"].get("met_number", ""),
            "errors": [(label[f], m, row["raw"].get(f, "")) for f, m in row["errors"].items()],
            "notes": [(label[f], m) for f, m in row["notes"].items()],
            "changes": [],
        }
        for row in rows
    ]


@login_required
@require_POST
def assessor_import_commit(request, pk):
    batch = _batch_for(request.user, pk)
    try:
        result = service.commit_assessors(batch=batch, user=request.user)
    except service.AssessorImportError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        level = messages.INFO if error.code == "already_committed" else messages.ERROR
        messages.add_message(request, level, error.message)
        return redirect("assessor_import_preview", pk=batch.pk)
    messages.success(
        request,
        _(
            "Saved: %(created)s new assessors (%(certificates)s certificates), "
            "%(linked)s already registered elsewhere added to this LSP."
        )
        % {
            "created": result.created,
            "certificates": result.certificates,
            "linked": result.linked,
        },
    )
    return redirect(_list_url(batch.target["lsp"]))
