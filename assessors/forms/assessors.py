"""Forms for an assessor, their certificates and their technical scope."""

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lsp.files import document_validator
from lsp.forms import DateInput, KompetenForm
from lsp.models import Lsp, School, User
from lsp.validators import normalise_phone

from ..models import Assessor, AssessorCertificate, TechnicalScope, default_valid_until
from ..services.roles import sync_roles
from ..validators import normalise_met


def _check_validity(cleaned: dict, form: forms.Form, *, issued="issued_on", until="valid_until"):
    """Empty `valid_until`: three years after issue. It must come after the issue date."""
    issued_on, valid_until = cleaned.get(issued), cleaned.get(until)
    if issued_on and not valid_until:
        cleaned[until] = default_valid_until(issued_on)
    elif issued_on and valid_until and valid_until <= issued_on:
        form.add_error(until, _("The end of validity must come after the issue date."))


CERTIFICATE_FIELDS = ("certificate_number", "issued_on", "valid_until", "certificate_file")


class AssessorForm(KompetenForm):
    """The assessor's record. A new assessor may come with their current BNSP certificate."""

    certificate_number = forms.CharField(
        label=_("Assessor certificate number"), max_length=100, required=False
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: three years after the issue date."),
    )
    certificate_file = forms.FileField(
        label=_("Scan of the certificate"),
        required=False,
        validators=[document_validator],  # the model's validator does not run for this field
        help_text=_("PDF, JPEG or PNG."),
    )

    class Meta:
        model = Assessor
        fields = ["full_name", "nik", "met_number", "email", "phone", "home_school", "lsps", "user"]
        widgets = {"lsps": forms.CheckboxSelectMultiple}
        help_texts = {"phone": _("e.g. 081234567890; saved as +6281234567890.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_user_id = self.instance.user_id
        self.fields["nik"].widget.attrs.update(inputmode="numeric", maxlength=16)
        self.fields["home_school"].queryset = School.objects.for_user(self.user).order_by("name")
        self.fields["lsps"].queryset = Lsp.objects.editable_by(self.user).order_by("name")
        self.fields["lsps"].label = _("LSPs served")
        # LSPs of the assessor this admin does not keep stay as they are.
        self.kept_lsps = []
        if self.instance.pk:
            self.kept_lsps = list(
                self.instance.lsps.exclude(pk__in=self.fields["lsps"].queryset.values("pk"))
            )
        if len(self.fields["lsps"].queryset) == 1 and not self.instance.pk:
            self.initial["lsps"] = [self.fields["lsps"].queryset[0].pk]
        linked = Assessor.objects.exclude(pk=self.instance.pk).exclude(user=None)
        self.fields["user"].queryset = (
            User.objects.editable_by(self.user)
            .exclude(pk__in=linked.values("user_id"))
            .order_by("username")
        )
        self.fields["user"].help_text = _(
            "The account the assessor signs in with, to see their own record."
        )
        if self.instance.pk:
            for name in CERTIFICATE_FIELDS:
                del self.fields[name]
        else:
            self.helper.layout = Layout(
                Fieldset(_("Assessor"), *self._meta.fields),
                Fieldset(_("Current BNSP certificate (optional)"), *CERTIFICATE_FIELDS),
            )

    def clean_met_number(self):
        return normalise_met(self.cleaned_data["met_number"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""

    def clean_lsps(self):
        lsps = self.cleaned_data["lsps"]
        if not lsps and not self.kept_lsps:
            raise ValidationError(_("Choose at least one LSP."), code="required")
        return lsps

    def clean_certificate_number(self):
        number = self.cleaned_data.get("certificate_number", "").strip()
        if number and AssessorCertificate.objects.filter(number=number).exists():
            raise ValidationError(
                _("This certificate number is already on record."), code="duplicate"
            )
        return number

    def clean(self):
        cleaned = super().clean()
        if "certificate_number" not in self.fields:
            return cleaned
        number, issued_on = cleaned.get("certificate_number"), cleaned.get("issued_on")
        if number and not issued_on and "issued_on" not in self.errors:
            self.add_error("issued_on", _("Give the issue date of the certificate."))
        if issued_on and not number and "certificate_number" not in self.errors:
            self.add_error("certificate_number", _("Give the certificate number."))
        _check_validity(cleaned, self)
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        assessor = super().save(commit=commit)
        assessor.lsps.add(*self.kept_lsps)
        number = self.cleaned_data.get("certificate_number")
        if number:
            AssessorCertificate.objects.create(
                assessor=assessor,
                number=number,
                issued_on=self.cleaned_data["issued_on"],
                valid_until=self.cleaned_data["valid_until"],
                kind=AssessorCertificate.Kind.INITIAL,
                file=self.cleaned_data.get("certificate_file") or "",
            )
        sync_roles(assessor, previous_user_id=self.previous_user_id)
        return assessor


class CertificateForm(KompetenForm):
    """A new BNSP certificate for an assessor: a renewal (RCC) or a first one."""

    class Meta:
        model = AssessorCertificate
        fields = ["number", "issued_on", "valid_until", "kind", "file"]
        widgets = {"issued_on": DateInput(), "valid_until": DateInput()}

    def __init__(self, *args, assessor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.assessor = assessor
        self.fields["valid_until"].required = False
        if assessor.certificates.exists():
            self.initial.setdefault("kind", AssessorCertificate.Kind.RCC)

    def clean(self):
        cleaned = super().clean()
        _check_validity(cleaned, self)
        return cleaned


class ScopeForm(KompetenForm):
    """A scheme of one of the assessor's LSPs, with the assessor's own competency certificate."""

    class Meta:
        model = TechnicalScope
        fields = ["scheme", "certificate_number", "valid_until"]
        widgets = {"valid_until": DateInput()}

    def __init__(self, *args, assessor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.assessor = assessor
        scheme_model = TechnicalScope._meta.get_field("scheme").related_model
        self.fields["scheme"].queryset = (
            scheme_model.objects.editable_by(self.user)
            .filter(lsp__in=assessor.lsps.all())
            .exclude(pk__in=assessor.scopes.values("scheme_id"))
            .select_related("lsp")
            .order_by("lsp__name", "title")
        )
        self.fields["valid_until"].help_text = _(
            "When the assessor's own competency certificate for this field ends."
        )
