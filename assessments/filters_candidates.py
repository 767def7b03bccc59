import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lsp.filters import KompetenFilterSet
from lsp.models import Concentration, School

from .models import Candidate


class CandidateFilter(KompetenFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"))
    concentration = django_filters.ModelChoiceFilter(
        queryset=Concentration.objects.order_by("name"), label=_("Concentration")
    )
    school_year = django_filters.ChoiceFilter(label=_("School year"), choices=())

    class Meta:
        model = Candidate
        fields = ["q", "school", "concentration", "level", "school_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Candidate.objects.for_user(self.request.user)
        self.filters["school"].queryset = School.objects.filter(
            pk__in=visible.values("school_id")
        ).order_by("name")
        years = visible.order_by("-school_year").values_list("school_year", flat=True).distinct()
        self.filters["school_year"].extra["choices"] = [(y, y) for y in years]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(nisn=value))
