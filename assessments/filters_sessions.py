import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.filters import KompetenFilterSet
from lsp.forms import DateInput
from lsp.models import Concentration, FundingSource, Lsp, School, Tuk

from .models import AssessmentSession, Candidate, Scheme


class SessionFilter(KompetenFilterSet):
    """Works on `AssessmentSession.objects.for_user(user)`."""

    q = django_filters.CharFilter(label=_("Schedule code"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AssessmentSession.Status.choices
    )
    scheme = django_filters.ModelChoiceFilter(label=_("Scheme"), queryset=Scheme.objects.none())
    tuk = django_filters.ModelChoiceFilter(label="TUK", queryset=Tuk.objects.none())
    start = django_filters.DateFilter(
        label=_("From"), method="from_day", widget=DateInput(attrs={"aria-label": _("From")})
    )
    end = django_filters.DateFilter(
        label=_("Until"), method="until_day", widget=DateInput(attrs={"aria-label": _("Until")})
    )
    funding = django_filters.ModelChoiceFilter(
        label=_("Funding"), queryset=FundingSource.objects.all()
    )
    lsp = django_filters.ModelChoiceFilter(label=_("LSP"), queryset=Lsp.objects.none())

    class Meta:
        model = AssessmentSession
        fields = ["q", "status", "scheme", "tuk", "start", "end", "funding", "lsp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        scope = scope_of(user)
        self.filters["scheme"].queryset = Scheme.objects.for_user(user).order_by("title")
        self.filters["tuk"].queryset = Tuk.objects.for_user(user).order_by("name")
        if scope.superuser or scope.viewer_province_ids or len(scope.staff_lsp_ids) > 1:
            self.filters["lsp"].queryset = Lsp.objects.for_user(user).order_by("name")
        else:
            del self.filters["lsp"]

    def search(self, queryset, name, value):
        return queryset.filter(code__icontains=value.strip())

    def from_day(self, queryset, name, value):
        return queryset.filter(end_date__gte=value)

    def until_day(self, queryset, name, value):
        return queryset.filter(start_date__lte=value)


class EnrolCandidateFilter(KompetenFilterSet):
    """The students an admin picks from: `services.scheduling.eligible_candidates`."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    school = django_filters.ModelChoiceFilter(label=_("School"), queryset=School.objects.none())
    concentration = django_filters.ModelChoiceFilter(
        label=_("Concentration"), queryset=Concentration.objects.order_by("name")
    )
    class_name = django_filters.CharFilter(label=_("Class"), lookup_expr="iexact")

    class Meta:
        model = Candidate
        fields = ["q", "school", "concentration", "level", "class_name"]

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = School.objects.of_lsps([session.lsp_id]).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(nisn=value))
