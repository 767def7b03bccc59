from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from lsp.access import get_visible_or_404, is_lsp_admin, scope_of
from lsp.audit import write_entry
from lsp.models import AuditEntry
from lsp.spreadsheets import build_workbook, workbook_response
from lsp.views.base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView

from ..filters_candidates import CandidateFilter
from ..forms.candidates import CandidateForm
from ..models import Candidate


class AdminOnlyMixin:
    """Students are minors: their records are for the LSP admins who certify them."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_lsp_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CandidateList(AdminOnlyMixin, ScopedListView):
    model = Candidate
    filterset_class = CandidateFilter
    list_select_related = ("school", "concentration")

    may_create = staticmethod(is_lsp_admin)


class CandidateDetail(AdminOnlyMixin, ScopedDetailView):
    model = Candidate

    def get_queryset(self):
        return super().get_queryset().select_related("school__regency", "concentration")


class CandidateCreate(ScopedCreateView):
    model = Candidate
    form_class = CandidateForm

    may_create = staticmethod(is_lsp_admin)


class CandidateUpdate(ScopedUpdateView):
    model = Candidate
    form_class = CandidateForm

    def form_valid(self, form):
        """A replaced or removed photo leaves storage (it is a minor's picture) once saved."""
        old = form.initial.get("photo")
        old_name = old.name if old else ""
        response = super().form_valid(form)
        if old_name and old_name != self.object.photo.name:
            storage = self.object.photo.storage
            transaction.on_commit(lambda: storage.delete(old_name))
        return response


@login_required
def candidate_photo(request, pk):
    """The student's photo leaves only through here, for the admins of the LSP certifying the
    student's school: other LSPs' admins get 404, viewers and assessors 403."""
    if not is_lsp_admin(request.user):
        raise PermissionDenied
    candidate = get_visible_or_404(Candidate.objects.only("pk", "photo"), request.user, pk=pk)
    if not candidate.photo:
        raise Http404
    try:
        file = candidate.photo.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(file)  # the type from the stored name: .jpg or .png
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


EXPORT_HEADERS = [
    "Nama Lengkap",
    "NISN",
    "NIK",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "No. HP",
    "Email",
    "Sekolah",
    "NPSN",
    "Konsentrasi Keahlian",
    "Kelas",
    "Tahun Pelajaran",
    "Tahun Lulus",
]


def _export_row(c: Candidate):
    return [
        c.full_name,
        c.nisn,
        c.nik,
        c.birth_place,
        c.birth_date,
        c.sex,
        c.address,
        c.phone,
        c.email,
        c.school.name,
        c.school.npsn,
        c.concentration.abbreviation,
        c.class_name,
        c.school_year,
        c.graduation_year,
    ]


@login_required
def candidate_export(request):
    """The filtered list as Excel. It holds minors' personal data: LSP admins only, audited."""
    if not is_lsp_admin(request.user):
        raise PermissionDenied
    queryset = Candidate.objects.for_user(request.user).select_related("school", "concentration")
    filterset = CandidateFilter(request.GET, queryset=queryset, request=request)
    rows = filterset.qs
    workbook = build_workbook(
        title="Asesi",
        headers=EXPORT_HEADERS,
        rows=(_export_row(c) for c in rows.iterator(chunk_size=2000)),
        text_columns={1, 2, 7, 10},
        date_columns={4},
        blank_rows=0,
    )
    write_entry(
        action=AuditEntry.Action.EXPORT,
        label=f"Ekspor asesi ({rows.count()} baris)",
        changes={"filter": {k: v for k, v in request.GET.items() if v}},
        actor=request.user,
        lsp_ids=scope_of(request.user).admin_lsp_ids,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return workbook_response(workbook, filename=f"asesi-{stamp}.xlsx")
