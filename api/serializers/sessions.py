from rest_framework import serializers

from assessments.models import AssessmentSession, Enrolment, Method, UnitVerdict, Verdict

from .common import CodeSerializer, RefSerializer


class SessionAssessorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="assessor.id")
    full_name = serializers.CharField(source="assessor.full_name")
    met_number = serializers.CharField(source="assessor.met_number")
    submitted_at = serializers.DateTimeField(allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    lsp = RefSerializer(read_only=True)
    scheme = RefSerializer(read_only=True)
    tuk = RefSerializer(read_only=True)
    funding = CodeSerializer(read_only=True)
    assessors = SessionAssessorSerializer(many=True, read_only=True, source="assignments")
    enrolled = serializers.IntegerField(read_only=True, help_text="Asesi enrolled (all rounds).")
    competent = serializers.IntegerField(read_only=True, help_text="Decided K.")
    not_yet_competent = serializers.IntegerField(read_only=True, help_text="Decided BK.")

    class Meta:
        model = AssessmentSession
        fields = [
            "id",
            "code",
            "lsp",
            "scheme",
            "tuk",
            "start_date",
            "end_date",
            "status",
            "funding",
            "assessors",
            "enrolled",
            "competent",
            "not_yet_competent",
            "decided_at",
        ]


class UnitVerdictSerializer(serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = UnitVerdict
        fields = ["unit", "unit_code", "verdict", "methods", "notes", "recorded_at"]


class EnrolmentSerializer(serializers.ModelSerializer):
    session = serializers.PrimaryKeyRelatedField(read_only=True)
    student = RefSerializer(read_only=True, source="candidate")
    assessor = RefSerializer(read_only=True)
    verdicts = UnitVerdictSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "student",
            "assessor",
            "assessment_date",
            "round",
            "previous",
            "eligibility",
            "submitted_at",
            "decision",
            "decided_at",
            "verdicts",
        ]


class SessionDetailSerializer(SessionSerializer):
    enrolments = EnrolmentSerializer(many=True, read_only=True, source="api_enrolments")

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "enrolments"]


class VerdictInputSerializer(serializers.Serializer):
    """One unit's verdict, recorded by the assigned assessor (the page's rules)."""

    unit = serializers.IntegerField(min_value=1)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=Method.choices), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
