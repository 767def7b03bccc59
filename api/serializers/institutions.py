from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lsp.forms import SchoolForm, TukForm
from lsp.models import Lsp, School, Tuk

from .common import RefSerializer, RegencySerializer
from .writing import PageFormSerializer


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


class SchoolInputSerializer(PageFormSerializer):
    """A school as the page's school form takes it (`lsp.forms.SchoolForm`)."""

    form_class = SchoolForm
    slugs = {"regency": "code", "concentrations": "abbreviation"}
    defaulted = ("network_of",)
    help_texts = {
        "regency": "BPS code of the regency or city, e.g. 6472.",
        "concentrations": "Abbreviations of the concentrations taught, e.g. TKJ.",
        "network_of": (
            "Id of the LSP whose network (jejaring) the new school joins; optional for an "
            "admin of one LSP. Only when creating: existing schools change network on the LSP."
        ),
    }


class TukInputSerializer(PageFormSerializer):
    """A TUK as the page's TUK form takes it (`lsp.forms.TukForm`)."""

    form_class = TukForm
    slugs = {"regency": "code"}
    defaulted = ("lsp",)
    help_texts = {
        "lsp": "Id of the LSP; optional for an admin of one LSP.",
        "regency": "BPS code of the regency or city, e.g. 6472.",
    }
