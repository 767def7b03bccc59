from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from lsp.forms import XlsxFileField

from ..services.imports import importable_lsps


class AssessorImportForm(forms.Form):
    lsp = forms.ModelChoiceField(queryset=None, label=_("LSP"))
    file = XlsxFileField(
        help_text=_("Use the template: one assessor per row under the header row.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lsps = importable_lsps(user).order_by("name")
        self.fields["lsp"].queryset = lsps
        if len(lsps) == 1:
            self.initial["lsp"] = lsps[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Check the file"), css_id="import-submit"))
