"""The read-only resources: schools, LSPs, TUKs, schemes with units, assessors, students and
certificates. Each reads through its model's `for_user(user)` and filters with the same
FilterSet as its page."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from assessments.filters import SchemeFilter
from assessments.filters_candidates import CandidateFilter
from assessments.models import Candidate, Scheme, SchemeUnit
from assessors.models import Assessor
from certificates.filters import CertificateFilter
from certificates.models import Certificate
from lsp.filters import LspFilter, SchoolFilter, TukFilter
from lsp.models import Lsp, School, Tuk

from ..filters import AssessorApiFilter
from ..serializers.assessors import AssessorSerializer
from ..serializers.certificates import CertificateSerializer
from ..serializers.institutions import LspSerializer, SchoolSerializer, TukSerializer
from ..serializers.schemes import SchemeSerializer
from ..serializers.students import StudentSerializer
from .base import ScopedViewSet


@extend_schema_view(
    list=extend_schema(summary="Schools (SMK) the user may see"),
    retrieve=extend_schema(summary="One school"),
)
class SchoolViewSet(ScopedViewSet):
    model = School
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilter

    def prepare(self, queryset):
        return queryset.select_related("regency__province").prefetch_related("concentrations")


@extend_schema_view(
    list=extend_schema(summary="LSPs the user may see"),
    retrieve=extend_schema(summary="One LSP"),
)
class LspViewSet(ScopedViewSet):
    model = Lsp
    serializer_class = LspSerializer
    filterset_class = LspFilter

    def prepare(self, queryset):
        return queryset.select_related("province", "host_school").prefetch_related(
            Prefetch("network_schools", queryset=School.objects.order_by("name"))
        )


@extend_schema_view(
    list=extend_schema(summary="TUKs (assessment sites) the user may see"),
    retrieve=extend_schema(summary="One TUK"),
)
class TukViewSet(ScopedViewSet):
    model = Tuk
    serializer_class = TukSerializer
    filterset_class = TukFilter

    def prepare(self, queryset):
        return queryset.select_related("lsp", "regency__province")


@extend_schema_view(
    list=extend_schema(summary="Certification schemes with their units"),
    retrieve=extend_schema(summary="One scheme with its units"),
)
class SchemeViewSet(ScopedViewSet):
    model = Scheme
    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter

    def prepare(self, queryset):
        units = SchemeUnit.objects.select_related("unit").order_by("order", "unit__code")
        return queryset.select_related("lsp", "concentration").prefetch_related(
            Prefetch("schemeunit_set", queryset=units)
        )


@extend_schema_view(
    list=extend_schema(
        summary="Assessors with their status and recognition (RCC) outcome today",
        description=(
            "`status` and `outcome` are computed by the same code as the pages "
            "(`with_status`, `with_recognition`). `?status=expiring` lists the assessors whose "
            "certificate ends within `EXPIRY_WARNING_DAYS` (90 by default); `?order=expiry` "
            "sorts by the end of validity. NIK, e-mail and phone are given only to those who "
            "may edit the assessor (never to Disdikbud viewers)."
        ),
    ),
    retrieve=extend_schema(summary="One assessor"),
)
class AssessorViewSet(ScopedViewSet):
    model = Assessor
    serializer_class = AssessorSerializer
    filterset_class = AssessorApiFilter
    annotate_editable = True

    def prepare(self, queryset):
        return (
            queryset.with_status(self.today)
            .with_recognition(self.today)
            .select_related("home_school")
            .prefetch_related(Prefetch("lsps", queryset=Lsp.objects.order_by("name")))
        )


@extend_schema_view(
    list=extend_schema(
        summary="Students (asesi) of the LSPs the user administers",
        description="Minors' data: Disdikbud viewers get no students here (figures only).",
    ),
    retrieve=extend_schema(summary="One student"),
)
class StudentViewSet(ScopedViewSet):
    model = Candidate
    serializer_class = StudentSerializer
    filterset_class = CandidateFilter
    annotate_editable = True

    def prepare(self, queryset):
        return queryset.select_related("school", "concentration")


@extend_schema_view(
    list=extend_schema(summary="Competency certificates the user may see"),
    retrieve=extend_schema(summary="One certificate"),
)
class CertificateViewSet(ScopedViewSet):
    model = Certificate
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter

    def prepare(self, queryset):
        return queryset.select_related("lsp")
