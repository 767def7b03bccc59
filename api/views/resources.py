"""The resources: schools, LSPs, TUKs, schemes with units, assessors, students and certificates.
Each reads through its model's `for_user(user)` and filters with the same FilterSet as its page.
Schools, TUKs, schemes, assessors and students are also created and changed, by those the pages
let, with the page's form (`ScopedWriteViewSet`)."""

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
from ..serializers.assessors import AssessorInputSerializer, AssessorSerializer
from ..serializers.certificates import CertificateSerializer
from ..serializers.institutions import (
    LspSerializer,
    SchoolInputSerializer,
    SchoolSerializer,
    TukInputSerializer,
    TukSerializer,
)
from ..serializers.schemes import SchemeInputSerializer, SchemeSerializer
from ..serializers.students import StudentInputSerializer, StudentSerializer
from .base import ScopedViewSet, ScopedWriteViewSet


def writes(name, request, response, rules=""):
    """The schema of a resource's create, update and partial update."""
    who = (
        "An LSP admin (or a superuser), with the same form and rules as the page. "
        f"{rules}Those who may only read it (Disdikbud viewers, assessors) are refused "
        "(403); a record outside the user's scope is not found (404). Invalid data: 400 "
        "naming each field."
    )
    return {
        "create": extend_schema(
            summary=f"Create a {name}",
            description=who,
            request=request,
            responses={201: response},
        ),
        "update": extend_schema(
            summary=f"Change a {name} (omitted fields keep their values)",
            description=who,
            request=request,
            responses={200: response},
        ),
        "partial_update": extend_schema(
            summary=f"Change some fields of a {name}",
            description=who,
            request=request,
            responses={200: response},
        ),
    }


@extend_schema_view(
    list=extend_schema(summary="Schools (SMK) the user may see"),
    retrieve=extend_schema(summary="One school"),
    **writes(
        "school",
        SchoolInputSerializer,
        SchoolSerializer,
        "A new school joins the network (jejaring) of the admin's LSP (`network_of`). ",
    ),
)
class SchoolViewSet(ScopedWriteViewSet):
    model = School
    serializer_class = SchoolSerializer
    input_serializer_class = SchoolInputSerializer
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
    **writes("TUK", TukInputSerializer, TukSerializer),
)
class TukViewSet(ScopedWriteViewSet):
    model = Tuk
    serializer_class = TukSerializer
    input_serializer_class = TukInputSerializer
    filterset_class = TukFilter

    def prepare(self, queryset):
        return queryset.select_related("lsp", "regency__province")


@extend_schema_view(
    list=extend_schema(summary="Certification schemes with their units"),
    retrieve=extend_schema(summary="One scheme with its units"),
    **writes(
        "scheme",
        SchemeInputSerializer,
        SchemeSerializer,
        "`units` lists the scheme's units in order, by id or code, from the scheme's LSP. ",
    ),
)
class SchemeViewSet(ScopedWriteViewSet):
    model = Scheme
    serializer_class = SchemeSerializer
    input_serializer_class = SchemeInputSerializer
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
    **writes(
        "assessor",
        AssessorInputSerializer,
        AssessorSerializer,
        "Any admin of an LSP the assessor serves changes them; NIK, MET number and certificate "
        "number are unique. ",
    ),
)
class AssessorViewSet(ScopedWriteViewSet):
    model = Assessor
    serializer_class = AssessorSerializer
    input_serializer_class = AssessorInputSerializer
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
    **writes(
        "student",
        StudentInputSerializer,
        StudentSerializer,
        "Only the fields of the page's form (the photo is uploaded on the page); every change "
        "is in the audit trail. ",
    ),
)
class StudentViewSet(ScopedWriteViewSet):
    model = Candidate
    serializer_class = StudentSerializer
    input_serializer_class = StudentInputSerializer
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
