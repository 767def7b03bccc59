import re

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lsp.forms import KompetenForm
from lsp.models import Concentration, Lsp

from ..models import Criterion, Element, Scheme, Unit
from ..services.scheme_import import next_number, set_scheme_units


def _one_lsp_by_default(form):
    """Fix the LSP of an existing row; preselect it for an admin of only one LSP."""
    field = form.fields["lsp"]
    field.queryset = Lsp.objects.editable_by(form.user)
    if form.instance.pk:
        # Units and schemes belong to their LSP for good: other rows point at them.
        field.disabled = True
    elif len(field.queryset) == 1:
        form.initial["lsp"] = field.queryset[0].pk


class UnitForm(KompetenForm):
    class Meta:
        model = Unit
        fields = ["lsp", "code", "title", "title_en"]
        widgets = {"code": forms.TextInput(attrs={"placeholder": "J.620100.004.02"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _one_lsp_by_default(self)

    def clean_code(self):
        # Checked as it will be stored (Unit.save upper-cases), so the uniqueness check is true.
        return "".join(self.cleaned_data["code"].split()).upper()

    def clean(self):
        cleaned = super().clean()
        lsp, code = cleaned.get("lsp"), cleaned.get("code")
        if lsp and code:
            taken = Unit.objects.filter(lsp=lsp, code=code).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _("This LSP already has a unit with this code."))
        return cleaned


class SchemeForm(KompetenForm):
    # Not Meta.fields: the units go through SchemeUnit with their order (set_scheme_units).
    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Units"),
        help_text=_("The units of competency of this scheme, from the LSP's own units."),
    )
    unit_order = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Order of the units"),
        help_text=_(
            "Unit codes in the order the scheme lists them, one per line. "
            "Ticked units left out here follow in code order."
        ),
    )

    class Meta:
        model = Scheme
        fields = [
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
            "certificate_number_format",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _one_lsp_by_default(self)
        self.fields["concentration"].queryset = Concentration.objects.order_by("name")
        if self.instance.pk:
            units = Unit.objects.filter(lsp_id=self.instance.lsp_id)
            chosen = list(self.instance.ordered_units())
            self.initial["units"] = [unit.pk for unit in chosen]
            self.initial["unit_order"] = "\n".join(unit.code for unit in chosen)
        else:
            units = Unit.objects.editable_by(self.user)
        self.fields["units"].queryset = units.order_by("code")

    def clean_code(self):
        return " ".join(self.cleaned_data["code"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Scheme.Kind.KKNI and not cleaned.get("kkni_level"):
            self.add_error("kkni_level", _("A KKNI scheme needs its level."))
        units = list(cleaned.get("units") or [])
        lsp = cleaned.get("lsp")
        foreign = sorted(unit.code for unit in units if lsp and unit.lsp_id != lsp.pk)
        if foreign:
            message = _(
                "A scheme uses only its own LSP's units. These belong to another LSP: %(codes)s."
            )
            self.add_error("units", message % {"codes": ", ".join(foreign)})
        elif "units" in cleaned:
            cleaned["ordered_units"] = self._ordered(units)
        return cleaned

    def _ordered(self, units: list[Unit]) -> list[Unit]:
        by_code = {unit.code: unit for unit in units}
        codes = [c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data.get("unit_order", ""))]
        codes = list(dict.fromkeys(c for c in codes if c))
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            message = _(
                "These codes are not among the ticked units: %(codes)s. "
                "Tick them above or remove them from the order."
            )
            self.add_error("unit_order", message % {"codes": ", ".join(unknown)})
        listed = [by_code[code] for code in codes if code in by_code]
        rest = sorted((u for u in units if u.code not in codes), key=lambda u: u.code)
        return listed + rest

    @transaction.atomic
    def save(self, commit=True):
        scheme = super().save(commit=commit)
        if commit:
            set_scheme_units(scheme=scheme, units=self.cleaned_data["ordered_units"])
        return scheme


class ElementForm(KompetenForm):
    class Meta:
        model = Element
        fields = ["title"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    @transaction.atomic
    def save(self, commit=True):
        element = super().save(commit=False)
        if element.number is None:
            # Locking the unit makes two admins adding at once get numbers one after the other.
            Unit.objects.select_for_update().filter(pk=element.unit_id).first()
            element.number = next_number(Element.objects.filter(unit_id=element.unit_id))
        element.save()
        return element


class CriterionForm(KompetenForm):
    class Meta:
        model = Criterion
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    @transaction.atomic
    def save(self, commit=True):
        criterion = super().save(commit=False)
        if criterion.number is None:
            Element.objects.select_for_update().filter(pk=criterion.element_id).first()
            criterion.number = next_number(
                Criterion.objects.filter(element_id=criterion.element_id)
            )
        criterion.save()
        return criterion


class SchemeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.UPLOAD_MAX_BYTES:
            message = _("The file is too large (at most %(mb)s MB).")
            raise forms.ValidationError(message % {"mb": settings.UPLOAD_MAX_BYTES // 2**20})
        # An .xlsx is a zip; anything else (.xls, .csv, PDF) is refused before it is parsed.
        head = file.read(4)
        file.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(
                _("This is not an Excel (.xlsx) file. In Excel, use Save As → Excel Workbook.")
            )
        return file
