import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lsp.filters import KompetenFilterSet
from lsp.models import Lsp, School

from .models import Assessor, Outcome, Status, TechnicalScope


class AssessorFilter(KompetenFilterSet):
    """Works on `Assessor.objects.for_user(user).with_status(today).with_recognition(today)`:
    status and outcome are annotations."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    outcome = django_filters.ChoiceFilter(
        label=_("Recognition (RCC)"),
        choices=[c for c in Outcome.choices if c[0] != Outcome.NONE],
    )
    lsp = django_filters.ModelChoiceFilter(
        label=_("LSP"), queryset=Lsp.objects.none(), method="serving"
    )
    school = django_filters.ModelChoiceFilter(
        label=_("Home school"), field_name="home_school", queryset=School.objects.none()
    )
    scheme = django_filters.ModelChoiceFilter(
        label=_("Scheme in scope"), queryset=None, method="in_scope"
    )
    order = django_filters.ChoiceFilter(
        label=_("Sort by"),
        empty_label=_("Name"),
        choices=[("expiry", _("Expiry, soonest first")), ("met", _("MET number"))],
        method="sort",
    )

    class Meta:
        model = Assessor
        fields = ["q", "status", "outcome", "lsp", "school", "scheme", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        visible = Assessor.objects.for_user(user)
        self.filters["lsp"].queryset = Lsp.objects.for_user(user).order_by("name")
        self.filters["school"].queryset = School.objects.filter(
            pk__in=visible.values("home_school_id")
        ).order_by("name")
        scheme_model = TechnicalScope._meta.get_field("scheme").related_model
        self.filters["scheme"].queryset = scheme_model.objects.for_user(user).order_by("title")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(full_name__icontains=value)
            | Q(met_number__icontains=value)
            | Q(home_school__name__icontains=value)
        )

    def serving(self, queryset, name, value):
        return queryset.serving([value.pk])

    def in_scope(self, queryset, name, value):
        return queryset.filter(
            pk__in=TechnicalScope.objects.filter(scheme=value).values("assessor")
        )

    def sort(self, queryset, name, value):
        if value == "expiry":
            return queryset.order_by(F("current_valid_until").asc(nulls_first=True), "full_name")
        if value == "met":
            return queryset.order_by("met_number")
        return queryset
