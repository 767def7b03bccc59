from rest_framework import serializers

from assessments.forms.candidates import CandidateForm
from assessments.models import Candidate

from .common import RefSerializer, personal_allowed
from .writing import PageFormSerializer

# Minors' personal data (UU 27/2022): never to a Disdikbud viewer.
PERSONAL = ("nisn", "nik", "birth_place", "birth_date", "address", "phone", "email")


class StudentSerializer(serializers.ModelSerializer):
    school = RefSerializer(read_only=True)
    concentration = serializers.SlugRelatedField(read_only=True, slug_field="abbreviation")
    nisn = serializers.CharField(read_only=True, allow_null=True)
    nik = serializers.CharField(read_only=True, allow_null=True)
    birth_place = serializers.CharField(read_only=True, allow_null=True)
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    address = serializers.CharField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "full_name",
            "sex",
            "school",
            "concentration",
            "level",
            "class_name",
            "school_year",
            "graduation_year",
            *PERSONAL,
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not personal_allowed(self, instance):
            for name in PERSONAL:
                data[name] = None
        return data


class StudentInputSerializer(PageFormSerializer):
    """A student as the page's student form takes it (`CandidateForm`), without the photo
    (uploaded on the page)."""

    form_class = CandidateForm
    slugs = {"concentration": "abbreviation"}
    help_texts = {
        "school": "Id of the school: a host or network school of your LSP.",
        "concentration": "Abbreviation of the concentration, e.g. TKJ.",
    }
