"""The certificate pages for staff: list, detail, Excel, blank numbers, revoking, reissuing,
BNSP's import.

LSP admins read and change their LSP's certificates; Disdikbud viewers read their province's
(no birth date, no changes: 403 on every POST); other LSPs' certificates are 404; assessors and
users without these roles are refused (403). The public verification page is in `verify.py`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments.services.sessions import Refused
from lsp.access import get_editable_or_deny, scope_of
from lsp.audit import write_entry
from lsp.imports import (
    Action,
    badge,
    batch_for,
    preview_context,
    recent_batches,
    require_admin,
    shown_rows,
)
from lsp.models import AuditEntry, Lsp
from lsp.spreadsheets import build_workbook, workbook_response
from lsp.views.base import ScopedListView

from ..filters import STATES, CertificateFilter
from ..forms import BlankImportForm, BlankNumberForm, ReissueForm, RevokeForm
from ..models import Certificate
from ..services import blanks as blank_service
from ..services.reissuing import reissue, reissue_refusal
from ..services.revoking import revoke, revoke_refusal

STATE_LABELS = dict(STATES)
LIST_FIELDS = (
    "lsp_id",
    "session__code",
    "holder_name",
    "number",
    "blank_number",
    "scheme_title",
    "lsp_name",
    "issued_on",
    "valid_until",
    "status",
    "sequence",
)


def require_reader(user) -> None:
    """For LSP admins, viewers and the superuser; being an assessor is not enough."""
    scope = scope_of(user)
    if not (scope.superuser or scope.admin_lsp_ids or scope.viewer_province_ids):
        raise PermissionDenied


def _listed(user):
    return Certificate.objects.for_user(user).select_related("session").only(*LIST_FIELDS)


class CertificateList(ScopedListView):
    model = Certificate
    filterset_class = CertificateFilter
    template_name = "certificates/certificate_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_reader(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return _listed(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for certificate in ctx["object_list"]:
            certificate.state = certificate.state_on(today)
        scope = scope_of(self.request.user)
        ctx["may_import"] = scope.superuser or bool(scope.admin_lsp_ids)
        ctx["show_lsp"] = bool(
            scope.superuser or scope.viewer_province_ids or len(scope.admin_lsp_ids) > 1
        )
        return ctx


# --- one certificate ------------------------------------------------------------------------------
def _detail_context(request, certificate: Certificate, **forms) -> dict:
    user = request.user
    can_edit = Certificate.objects.editable_by(user).filter(pk=certificate.pk).exists()
    state = certificate.state_on(timezone.localdate())
    replaces = getattr(certificate, "replaces", None)
    context = {
        "certificate": certificate,
        "object": certificate,
        "state": state,
        "can_edit": can_edit,
        # The birth date is students' personal data: the LSP's admins only, never viewers.
        "personal": can_edit,
        "verification_url": f"{settings.SITE_URL}{certificate.get_verification_url()}",
        "replaces": replaces,
        "revoke_refusal": revoke_refusal(user, certificate) if can_edit else None,
        "reissue_refusal": reissue_refusal(user, certificate) if can_edit else None,
        # The PDF prints the birth date: for the LSP's admins, while the certificate is in force.
        "may_download": can_edit and state in ("valid", "expired"),
    }
    if can_edit:
        context["blank_form"] = forms.get("blank_form") or BlankNumberForm(certificate=certificate)
        context["revoke_form"] = forms.get("revoke_form") or RevokeForm()
        context["reissue_form"] = forms.get("reissue_form") or ReissueForm()
    return context


DETAIL_RELATED = ("session", "replaced_by", "revoked_by", "replaces", "reissued_by")


def _visible(user, pk) -> Certificate:
    require_reader(user)
    return get_object_or_404(
        Certificate.objects.for_user(user).select_related(*DETAIL_RELATED), pk=pk
    )


def _editable(user, pk) -> Certificate:
    """404 outside the user's scope, 403 for those who only read (viewers)."""
    require_reader(user)
    return get_editable_or_deny(Certificate.objects.select_related(*DETAIL_RELATED), user, pk=pk)


@login_required
def certificate_detail(request, pk):
    certificate = _visible(request.user, pk)
    return render(
        request, "certificates/certificate_detail.html", _detail_context(request, certificate)
    )


@login_required
@require_POST
def certificate_blank(request, pk):
    certificate = _editable(request.user, pk)
    form = BlankNumberForm(request.POST, certificate=certificate)
    if not form.is_valid():
        context = _detail_context(request, certificate, blank_form=form)
        return render(request, "certificates/certificate_detail.html", context, status=400)
    certificate.blank_number = form.cleaned_data["blank_number"]
    certificate.save(update_fields=["blank_number"])  # audited by the save
    messages.success(request, _("The blank number was saved."))
    return redirect(certificate.get_absolute_url())


@login_required
@require_POST
def certificate_revoke(request, pk):
    certificate = _editable(request.user, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, certificate, revoke_form=form)
        return render(request, "certificates/certificate_detail.html", context, status=400)
    try:
        revoke(request.user, certificate, form.cleaned_data["reason"])
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s was revoked. It now verifies as revoked.")
            % {"number": certificate.number},
        )
    return redirect(certificate.get_absolute_url())


@login_required
@require_POST
def certificate_reissue(request, pk):
    certificate = _editable(request.user, pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, certificate, reissue_form=form)
        return render(request, "certificates/certificate_detail.html", context, status=400)
    try:
        new = reissue(request.user, certificate, form.cleaned_data["reason"])
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(certificate.get_absolute_url())
    messages.success(
        request,
        _(
            "Certificate %(new)s was issued to replace %(old)s, which now verifies as replaced. "
            "Print the new one."
        )
        % {"new": new.number, "old": certificate.number},
    )
    return redirect(new.get_absolute_url())


# --- Excel ----------------------------------------------------------------------------------------
HEADERS = [
    "Nama",
    "No. Sertifikat",
    "No. Blanko",
    "Skema",
    "Kode Jadwal",
    "LSP",
    "Tanggal Terbit",
    "Berlaku s.d.",
    "Status",
]


@login_required
def certificate_export(request):
    """The filtered list as Excel: names, numbers, dates; no NIK, NISN or birth date. Audited."""
    require_reader(request.user)
    scope = scope_of(request.user)
    filterset = CertificateFilter(request.GET, queryset=_listed(request.user), request=request)
    if not filterset.is_valid():
        raise Http404
    today = timezone.localdate()
    rows = list(filterset.qs)

    def row(c: Certificate):
        return [
            c.holder_name,
            c.number,
            c.blank_number,
            c.scheme_title,
            c.session.code,
            c.lsp_name,
            c.issued_on,
            c.valid_until,
            str(STATE_LABELS[c.state_on(today)]),
        ]

    workbook = build_workbook(
        title="Sertifikat",
        headers=HEADERS,
        rows=(row(c) for c in rows),
        text_columns={1, 2, 4},
        date_columns={6, 7},
        blank_rows=0,
    )
    write_entry(
        action=AuditEntry.Action.EXPORT,
        label=f"Ekspor sertifikat ({len(rows)} baris)",
        changes={"filter": {k: v for k, v in request.GET.items() if v}},
        actor=request.user,
        lsp_ids=scope.admin_lsp_ids or {c.lsp_id for c in rows},
        province_id=min(scope.viewer_province_ids, default=None),
    )
    return workbook_response(workbook, filename=f"sertifikat-{today:%Y%m%d}.xlsx")


# --- BNSP's blank numbers from Excel --------------------------------------------------------------
ACTIONS = (
    Action("set", gettext_lazy("blank number recorded"), gettext_lazy("new"), "success"),
    Action("change", gettext_lazy("blank number changed"), gettext_lazy("changed"), "warning"),
    Action("same", gettext_lazy("unchanged"), gettext_lazy("already recorded"), "secondary"),
    Action("error", gettext_lazy("with errors"), gettext_lazy("error"), "danger"),
)


@login_required
def blank_import(request):
    require_admin(request.user)
    form = BlankImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            batch = blank_service.preview_blanks(
                lsp=form.cleaned_data["lsp"], file=file, filename=file.name, user=request.user
            )
        except blank_service.BlankImportError as error:
            form.add_error("lsp", error.message)
        else:
            return redirect("blank_import_preview", pk=batch.pk)
    lsps = {lsp.pk: lsp for lsp in form.fields["lsp"].queryset}
    batches = recent_batches(request.user, kind=blank_service.KIND)
    for batch in batches:
        batch.target_lsp = lsps.get(batch.lsp_id)
    return render(request, "certificates/blank_import.html", {"form": form, "batches": batches})


@login_required
def blank_import_preview(request, pk):
    batch = batch_for(request.user, pk, kind=blank_service.KIND)
    context = preview_context(batch, ACTIONS, request.GET.get("show"))
    context["may_commit"] = context["may_commit"] and bool(
        context["counts"]["set"] + context["counts"]["change"]
    )
    return render(
        request,
        "certificates/blank_import_preview.html",
        {
            **context,
            "batch": batch,
            "lsp": Lsp.objects.filter(pk=batch.lsp_id).first(),
            "list_url": _list_url(batch.lsp_id),
            "rows": _display(shown_rows(batch, context["show"])),
        },
    )


def _list_url(lsp_pk) -> str:
    return f"{reverse('certificate_list')}?lsp={lsp_pk}"


def _display(rows: list[dict]) -> list[dict]:
    """The stored rows for `includes/import_rows.html`, fields named as the file's headers."""
    label = blank_service.LABELS
    shown = []
    for row in rows:
        values, raw = row["values"], row["raw"]
        number = values.get("number") or raw.get("number", "")
        blank = values.get("blank") or raw.get("blank", "")
        name = values.get("holder_name") or values.get("name", "")
        shown.append(
            {
                "number": row["number"],
                "action": row["action"],
                **badge(ACTIONS, row["action"]),
                "name": f"{name} — {number}" if name and number else name or number,
                "ident": blank,
                "errors": [(label[f], m, raw.get(f, "")) for f, m in row["errors"].items()],
                "notes": [(label[f], m) for f, m in row["notes"].items()],
                "changes": [],
            }
        )
    return shown


@login_required
@require_POST
def blank_import_commit(request, pk):
    batch = batch_for(request.user, pk, kind=blank_service.KIND)
    try:
        saved = blank_service.commit_blanks(batch=batch, user=request.user)
    except blank_service.BlankImportError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        level = messages.INFO if error.code == "already_committed" else messages.ERROR
        messages.add_message(request, level, error.message)
        return redirect("blank_import_preview", pk=batch.pk)
    messages.success(request, _("Saved: %(count)s blank numbers.") % {"count": saved})
    return redirect(_list_url(batch.target["lsp"]))
