"""Any dashboard table as Excel: `?table=<name>` plus the page's filters.

The province tables follow the province dashboard's access; a school page's tables (`session`,
`scheme`, `funding` with `school=<id>`) follow the school page's, so an LSP admin downloads what
their school page shows. Bad input (an unknown table, a filter outside the user's choices) is
400 with the reason.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lsp.access import scope_of
from lsp.audit import write_entry
from lsp.models import AuditEntry
from lsp.spreadsheets import workbook_response

from .. import exports
from ..panels import may_view_province
from .drilldown import schools_for
from .province import filtered


def _bad(message) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@login_required
def dashboard_export(request):
    name = request.GET.get("table", "")
    table = exports.TABLES.get(name)
    if table is None:
        return _bad(_("Unknown table “%(name)s”: choose one of %(names)s.") % {
            "name": name, "names": ", ".join(exports.TABLES),
        })  # fmt: skip
    user = request.user
    school_id = request.GET.get("school", "")
    fixed = None
    if table.school_page and school_id and not may_view_province(user):
        if not school_id.isdigit():
            return _bad(_("The school must be given by its number."))
        school = get_object_or_404(schools_for(user), pk=int(school_id))
        fixed = {"regency": None, "school": school.pk}
    elif not may_view_province(user):
        raise PermissionDenied
    form, panels = filtered(request, fixed=fixed)
    if panels is None:
        problems = [f"{form.fields[f].label if f in form.fields else f}: {' '.join(errors)}"
                    for f, errors in form.errors.items()]  # fmt: skip
        return _bad("\n".join(problems))
    rows = exports.rows_of(table, panels)
    totals = panels.totals_of(rows) if table.totals else None
    workbook = exports.workbook(table, rows, totals)
    scope = scope_of(user)
    write_entry(
        action=AuditEntry.Action.EXPORT,
        label=f"Ekspor dasbor: {name} ({len(rows)} baris)",
        changes={"table": name, "filter": panels.filters.as_params()},
        actor=user,
        lsp_ids=scope.admin_lsp_ids,
        province_id=min(scope.viewer_province_ids, default=None),
    )
    return workbook_response(workbook, filename=f"dasbor-{name}-{panels.filters.year}.xlsx")
