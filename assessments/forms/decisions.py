"""Forms of the decision (pleno) and the appeal (FR.AK.04).

The rules are in `assessments.services.decisions` / `.sessions`; the forms only turn their refusals
into errors on the field they are about, keeping what was typed.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.forms import DateInput, KompetenForm

from ..models import Appeal
from ..services import decisions


class DecisionForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes of the decision meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the meeting (pleno) and who attended."),
    )


class AppealForm(KompetenForm):
    """FR.AK.04, recorded by the admin for the asesi (who has no account)."""

    grounds = forms.MultipleChoiceField(
        label=_("Grounds"),
        choices=Appeal.Ground.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the asesi says went wrong in the assessment."),
    )

    class Meta:
        model = Appeal
        fields = ["filed_on", "grounds", "explanation"]
        widgets = {"filed_on": DateInput()}
        help_texts = {"explanation": _("The asesi's appeal in their own words.")}

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.fields["filed_on"].initial = timezone.localdate()
        self.helper.inputs[0].value = _("Record the appeal")

    def clean_filed_on(self):
        filed_on = self.cleaned_data["filed_on"]
        refusal = decisions.appeal_filing_refusal(self.enrolment, filed_on)
        if refusal:
            raise forms.ValidationError(refusal)
        return filed_on

    def save(self, commit=True):
        self.instance.enrolment = self.enrolment
        return super().save(commit)


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.met_number}"


class AppealDecisionForm(forms.Form):
    """Reject with a reason, or grant a re-assessment with another assessor on a day."""

    GRANT, REJECT = "grant", "reject"

    outcome = forms.ChoiceField(
        label=_("Decision on the appeal"),
        choices=[
            (GRANT, _("Grant: re-assess the BK units with another assessor")),
            (REJECT, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    assessor = AssessorChoiceField(
        label=_("Assessor for the re-assessment"),
        queryset=None,
        required=False,
        help_text=_("Assessors of the LSP who may assess the scheme and have not assessed this "
                    "asesi."),
    )  # fmt: skip
    day = forms.DateField(label=_("Re-assessment day"), required=False, widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the appeal is rejected."),
    )

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.appeal = appeal
        self.fields["assessor"].queryset = decisions.reassessment_choices(appeal)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Save the decision")))

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting the appeal."))
        if outcome == self.GRANT:
            assessor, day = data.get("assessor"), data.get("day")
            if assessor is None and "assessor" not in self.errors:
                self.add_error("assessor", _("Choose the assessor for the re-assessment."))
            if day is None and "day" not in self.errors:
                self.add_error("day", _("Give the day of the re-assessment."))
            if assessor is not None and day is not None:
                refusal = decisions.reassessment_refusal(self.appeal, assessor, day)
                if refusal:
                    self.add_error("assessor", refusal)
        return data
