import django_filters
from django.utils.translation import gettext_lazy as _

from lsp.filters import SearchFilterSet
from lsp.models import Concentration, Lsp

from .models import Scheme, Unit


class LspChoiceMixin:
    """An LSP filter only for those who see more than one LSP (viewers, superusers)."""

    def _scope_lsp_filter(self):
        lsps = self.scoped(Lsp)
        if len(lsps) <= 1:
            del self.filters["lsp"]
        else:
            self.filters["lsp"].queryset = lsps


class SchemeFilter(LspChoiceMixin, SearchFilterSet):
    search_fields = ("code", "title", "title_en")
    concentration = django_filters.ModelChoiceFilter(
        queryset=Concentration.objects.order_by("name"), label=_("Concentration")
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Scheme
        fields = ["q", "lsp", "kind", "concentration", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_lsp_filter()


class UnitFilter(LspChoiceMixin, SearchFilterSet):
    search_fields = ("code", "title", "title_en")

    class Meta:
        model = Unit
        fields = ["q", "lsp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_lsp_filter()
