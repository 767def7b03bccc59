"""The assessor's logbook: entries one at a time, their evidence, and the import from Excel.

Admins of the assessor's LSPs add and delete entries; whoever may see the assessor's page (the
assessor themself included) reads them and their evidence. The import is for LSP admins and
uses the shared machinery of `lsp/imports.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lsp.access import get_editable_or_deny
from lsp.imports import (
    Action,
    badge,
    batch_for,
    preview_context,
    recent_batches,
    require_admin,
    shown_rows,
)
from lsp.models import Lsp
from lsp.spreadsheets import workbook_response

from ..forms.logbook import LogbookForm, LogbookImportForm
from ..models import Assessor, LogbookEntry
from ..services import logbook_import as service


# --- one entry ------------------------------------------------------------------------------------
def _visible(user):
    """The entries of the assessors the user may see: the access of the assessor's page."""
    return LogbookEntry.objects.filter(assessor__in=Assessor.objects.for_user(user))


@login_required
def logbook_create(request, pk):
    """404 outside the user's scope, 403 for those who only read the assessor."""
    assessor = get_editable_or_deny(Assessor.objects, request.user, pk=pk)
    form = LogbookForm(
        request.POST or None, request.FILES or None, user=request.user, assessor=assessor
    )
    if request.method == "POST" and form.is_valid():
        entry = form.save()
        messages.success(request, _("The logbook entry was saved."))
        if not _in_window(assessor, entry):
            outside = _("Its date is outside the current certificate: not counted in the window.")
            messages.warning(request, outside)
        return redirect(f"{assessor.get_absolute_url()}#logbook")
    current = assessor.current_certificate
    return render(
        request,
        "assessors/logbook_form.html",
        {"form": form, "assessor": assessor, "current": current},
    )


def _in_window(assessor: Assessor, entry: LogbookEntry) -> bool:
    """Whether the assessor's recognition counts the entry (the rule lives in `recognition`)."""
    recognition = assessor.recognition(timezone.localdate())
    return any(
        c.source == "logbook" and c.date == entry.date and c.scheme == entry.scheme_name
        for c in recognition.counted
    )


@login_required
@require_POST
def logbook_delete(request, pk):
    entry = get_object_or_404(_visible(request.user), pk=pk)
    assessor = get_editable_or_deny(Assessor.objects, request.user, pk=entry.assessor_id)
    entry.delete()
    messages.success(
        request,
        _("The logbook entry of %(date)s was deleted.") % {"date": formats.date_format(entry.date)},
    )
    return redirect(f"{assessor.get_absolute_url()}#logbook")


@login_required
def logbook_evidence(request, pk):
    """The evidence leaves only through here, for those who may see the assessor."""
    entry = get_object_or_404(_visible(request.user).exclude(evidence=""), pk=pk)
    response = FileResponse(entry.evidence.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the import -----------------------------------------------------------------------------------
ACTIONS = (
    Action("create", gettext_lazy("new entries"), gettext_lazy("new"), "success"),
    Action("error", gettext_lazy("with errors"), gettext_lazy("error"), "danger"),
)


@login_required
def logbook_import(request):
    require_admin(request.user)
    form = LogbookImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = service.preview_logbook(
                lsp=form.cleaned_data["lsp"], file=file, filename=file.name, user=request.user
            )
        except service.LogbookImportError as error:
            form.add_error("lsp", error.message)
        else:
            return redirect("logbook_import_preview", pk=batch.pk)
    lsps = list(form.fields["lsp"].queryset)
    names = {lsp.pk: lsp for lsp in lsps}
    batches = recent_batches(request.user, kind=service.KIND)
    for batch in batches:
        batch.target_lsp = names.get(batch.lsp_id)
    return render(
        request,
        "assessors/logbook_import.html",
        {
            "form": form,
            "lsps": lsps,
            "batches": batches,
            "preview_url_name": "logbook_import_preview",
        },
    )


@login_required
def logbook_import_template(request):
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
    workbook = service.logbook_template(lsp=lsp)
    return workbook_response(workbook, filename=f"templat-logbook-asesor-{lsp.pk}.xlsx")


@login_required
def logbook_import_preview(request, pk):
    batch = batch_for(request.user, pk, kind=service.KIND)
    context = preview_context(batch, ACTIONS, request.GET.get("show"))
    return render(
        request,
        "assessors/logbook_import_preview.html",
        {
            **context,
            "batch": batch,
            "lsp": Lsp.objects.filter(pk=batch.lsp_id).first(),
            "list_url": _list_url(batch.lsp_id),
            "rows": _display(shown_rows(batch, context["show"])),
        },
    )


def _list_url(lsp_pk) -> str:
    return f"{reverse('assessor_watch')}?lsp={lsp_pk}"


def _display(rows: list[dict]) -> list[dict]:
    """The stored rows for `includes/import_rows.html`, fields named as the file's headers."""
    label = service.LABELS
    shown = []
    for row in rows:
        values = row["values"]
        who = values.get("assessor_name") or row["raw"].get("met_number", "")
        what = service.describe(values)
        shown.append(
            {
                "number": row["number"],
                "action": row["action"],
                **badge(ACTIONS, row["action"]),
                "name": f"{who} — {what}" if who and what else who or what,
                "ident": values.get("assessor_met", ""),
                "errors": [(label[f], m, row["raw"].get(f, "")) for f, m in row["errors"].items()],
                "notes": [(label[f], m) for f, m in row["notes"].items()],
                "changes": [],
            }
        )
    return shown


@login_required
@require_POST
def logbook_import_commit(request, pk):
    batch = batch_for(request.user, pk, kind=service.KIND)
    try:
        created = service.commit_logbook(batch=batch, user=request.user)
    except service.LogbookImportError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        level = messages.INFO if error.code == "already_committed" else messages.ERROR
        messages.add_message(request, level, error.message)
        return redirect("logbook_import_preview", pk=batch.pk)
    messages.success(request, _("Saved: %(count)s logbook entries.") % {"count": created})
    return redirect(_list_url(batch.target["lsp"]))
