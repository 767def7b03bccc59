import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Concentration, Lsp, Province, Regency, Role, School, Tuk, User


class KompetenFilterSet(django_filters.FilterSet):
    """The base of every filter set here: each instance builds its own form fields.

    django-filter copies `base_filters` per instance, with any form field already built on them
    (the API's schema generation builds them). A copied field would keep the choices and the
    querysets of whoever built it first, instead of the scoped ones `__init__` sets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in self.filters.values():
            item.__dict__.pop("_field", None)


class SearchFilterSet(KompetenFilterSet):
    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("Search"), method="search")

    def search(self, queryset, name, value):
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)

    def scoped(self, model):
        return model.objects.for_user(self.request.user) if self.request else model.objects.none()


class RegencyFilter(SearchFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Regency
        fields = ["q", "province", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["province"].queryset = self.scoped(Province)


class SchoolFilter(SearchFilterSet):
    search_fields = ("name", "npsn")
    concentration = django_filters.ModelChoiceFilter(
        field_name="concentrations", queryset=Concentration.objects.all(), label=_("Concentration")
    )

    class Meta:
        model = School
        fields = ["q", "regency", "status", "concentration"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["regency"].queryset = self.scoped(Regency)


class LspFilter(SearchFilterSet):
    search_fields = ("name", "licence_number")

    class Meta:
        model = Lsp
        fields = ["q", "kind", "province"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["province"].queryset = self.scoped(Province)


class TukFilter(SearchFilterSet):
    search_fields = ("name", "code", "address")
    usable = django_filters.BooleanFilter(label=_("Verified today"), method="filter_usable")

    class Meta:
        model = Tuk
        fields = ["q", "lsp", "kind", "usable"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["lsp"].queryset = self.scoped(Lsp)

    def filter_usable(self, queryset, name, value):
        usable = Tuk.objects.usable_on(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=usable) if value else queryset.exclude(pk__in=usable)


class UserFilter(SearchFilterSet):
    search_fields = ("username", "full_name", "email")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.Kind.choices, method="filter_role"
    )
    lsp = django_filters.ModelChoiceFilter(
        label=_("LSP"), queryset=Lsp.objects.none(), method="filter_lsp"
    )

    class Meta:
        model = User
        fields = ["q", "role", "lsp", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["lsp"].queryset = self.scoped(Lsp)

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=Role.objects.filter(kind=value).values("user_id"))

    def filter_lsp(self, queryset, name, value):
        return queryset.filter(pk__in=Role.objects.filter(lsp=value).values("user_id"))


class AuditFilter(SearchFilterSet):
    search_fields = ("object_repr",)

    class Meta:
        model = AuditEntry
        fields = ["q", "action"]
