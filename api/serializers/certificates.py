from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.filters import STATES
from certificates.models import Certificate

from .common import RefSerializer


class CertificateUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField(required=False, allow_blank=True)


class CertificateSerializer(serializers.ModelSerializer):
    """What the certificate says (copied when issued) and its state today."""

    lsp = RefSerializer(read_only=True)
    session = serializers.PrimaryKeyRelatedField(read_only=True)
    scheme = serializers.PrimaryKeyRelatedField(read_only=True)
    student = serializers.PrimaryKeyRelatedField(read_only=True, source="candidate")
    state = serializers.SerializerMethodField()
    units = CertificateUnitSerializer(many=True, read_only=True)
    verification_url = serializers.SerializerMethodField()
    replaced_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "public_id",
            "number",
            "blank_number",
            "state",
            "lsp",
            "session",
            "scheme",
            "student",
            "holder_name",
            "scheme_code",
            "scheme_title",
            "scheme_title_en",
            "kkni_level",
            "units",
            "issued_on",
            "valid_until",
            "revoked_at",
            "revoke_reason",
            "replaced_by",
            "verification_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_state(self, obj) -> str:
        return obj.state_on(self.context["today"])

    @extend_schema_field(serializers.URLField())
    def get_verification_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_verification_url())


class VerificationSchemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    kkni_level = serializers.IntegerField(allow_null=True)


class VerificationLspSerializer(serializers.Serializer):
    name = serializers.CharField()
    name_en = serializers.CharField(allow_blank=True)


class VerificationSerializer(serializers.Serializer):
    """The public verification: what /verifikasi/<id>/ shows, the name partly masked."""

    status = serializers.ChoiceField(choices=STATES)
    name = serializers.CharField()
    number = serializers.CharField()
    blank_number = serializers.CharField(allow_blank=True)
    scheme = VerificationSchemeSerializer()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField()
    revoked_on = serializers.DateField(allow_null=True)
    replaced_by = serializers.URLField(allow_null=True)
    lsp = VerificationLspSerializer()
    url = serializers.URLField()
    checked_on = serializers.DateField()
