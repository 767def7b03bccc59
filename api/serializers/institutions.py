from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lsp.models import Lsp, School, Tuk

from .common import RefSerializer, RegencySerializer


class SchoolSerializer(serializers.ModelSerializer):
    regency = RegencySerializer(read_only=True)
    concentrations = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="abbreviation"
    )

    class Meta:
        model = School
        fields = [
            "id",
            "npsn",
            "name",
            "status",
            "regency",
            "address",
            "phone",
            "email",
            "concentrations",
        ]


class LspSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True)
    host_school = RefSerializer(read_only=True, allow_null=True)
    network_schools = RefSerializer(many=True, read_only=True)
    licence_valid = serializers.SerializerMethodField()

    class Meta:
        model = Lsp
        fields = [
            "id",
            "name",
            "name_en",
            "kind",
            "province_code",
            "licence_number",
            "licence_valid_until",
            "licence_valid",
            "host_school",
            "network_schools",
            "address",
            "email",
            "phone",
            "max_candidates_per_assessor_day",
            "conflict_rule",
            "appeal_days",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_licence_valid(self, obj) -> bool:
        return obj.licence_is_valid_on(self.context["today"])


class TukSerializer(serializers.ModelSerializer):
    lsp = RefSerializer(read_only=True)
    regency = RegencySerializer(read_only=True, allow_null=True)
    usable_today = serializers.SerializerMethodField()

    class Meta:
        model = Tuk
        fields = [
            "id",
            "lsp",
            "code",
            "name",
            "kind",
            "address",
            "regency",
            "verified_on",
            "verified_until",
            "usable_today",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_usable_today(self, obj) -> bool:
        return obj.is_usable_on(self.context["today"])
