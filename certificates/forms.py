"""Forms of the certificate pages: the public search, the blank number, revoking, reissuing,
BNSP's Excel."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from lsp.forms import DateInput, XlsxFileField

from .models import Certificate
from .services.blanks import MAX_LENGTH, blank_taken, importable_lsps, normalise


def _helper(label, *, css_id: str, css_class: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", label, css_id=css_id, css_class=css_class))
    return helper


class VerifySearchForm(forms.Form):
    """Anyone holding the paper: its number and the holder's birth date find it."""

    number = forms.CharField(
        label=_("Certificate number"),
        max_length=80,
        help_text=_("As printed on the certificate, e.g. 62019 3512 2 0000001 2026."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(label=_("Holder's date of birth"), widget=DateInput())

    def clean_number(self):
        return " ".join(self.cleaned_data["number"].split())


class BlankNumberForm(forms.Form):
    blank_number = forms.CharField(
        label=_("BNSP blank number"),
        max_length=MAX_LENGTH,
        required=False,
        help_text=_("The number printed on the blank BNSP supplied. Empty: not recorded."),
    )

    def __init__(self, *args, certificate: Certificate, **kwargs):
        kwargs.setdefault("initial", {"blank_number": certificate.blank_number})
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        self.helper = _helper(_("Save the blank number"), css_id="blank-submit")

    def clean_blank_number(self):
        blank = normalise(self.cleaned_data["blank_number"])
        if blank:
            other = blank_taken(self.certificate.lsp_id, blank, exclude_pk=self.certificate.pk)
            if other is not None:
                raise forms.ValidationError(
                    _("This blank number is already recorded for certificate %(number)s."),
                    code="blank_taken",
                    params={"number": other.number},
                )
        return blank


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Recorded in the audit trail. The public verification page says only that the "
            "certificate is revoked, and since when."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Revoke the certificate"), css_id="revoke-submit", css_class="btn-danger"
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for revoking."), code="required")
        return reason


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. the name was corrected, or the certificate was lost or damaged. Recorded in "
            "the audit trail."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reissue_%s")  # on the page beside the revoke form's reason
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Reissue the certificate"), css_id="reissue-submit")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for reissuing."), code="required")
        return reason


class BlankImportForm(forms.Form):
    lsp = forms.ModelChoiceField(queryset=None, label=_("LSP"))
    file = XlsxFileField(help_text=_("BNSP's list with the columns No. Sertifikat and No. Blanko."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lsps = importable_lsps(user).order_by("name")
        self.fields["lsp"].queryset = lsps
        if len(lsps) == 1:
            self.initial["lsp"] = lsps[0].pk
        self.helper = _helper(_("Check the file"), css_id="import-submit")
