from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.forms.schemes import SchemeForm
from assessments.models import Scheme, SchemeUnit

from .common import RefSerializer
from .writing import MAX_ID, PageFormSerializer


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


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}]})
class UnitRefField(serializers.Field):
    """A unit by its id (a number) or its code (text, e.g. J.620100.004.02)."""

    default_error_messages = {
        "invalid": gettext_lazy("A unit id (a whole number) or a unit code (text).")
    }

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and 1 <= data <= MAX_ID:
            return data
        if isinstance(data, str) and data.strip() and len(data) <= 100 and "\x00" not in data:
            return "".join(data.split()).upper()  # as units store their codes
        self.fail("invalid")

    def to_representation(self, value):
        return value


class SchemeInputSerializer(PageFormSerializer):
    """A scheme as the page's scheme form takes it (`assessments.forms.schemes.SchemeForm`),
    its units an ordered list of the LSP's units."""

    form_class = SchemeForm
    excluded = ("unit_order",)  # the order of `units`
    slugs = {"concentration": "abbreviation"}
    defaulted = ("lsp",)
    renamed_errors = {"unit_order": "units"}
    help_texts = {
        "lsp": "Id of the LSP; optional for an admin of one LSP. Fixed once created.",
        "concentration": "Abbreviation of the concentration served, e.g. TKJ.",
    }
    units = serializers.ListField(
        child=UnitRefField(),
        required=False,
        help_text=(
            "The scheme's units in order, each by id or by code: units of the scheme's own "
            "LSP. Omitted: the units stay as they are."
        ),
    )

    def form_data(self, attrs, form):
        data = dict(attrs)
        if "units" not in attrs:
            return data
        refs = list(dict.fromkeys(attrs["units"]))
        choices = form.fields["units"].queryset
        ids = [ref for ref in refs if isinstance(ref, int)]
        codes = [ref for ref in refs if isinstance(ref, str)]
        lsp_id = attrs.get("lsp") or (self.instance.lsp_id if self.instance else None)
        by_id, by_code = {}, {}
        for unit in choices.filter(pk__in=ids) | choices.filter(code__in=codes):
            by_id[unit.pk] = unit
            # A code names the unit of the scheme's LSP (a superuser sees several LSPs' units).
            if unit.code not in by_code or unit.lsp_id == lsp_id:
                by_code[unit.code] = unit
        unknown = [ref for ref in codes if ref not in by_code]
        if unknown:
            message = _("No unit of the LSP has these codes: %(codes)s.")
            raise serializers.ValidationError(
                {"units": [message % {"codes": ", ".join(unknown)}]}, code="invalid_choice"
            )
        # Ids the user may not pick stay in: the form refuses them by name.
        data["units"] = [by_code[ref].pk if isinstance(ref, str) else ref for ref in refs]
        listed = [by_id.get(pk) for pk in data["units"]]
        data["unit_order"] = "\n".join(unit.code for unit in listed if unit is not None)
        return data
