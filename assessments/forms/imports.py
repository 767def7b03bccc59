from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from lsp.forms import XlsxFileField

from ..services.student_import import importable_schools


class StudentImportForm(forms.Form):
    school = forms.ModelChoiceField(queryset=None, label=_("School"))
    file = XlsxFileField(help_text=_("Use the template: one student per row under the header row."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = importable_schools(user).order_by("name")
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.initial["school"] = schools[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Check the file"), css_id="import-submit"))
