from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..services.student_import import importable_schools

XLSX_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a zip; .xls, .csv and renamed files are not


class StudentImportForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None, label=_("School"))
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Use the template: one student per row under the header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = importable_schools(user).order_by("name")
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.initial["school"] = schools[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Check the file"), css_id="import-submit"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB)."),
                code="too_large",
                params={"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            )
        file.seek(0)
        head = file.read(4)
        file.seek(0)
        if head != XLSX_SIGNATURE:
            raise forms.ValidationError(
                _("This is not an Excel (.xlsx) file. In Excel choose Save As › Excel Workbook."),
                code="bad_type",
            )
        return file
