"""Sessions with their enrolments, and recording verdicts by the page's rules
(`assessments/services/sessions.py`: the assigned assessor, a valid certificate, locked once
submitted)."""

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from assessments.filters_sessions import SessionFilter
from assessments.models import (
    AssessmentSession,
    Enrolment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from assessments.services import sessions as rules

from ..exceptions import Refused
from ..filters import EnrolmentFilter
from ..serializers.sessions import (
    EnrolmentSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    UnitVerdictSerializer,
    VerdictInputSerializer,
)
from .base import ScopedViewSet


def _enrolments(queryset):
    return queryset.select_related("candidate", "assessor").prefetch_related(
        Prefetch("verdicts", queryset=UnitVerdict.objects.select_related("unit"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="Assessment sessions (jadwal) the user may see",
        description="Figures per session; the enrolments are in each session's detail.",
    ),
    retrieve=extend_schema(
        summary="One session with the enrolments the user may see",
        description=(
            "Enrolments hold students' data: LSP admins see all, an assessor those assigned "
            "to them, a Disdikbud viewer none (the figures only)."
        ),
    ),
)
class SessionViewSet(ScopedViewSet):
    model = AssessmentSession
    filterset_class = SessionFilter

    def get_serializer_class(self):
        return SessionDetailSerializer if self.action == "retrieve" else SessionSerializer

    def prepare(self, queryset):
        assignments = SessionAssessor.objects.select_related("assessor").order_by(
            "assessor__full_name"
        )
        queryset = (
            queryset.select_related("lsp", "scheme", "tuk", "funding")
            .prefetch_related(Prefetch("assignments", queryset=assignments))
            .annotate(
                enrolled=Count("enrolments", distinct=True),
                competent=Count(
                    "enrolments", filter=Q(enrolments__decision=Verdict.K), distinct=True
                ),
                not_yet_competent=Count(
                    "enrolments", filter=Q(enrolments__decision=Verdict.BK), distinct=True
                ),
            )
            .order_by("-start_date", "-pk")  # the model's order, dropped by the counts' GROUP BY
        )
        if self.action == "retrieve":
            visible = _enrolments(Enrolment.objects.for_user(self.request.user))
            queryset = queryset.prefetch_related(
                Prefetch("enrolments", queryset=visible, to_attr="api_enrolments")
            )
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="Enrolments (asesi in sessions) the user may see, with their verdicts",
        description="LSP admins: their LSP's; assessors: the asesi assigned to them.",
    ),
    retrieve=extend_schema(summary="One enrolment with its verdicts"),
)
class EnrolmentViewSet(ScopedViewSet):
    model = Enrolment
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def prepare(self, queryset):
        return _enrolments(queryset.select_related("session"))

    def _enrolment(self):
        enrolment = self.get_object()
        # The rules read the session, its scheme and the assessor.
        return (
            Enrolment.objects.select_related("session__scheme", "assessor")
            .filter(pk=enrolment.pk)
            .get()
        )

    @extend_schema(
        summary="Record one unit's verdict (K or BK)",
        description=(
            "Only the assessor assigned to the asesi, while the session is in assessment, "
            "their certificate valid on the assessment day and the verdicts not yet "
            "submitted: the same rules as the assessor's page. A refusal is `refused` (403)."
        ),
        request=VerdictInputSerializer,
        responses={200: UnitVerdictSerializer},
    )
    @action(detail=True, methods=["post"])
    def verdicts(self, request, pk=None):
        enrolment = self._enrolment()
        refusal = rules.verdict_refusal(request.user, enrolment)
        if refusal:
            raise Refused(refusal)
        data = VerdictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not enrolment.session.scheme.units.filter(pk=values["unit"]).exists():
            raise ValidationError(
                {"unit": [_("This unit is not part of the session's scheme.")]}, code="invalid"
            )
        try:
            saved = rules.record_verdict(
                request.user,
                enrolment,
                values["unit"],
                values["verdict"],
                methods=values["methods"],
                notes=values["notes"].strip(),
            )
        except rules.Refused as refused:
            raise Refused(refused.message) from None
        return Response(UnitVerdictSerializer(saved).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="Submit the verdicts: they lock until an admin reopens them",
        request=None,
        responses={200: EnrolmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        enrolment = self._enrolment()
        try:
            rules.submit_verdicts(request.user, enrolment)
        except rules.Refused as refused:
            raise Refused(refused.message) from None
        fresh = self.prepare(Enrolment.objects.filter(pk=enrolment.pk)).get()
        return Response(self.get_serializer(fresh).data)
