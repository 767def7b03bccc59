from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from lsp.forms import DateInput, KompetenForm
from lsp.models import Concentration, School

from ..models import Candidate
from ..models.candidates import prepare_photo


class CandidateForm(KompetenForm):
    class Meta:
        model = Candidate
        fields = [
            "full_name",
            "nisn",
            "nik",
            "birth_place",
            "birth_date",
            "sex",
            "address",
            "phone",
            "email",
            "school",
            "concentration",
            "level",
            "class_name",
            "school_year",
            "graduation_year",
            "photo",
        ]
        widgets = {
            "birth_date": DateInput(),
            # Identifiers are typed, never numbers: a number input would drop leading zeros.
            "nisn": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 10}),
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 16}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.of_lsps(self.scope.admin_lsp_ids)
        if self.scope.superuser:
            schools = School.objects.all()
        self.fields["school"].queryset = schools.select_related("regency").order_by("name")
        self.fields["concentration"].queryset = Concentration.objects.order_by("name")

    def clean_photo(self):
        """A new upload is checked by its content and kept as a small JPEG (prepare_photo)."""
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return prepare_photo(photo)
        return photo

    def clean(self):
        cleaned = super().clean()
        school, concentration = cleaned.get("school"), cleaned.get("concentration")
        if (
            school
            and concentration
            and school.concentrations.exists()
            and not school.concentrations.filter(pk=concentration.pk).exists()
        ):
            self.add_error("concentration", _("This school does not teach this concentration."))
        return cleaned
