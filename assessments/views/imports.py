"""Importing students from Excel: upload, preview, commit; the work is in the service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lsp.imports import Action, badge, batch_for, preview_context, recent_batches, shown_rows
from lsp.imports import require_admin as _require_admin  # students are minors: admins only
from lsp.models import Concentration, ImportBatch, School
from lsp.spreadsheets import workbook_response

from ..forms.imports import StudentImportForm
from ..services import student_import as service

ACTIONS = (
    Action("create", gettext_lazy("new"), gettext_lazy("new"), "success"),
    Action("update", gettext_lazy("to be updated"), gettext_lazy("will be updated"), "primary"),
    Action("unchanged", gettext_lazy("unchanged"), gettext_lazy("unchanged"), "secondary"),
    Action("error", gettext_lazy("with errors"), gettext_lazy("error"), "danger"),
)


def _batch_for(user, pk) -> ImportBatch:
    return batch_for(user, pk, kind=service.KIND)


@login_required
def candidate_import(request):
    _require_admin(request.user)
    form = StudentImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = service.preview_students(
                school=form.cleaned_data["school"], file=file, filename=file.name, user=request.user
            )
        except service.StudentImportError as error:  # e.g. a school no LSP certifies (superuser)
            form.add_error("school", error.message)
        else:
            return redirect("candidate_import_preview", pk=batch.pk)
    return render(
        request,
        "assessments/candidate_import.html",
        {
            "form": form,
            "schools": form.fields["school"].queryset,
            "batches": _recent(request.user),
            "preview_url_name": "candidate_import_preview",
        },
    )


def _recent(user) -> list[ImportBatch]:
    batches = recent_batches(user, kind=service.KIND)
    schools = School.objects.in_bulk([b.target.get("school") for b in batches])
    for batch in batches:
        batch.school = schools.get(batch.target.get("school"))
    return batches


@login_required
def candidate_import_template(request, school_pk):
    _require_admin(request.user)
    school = get_object_or_404(service.importable_schools(request.user), pk=school_pk)
    workbook = service.student_template(school=school)
    return workbook_response(workbook, filename=f"templat-asesi-{school.npsn}.xlsx")


@login_required
def candidate_import_preview(request, pk):
    batch = _batch_for(request.user, pk)
    context = preview_context(batch, ACTIONS, request.GET.get("show"))
    return render(
        request,
        "assessments/candidate_import_preview.html",
        {
            **context,
            "batch": batch,
            "school": School.objects.filter(pk=batch.target.get("school")).first(),
            "rows": _display(shown_rows(batch, context["show"])),
        },
    )


def _display(rows: list[dict]) -> list[dict]:
    """The stored rows with field names as the file's headers and concentrations by name."""
    concentrations = {c.pk: c.abbreviation for c in Concentration.objects.only("abbreviation")}
    label = {**service.LABELS, "concentration_id": service.LABELS["concentration"]}
    label["level"] = _("Grade")

    def shown(attname, value):
        if attname == "concentration_id":
            return concentrations.get(value, value)
        return "—" if value in ("", None) else value

    return [
        {
            "number": row["number"],
            "action": row["action"],
            **badge(ACTIONS, row["action"]),
            "name": row["values"].get("full_name") or row["raw"].get("full_name", ""),
            "ident": row["values"].get("nisn") or row["raw"].get("nisn", ""),
            "errors": [(label[f], m, row["raw"].get(f, "")) for f, m in row["errors"].items()],
            "notes": [(label[f], m) for f, m in row["notes"].items()],
            "changes": [
                (label[a], shown(a, old), shown(a, new))
                for a, (old, new) in row.get("changes", {}).items()
            ],
        }
        for row in rows
    ]


@login_required
@require_POST
def candidate_import_commit(request, pk):
    batch = _batch_for(request.user, pk)
    try:
        result = service.commit_students(batch=batch, user=request.user)
    except service.StudentImportError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        level = messages.INFO if error.code == "already_committed" else messages.ERROR
        messages.add_message(request, level, error.message)
        return redirect("candidate_import_preview", pk=batch.pk)
    messages.success(
        request,
        _("Saved: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect(f"{reverse('candidate_list')}?school={batch.target['school']}")
