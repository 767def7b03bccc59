"""The API filters with the pages' FilterSets; what the schema cannot guess from them is told."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from assessments.models import Enrolment, Verdict
from assessors.filters import AssessorFilter
from lsp.filters import KompetenFilterSet
from lsp.models import Lsp


class AssessorApiFilter(AssessorFilter):
    """The assessor list's filters; `lsp` and `scheme` take ids."""

    lsp = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("LSP"), queryset=Lsp.objects.none(), method="serving"
        )
    )
    scheme = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            label=_("Scheme in scope"), queryset=None, method="in_scope"
        )
    )


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number in the database's range (anything else is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class EnrolmentFilter(KompetenFilterSet):
    session = IdFilter(label=_("Session"), field_name="session_id")
    assessor = IdFilter(label=_("Assessor"), field_name="assessor_id")
    decision = django_filters.ChoiceFilter(label=_("Decision"), choices=Verdict.choices)
    submitted = django_filters.BooleanFilter(
        label=_("Verdicts submitted"), field_name="submitted_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Enrolment
        fields = ["session", "assessor", "decision", "submitted"]
