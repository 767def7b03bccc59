"""The assessor's logbook: one assessment done outside Kompeten, or a file of them."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.files import document_validator
from lsp.forms import DateInput, KompetenForm, XlsxFileField
from lsp.models import Lsp

from ..models import LogbookEntry
from ..services.logbook_import import importable_lsps, same_entry


class LogbookForm(KompetenForm):
    """An assessment before Kompeten or for another LSP; it counts toward RCC in its window."""

    class Meta:
        model = LogbookEntry
        fields = [
            "date",
            "lsp",
            "lsp_name",
            "scheme_name",
            "tuk_name",
            "asesi_count",
            "evidence",
            "notes",
        ]
        widgets = {"date": DateInput()}
        help_texts = {
            "lsp": _("Choose it if it uses Kompeten; otherwise write its name below."),
            "evidence": _("The surat tugas or berita acara: PDF, JPEG or PNG."),
        }

    def __init__(self, *args, assessor, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessor = assessor
        self.instance.assessor = assessor
        self.fields["lsp"].queryset = Lsp.objects.order_by("name").only("name")
        self.fields["lsp"].initial = (
            assessor.lsps.order_by("name").values_list("pk", flat=True).first()
        )
        self.fields["asesi_count"].min_value = 1
        self.fields["asesi_count"].widget.attrs["min"] = 1
        # The model's validator does not run before the file is read here; be explicit.
        self.fields["evidence"].validators = [document_validator]
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return date

    def clean_asesi_count(self):
        count = self.cleaned_data["asesi_count"]
        if count is not None and count < 1:
            raise forms.ValidationError(_("At least one asesi."), code="min_value")
        return count

    def clean(self):
        cleaned = super().clean()
        lsp, name = cleaned.get("lsp"), cleaned.get("lsp_name", "")
        if lsp is None and not name:
            self.add_error("lsp", _("Choose the LSP or write its name."))
        elif lsp is not None:
            cleaned["lsp_name"] = ""
        date, scheme = cleaned.get("date"), cleaned.get("scheme_name")
        if date and scheme and not self.errors:
            entry = LogbookEntry(
                assessor=self.assessor, date=date, scheme_name=scheme, lsp=lsp, lsp_name=name
            )
            if same_entry(entry).exists():
                self.add_error(None, _("The same entry is already in the logbook."))
        return cleaned


class LogbookImportForm(forms.Form):
    lsp = forms.ModelChoiceField(
        queryset=None,
        label=_("LSP"),
        help_text=_("The rows name assessors of this LSP; the assessments may be for any LSP."),
    )
    file = XlsxFileField(help_text=_("Use the template: one assessment per row."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lsps = importable_lsps(user).order_by("name")
        self.fields["lsp"].queryset = lsps
        if len(lsps) == 1:
            self.initial["lsp"] = lsps[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Check the file"), css_id="import-submit"))
