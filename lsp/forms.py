from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .access import scope_of
from .models import Lsp, Province, Regency, Role, School, Tuk, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


XLSX_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a zip; .xls, .csv and renamed files are not
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_xlsx(file):
    """An uploaded .xlsx judged by its size and content, never by its name."""
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


class XlsxFileField(forms.FileField):
    """An Excel upload for the imports: the file chooser offers .xlsx; `clean_xlsx` decides."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Excel file (.xlsx)"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        return clean_xlsx(file) if file else file


class KompetenForm(forms.ModelForm):
    """A model form that knows its user and renders with crispy-bootstrap5."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope = scope_of(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)
        self.helper.add_input(Submit("submit", _("Save")))


class ProvinceForm(KompetenForm):
    class Meta:
        model = Province
        fields = ["code", "name"]


class RegencyForm(KompetenForm):
    class Meta:
        model = Regency
        fields = ["code", "name", "kind", "province"]


class SchoolForm(KompetenForm):
    network_of = forms.ModelChoiceField(
        queryset=Lsp.objects.none(),
        label=_("Network school (jejaring) of"),
        help_text=_("The LSP that certifies this school's students."),
    )

    class Meta:
        model = School
        fields = [
            "npsn",
            "name",
            "status",
            "regency",
            "address",
            "phone",
            "email",
            "concentrations",
        ]
        widgets = {"concentrations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = Regency.objects.for_user(self.user).select_related(
            "province"
        )
        self.fields["concentrations"].queryset = self.fields["concentrations"].queryset.order_by(
            "name"
        )
        if self.instance.pk or self.scope.superuser:
            # Existing schools join or leave a network on the LSP's own form.
            del self.fields["network_of"]
        else:
            self.fields["network_of"].queryset = Lsp.objects.editable_by(self.user)
            if self.fields["network_of"].queryset.count() == 1:
                self.initial["network_of"] = self.fields["network_of"].queryset.get()

    def clean(self):
        cleaned = super().clean()
        lsp, regency = cleaned.get("network_of"), cleaned.get("regency")
        if lsp and regency and regency.province_id != lsp.province_id:
            self.add_error("regency", _("The school must be in the LSP's province."))
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        school = super().save(commit=commit)
        if commit and self.cleaned_data.get("network_of"):
            self.cleaned_data["network_of"].network_schools.add(school)
        return school


class LspForm(KompetenForm):
    class Meta:
        model = Lsp
        fields = [
            "name",
            "name_en",
            "kind",
            "province",
            "licence_number",
            "licence_valid_until",
            "host_school",
            "network_schools",
            "address",
            "email",
            "phone",
            "logo",
            "signatory_name",
            "signatory_title",
            "signatory_signature",
            "max_candidates_per_assessor_day",
            "conflict_rule",
            "appeal_days",
        ]
        widgets = {
            "licence_valid_until": DateInput(),
            "network_schools": forms.SelectMultiple(attrs={"size": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.scope.superuser:
            # The licence, the type and the province are BNSP's and Disdikbud's to set.
            for name in ("kind", "province", "licence_number", "licence_valid_until"):
                self.fields[name].disabled = True
        province_id = self.instance.province_id if self.instance.pk else None
        schools = School.objects.select_related("regency").order_by("name")
        if province_id:
            schools = schools.filter(regency__province_id=province_id)
        self.fields["host_school"].queryset = schools
        self.fields["network_schools"].queryset = schools

    def clean(self):
        cleaned = super().clean()
        province = cleaned.get("province")
        for name in ("host_school",):
            school = cleaned.get(name)
            if school and province and school.regency.province_id != province.pk:
                self.add_error(name, _("The school must be in the LSP's province."))
        host = cleaned.get("host_school")
        if host and host in (cleaned.get("network_schools") or []):
            self.add_error("network_schools", _("The host school is not its own network school."))
        return cleaned


class TukForm(KompetenForm):
    class Meta:
        model = Tuk
        fields = [
            "lsp",
            "code",
            "name",
            "kind",
            "address",
            "regency",
            "verified_on",
            "verified_until",
        ]
        widgets = {"verified_on": DateInput(), "verified_until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lsp"].queryset = Lsp.objects.editable_by(self.user)
        if self.fields["lsp"].queryset.count() == 1 and not self.instance.pk:
            self.initial["lsp"] = self.fields["lsp"].queryset.get()
        self.fields["regency"].queryset = Regency.objects.for_user(self.user)


class UserForm(KompetenForm):
    """An LSP admin keeps the accounts of their LSP: its admins and its assessors."""

    lsp = forms.ModelChoiceField(queryset=Lsp.objects.none(), label=_("LSP"))
    is_lsp_admin = forms.BooleanField(label=_("LSP admin"), required=False)
    is_assessor = forms.BooleanField(label=_("Assessor"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["lsp"].queryset = Lsp.objects.editable_by(self.user)
        if self.instance.pk:
            role = self.instance.roles.filter(lsp__in=self.fields["lsp"].queryset).first()
            if role:
                self.initial["lsp"] = role.lsp_id
                kinds = set(
                    self.instance.roles.filter(lsp_id=role.lsp_id).values_list("kind", flat=True)
                )
                self.initial["is_lsp_admin"] = Role.Kind.LSP_ADMIN in kinds
                self.initial["is_assessor"] = Role.Kind.ASSESSOR in kinds
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""
            if self.fields["lsp"].queryset.count() == 1:
                self.initial["lsp"] = self.fields["lsp"].queryset.get()

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("is_lsp_admin") or cleaned.get("is_assessor")):
            raise forms.ValidationError(_("Choose at least one role."))
        if self.instance.pk == self.user.pk and not cleaned.get("is_lsp_admin"):
            self.add_error("is_lsp_admin", _("You cannot remove your own admin role."))
        if cleaned.get("password"):
            try:
                validate_password(cleaned["password"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        user.save()
        lsp = self.cleaned_data["lsp"]
        for kind, wanted in (
            (Role.Kind.LSP_ADMIN, self.cleaned_data["is_lsp_admin"]),
            (Role.Kind.ASSESSOR, self.cleaned_data["is_assessor"]),
        ):
            if wanted:
                Role.objects.get_or_create(user=user, kind=kind, lsp=lsp)
            else:
                for role in Role.objects.filter(user=user, kind=kind, lsp=lsp):
                    role.delete()
        return user
