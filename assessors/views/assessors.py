"""The assessor registry: list, detail, forms, the assessor's own page, files and Excel."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lsp.access import get_editable_or_deny, is_lsp_admin, scope_of
from lsp.audit import write_entry
from lsp.forms import KompetenForm
from lsp.models import AuditEntry, Lsp
from lsp.spreadsheets import build_workbook, workbook_response
from lsp.views.base import ScopedCreateView, ScopedListView, ScopedUpdateView

from ..filters import AssessorFilter
from ..forms.assessors import AssessorForm, CertificateForm, ScopeForm
from ..models import Assessor, AssessorCertificate, Status, TechnicalScope
from ..templatetags.assessor_status import status_line

ordered_lsps = Prefetch("lsps", queryset=Lsp.objects.order_by("name").only("name"))


class AssessorList(ScopedListView):
    model = Assessor
    filterset_class = AssessorFilter

    may_create = staticmethod(is_lsp_admin)

    def get_queryset(self):
        self.today = timezone.localdate()
        return (
            Assessor.objects.for_user(self.request.user)
            .with_status(self.today)
            .with_recognition(self.today)
            .select_related("home_school")
            .prefetch_related(ordered_lsps)
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = self.today
        ctx["threshold"] = settings.RCC_THRESHOLD
        return ctx


def _detail_context(request, assessor: Assessor) -> dict:
    today = timezone.localdate()
    user = request.user
    can_edit = Assessor.objects.editable_by(user).filter(pk=assessor.pk).exists()
    certificates = list(assessor.certificates.all())
    scopes = list(assessor.scopes.select_related("scheme__lsp"))
    return {
        "object": assessor,
        "assessor": assessor,
        "today": today,
        "certificates": certificates,
        "current": certificates[0] if certificates else None,
        "scopes": scopes,
        "can_edit": can_edit,
        "personal": can_edit or assessor.user_id == user.pk or scope_of(user).superuser,
        "status_line": status_line(assessor.status, assessor.current_valid_until, today),
        # The RCC logbook: counted assessments of the current window, outcome, what to do next.
        "recognition": assessor.recognition(today),
    }


def _visible(user):
    return (
        Assessor.objects.for_user(user)
        .with_status(timezone.localdate())
        .select_related("home_school", "user")
        .prefetch_related(ordered_lsps)
    )


@login_required
def assessor_detail(request, pk):
    assessor = get_object_or_404(_visible(request.user), pk=pk)
    return render(request, "assessors/assessor_detail.html", _detail_context(request, assessor))


@login_required
def assessor_profile(request):
    """'Profil saya': the signed-in assessor's own record."""
    assessor = _visible(request.user).filter(user=request.user).first()
    if assessor is None:
        return render(request, "assessors/assessor_profile_missing.html", status=404)
    context = _detail_context(request, assessor)
    context["own"] = True
    return render(request, "assessors/assessor_detail.html", context)


class AssessorCreate(ScopedCreateView):
    model = Assessor
    form_class = AssessorForm

    may_create = staticmethod(is_lsp_admin)


class AssessorUpdate(ScopedUpdateView):
    model = Assessor
    form_class = AssessorForm


def _save_part(request, assessor, form_class: type[KompetenForm], *, title: str, done: str):
    form = form_class(
        request.POST or None, request.FILES or None, user=request.user, assessor=assessor
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, done)
        return redirect(assessor.get_absolute_url())
    return render(
        request,
        "assessors/assessor_part_form.html",
        {"form": form, "title": title, "assessor": assessor},
    )


@login_required
def certificate_create(request, pk):
    """Record a new BNSP certificate (an RCC renewal, usually): the newest becomes current."""
    assessor = get_editable_or_deny(Assessor.objects, request.user, pk=pk)
    return _save_part(
        request,
        assessor,
        CertificateForm,
        title=_("New assessor certificate for %(name)s") % {"name": assessor},
        done=_("The certificate was saved."),
    )


@login_required
def scope_create(request, pk):
    assessor = get_editable_or_deny(Assessor.objects, request.user, pk=pk)
    return _save_part(
        request,
        assessor,
        ScopeForm,
        title=_("Add a scheme to the scope of %(name)s") % {"name": assessor},
        done=_("The scheme was added to the technical scope."),
    )


@login_required
@require_POST
def scope_delete(request, pk):
    scope = get_object_or_404(TechnicalScope.objects.select_related("assessor"), pk=pk)
    assessor = get_editable_or_deny(Assessor.objects, request.user, pk=scope.assessor_id)
    scope.delete()
    messages.success(request, _("The scheme was removed from the technical scope."))
    return redirect(assessor.get_absolute_url())


@login_required
def certificate_file(request, pk):
    """A certificate's scan leaves only through here, for those who may see the assessor."""
    certificate = get_object_or_404(
        AssessorCertificate.objects.filter(
            assessor__in=Assessor.objects.for_user(request.user)
        ).exclude(file=""),
        pk=pk,
    )
    response = FileResponse(certificate.file.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Excel ----------------------------------------------------------------------------------------
PUBLIC_HEADERS = ["Nama Lengkap", "No. Registrasi MET", "Sekolah Asal", "NPSN", "LSP"]
STATUS_HEADERS = ["Status", "Sertifikat Berlaku s.d.", "Jumlah Skema", "Asesmen", "RCC"]
PERSONAL_HEADERS = ["NIK", "Email", "No. HP"]


@login_required
def assessor_export(request):
    """The filtered list as Excel. Viewers get no NIK, e-mail or phone; every export is audited."""
    scope = scope_of(request.user)
    if scope.is_empty:
        raise PermissionDenied
    personal = scope.superuser or bool(scope.admin_lsp_ids)
    today = timezone.localdate()
    queryset = (
        Assessor.objects.for_user(request.user)
        .with_status(today)
        .with_recognition(today)
        .select_related("home_school")
        .prefetch_related(ordered_lsps, "scopes")
    )
    filterset = AssessorFilter(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise Http404
    headers = PUBLIC_HEADERS + (PERSONAL_HEADERS if personal else []) + STATUS_HEADERS
    editable = set(Assessor.objects.editable_by(request.user).values_list("pk", flat=True))

    def row(a: Assessor):
        school = a.home_school
        cells = [
            a.full_name,
            a.met_number,
            school.name if school else "",
            school.npsn if school else "",
            ", ".join(lsp.name for lsp in a.lsps.all()),
        ]
        if personal:
            mine = scope.superuser or a.pk in editable
            cells += [a.nik, a.email, a.phone] if mine else ["", "", ""]
        return [
            *cells,
            Status(a.status).label,
            a.current_valid_until,
            len(a.scopes.all()),
            a.assessments_done,
            a.get_outcome_label(),
        ]

    rows = list(filterset.qs)
    date_column = headers.index("Sertifikat Berlaku s.d.")
    workbook = build_workbook(
        title="Asesor",
        headers=headers,
        rows=(row(a) for a in rows),
        text_columns={1, 3, 5, 7} if personal else {1, 3},
        date_columns={date_column},
        blank_rows=0,
    )
    write_entry(
        action=AuditEntry.Action.EXPORT,
        label=f"Ekspor asesor ({len(rows)} baris)",
        changes={"filter": {k: v for k, v in request.GET.items() if v}, "personal": personal},
        actor=request.user,
        lsp_ids=scope.staff_lsp_ids,
        province_id=min(scope.viewer_province_ids, default=None),
    )
    return workbook_response(workbook, filename=f"asesor-{today:%Y%m%d}.xlsx")
