from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessors.forms.assessors import AssessorForm
from assessors.models import Assessor, Outcome, Status

from .common import RefSerializer, personal_allowed
from .writing import PageFormSerializer

PERSONAL = ("nik", "email", "phone")


class AssessorSerializer(serializers.ModelSerializer):
    """An assessor with the status and recognition outcome the pages show: the annotations of
    `with_status(today)` and `with_recognition(today)`."""

    home_school = RefSerializer(read_only=True, allow_null=True)
    lsps = RefSerializer(many=True, read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.SerializerMethodField()
    current_valid_until = serializers.DateField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    outcome_label = serializers.SerializerMethodField()
    assessments_done = serializers.IntegerField(read_only=True)
    window_start = serializers.DateField(read_only=True, allow_null=True)
    window_end = serializers.DateField(read_only=True, allow_null=True)
    nik = serializers.CharField(read_only=True, allow_null=True, help_text="Only to its editors.")
    email = serializers.CharField(read_only=True, allow_null=True, help_text="Only to its editors.")
    phone = serializers.CharField(read_only=True, allow_null=True, help_text="Only to its editors.")

    class Meta:
        model = Assessor
        fields = [
            "id",
            "full_name",
            "met_number",
            "home_school",
            "lsps",
            "status",
            "status_label",
            "current_valid_until",
            "outcome",
            "outcome_label",
            "assessments_done",
            "window_start",
            "window_end",
            *PERSONAL,
        ]

    @extend_schema_field(serializers.CharField())
    def get_status_label(self, obj) -> str:
        return str(Status(obj.status).label)

    @extend_schema_field(serializers.CharField())
    def get_outcome_label(self, obj) -> str:
        return str(obj.get_outcome_label())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not personal_allowed(self, instance):
            for name in PERSONAL:
                data[name] = None
        return data


class AssessorInputSerializer(PageFormSerializer):
    """An assessor as the page's assessor form takes it (`AssessorForm`). A new assessor may come
    with their current BNSP certificate (number, issue date, end of validity); later
    certificates, the scan and the linked account are recorded on the pages."""

    form_class = AssessorForm
    excluded = ("user", "certificate_file")
    defaulted = ("lsps",)
    help_texts = {
        "home_school": "Id of the school where the assessor teaches.",
        "lsps": (
            "Ids of the LSPs served, among those you administer (optional for an admin of one "
            "LSP); the assessor's other LSPs stay."
        ),
        "phone": "e.g. 081234567890; saved as +6281234567890.",
        "certificate_number": "Only when creating: the current BNSP assessor certificate.",
        "issued_on": "Only when creating, with `certificate_number`.",
        "valid_until": "Only when creating. Empty: three years after the issue date.",
    }
