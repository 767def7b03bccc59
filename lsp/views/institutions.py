from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import get_visible_or_404, is_lsp_admin
from ..filters import LspFilter, RegencyFilter, SchoolFilter, TukFilter
from ..forms import LspForm, ProvinceForm, RegencyForm, SchoolForm, TukForm
from ..models import Lsp, Province, Regency, School, Tuk
from .base import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView


# --- Provinces and regencies (reference data: the superuser changes them) -------------------------
class ProvinceList(ScopedListView):
    model = Province
    filterset_fields = []


class ProvinceDetail(ScopedDetailView):
    model = Province

    def get_context_data(self, **kwargs):
        from ..services import province_overview

        ctx = super().get_context_data(**kwargs)
        ctx.update(province_overview(self.object, self.request.user))
        return ctx


class ProvinceCreate(ScopedCreateView):
    model = Province
    form_class = ProvinceForm


class ProvinceUpdate(ScopedUpdateView):
    model = Province
    form_class = ProvinceForm


class RegencyList(ScopedListView):
    model = Regency
    filterset_class = RegencyFilter
    list_select_related = ("province",)


class RegencyDetail(ScopedDetailView):
    model = Regency

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["schools"] = School.objects.for_user(self.request.user).filter(regency=self.object)
        return ctx


class RegencyCreate(ScopedCreateView):
    model = Regency
    form_class = RegencyForm


class RegencyUpdate(ScopedUpdateView):
    model = Regency
    form_class = RegencyForm


# --- Schools ------------------------------------------------------------------------------------
class SchoolList(ScopedListView):
    model = School
    filterset_class = SchoolFilter
    list_select_related = ("regency",)

    may_create = staticmethod(is_lsp_admin)


class SchoolDetail(ScopedDetailView):
    model = School

    def get_queryset(self):
        return super().get_queryset().select_related("regency__province")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["concentrations"] = self.object.concentrations.select_related("programme")
        ctx["hosted_lsps"] = Lsp.objects.for_user(self.request.user).filter(host_school=self.object)
        ctx["network_lsps"] = Lsp.objects.for_user(self.request.user).filter(
            network_schools=self.object
        )
        return ctx


class SchoolCreate(ScopedCreateView):
    model = School
    form_class = SchoolForm

    may_create = staticmethod(is_lsp_admin)


class SchoolUpdate(ScopedUpdateView):
    model = School
    form_class = SchoolForm


# --- LSPs -----------------------------------------------------------------------------------------
class LspList(ScopedListView):
    model = Lsp
    filterset_class = LspFilter
    list_select_related = ("province", "host_school")


class LspDetail(ScopedDetailView):
    model = Lsp

    def get_queryset(self):
        return super().get_queryset().select_related("province", "host_school__regency")

    def get_context_data(self, **kwargs):
        from ..services import lsp_overview

        ctx = super().get_context_data(**kwargs)
        ctx.update(lsp_overview(self.object))
        return ctx


class LspCreate(ScopedCreateView):
    model = Lsp
    form_class = LspForm


class LspUpdate(ScopedUpdateView):
    model = Lsp
    form_class = LspForm


LSP_FILES = {"logo": _("logo"), "signature": _("signature image")}


@login_required
def lsp_file(request, pk, kind):
    """Logo and signature images leave only through here, for those who may see the LSP."""
    lsp = get_visible_or_404(Lsp.objects, request.user, pk=pk)
    field = {"logo": lsp.logo, "signature": lsp.signatory_signature}.get(kind)
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- TUKs -----------------------------------------------------------------------------------------
class TukList(ScopedListView):
    model = Tuk
    filterset_class = TukFilter
    list_select_related = ("lsp", "regency")

    may_create = staticmethod(is_lsp_admin)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


class TukDetail(ScopedDetailView):
    model = Tuk

    def get_queryset(self):
        return super().get_queryset().select_related("lsp", "regency")


class TukCreate(ScopedCreateView):
    model = Tuk
    form_class = TukForm

    may_create = staticmethod(is_lsp_admin)


class TukUpdate(ScopedUpdateView):
    model = Tuk
    form_class = TukForm
