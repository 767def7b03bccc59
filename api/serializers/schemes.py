from rest_framework import serializers

from assessments.models import Scheme, SchemeUnit

from .common import RefSerializer


class SchemeUnitSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="unit.id", read_only=True)
    code = serializers.CharField(source="unit.code", read_only=True)
    title = serializers.CharField(source="unit.title", read_only=True)
    title_en = serializers.CharField(source="unit.title_en", read_only=True)

    class Meta:
        model = SchemeUnit
        fields = ["id", "code", "title", "title_en", "order"]


class SchemeSerializer(serializers.ModelSerializer):
    lsp = RefSerializer(read_only=True)
    concentration = serializers.SlugRelatedField(
        read_only=True, slug_field="abbreviation", allow_null=True
    )
    units = SchemeUnitSerializer(many=True, read_only=True, source="schemeunit_set")

    class Meta:
        model = Scheme
        fields = [
            "id",
            "lsp",
            "code",
            "title",
            "title_en",
            "kind",
            "kkni_level",
            "concentration",
            "is_active",
            "kbli_code",
            "kbji_code",
            "units",
        ]
