"""The assessor's forms at the site: FR.AK.01, FR.APL.02, FR.AK.02 per unit, FR.AK.03, FR.AK.05.

They validate only; the views save through `services.sessions` (verdicts) or the model.
The verdict fields are rendered by hand as large toggle buttons, so the forms carry no helper.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Enrolment, Method, SessionAssessor, Verdict


class AgreementForm(forms.Form):
    """FR.AK.01: the methods the assessor and the asesi agree to use."""

    methods = forms.MultipleChoiceField(
        label=_("Methods agreed"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one method to agree on.")},
    )


PROCEED_CHOICES = [("yes", _("Yes, the assessment may proceed")), ("no", _("No, not yet"))]


class SelfAssessmentForm(forms.Form):
    """FR.APL.02: the asesi's K/BK and evidence per element, and the assessor's recommendation.

    One pair of fields per element of every unit: `e<pk>-answer` and `e<pk>-evidence`.
    `rows` lists (unit, [(element, answer field, evidence field)]) for the template.
    """

    proceed = forms.ChoiceField(
        label=_("Assessor's recommendation"),
        choices=PROCEED_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, units, answers, proceed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        if proceed is not None:
            self.fields["proceed"].initial = "yes" if proceed else "no"
        for unit in units:
            for element in unit.elements.all():
                given = answers.get(element.pk)
                self.fields[f"e{element.pk}-answer"] = forms.ChoiceField(
                    label=str(element),
                    choices=Verdict.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    initial=given.answer if given else None,
                )
                self.fields[f"e{element.pk}-evidence"] = forms.CharField(
                    label=_("Evidence"),
                    max_length=300,
                    required=False,
                    initial=given.evidence if given else "",
                )

    @property
    def rows(self):
        return [
            (
                unit,
                [
                    (element, self[f"e{element.pk}-answer"], self[f"e{element.pk}-evidence"])
                    for element in unit.elements.all()
                ],
            )
            for unit in self.units
        ]

    def clean(self):
        """Evidence needs an answer; `answered` is {element pk: (answer, evidence)}."""
        data = super().clean()
        self.answered = {}
        for unit in self.units:
            for element in unit.elements.all():
                answer = data.get(f"e{element.pk}-answer")
                evidence = (data.get(f"e{element.pk}-evidence") or "").strip()
                if answer:
                    self.answered[element.pk] = (answer, evidence)
                elif evidence:
                    self.add_error(
                        f"e{element.pk}-answer",
                        _("Unit %(unit)s, element %(number)s: choose K or BK for this evidence.")
                        % {"unit": unit.code, "number": element.number},
                    )
        return data

    def proceed_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("proceed"))


class UnitVerdictForm(forms.Form):
    """FR.AK.02 for one unit, prefixed `u<unit pk>` so every unit fits in one page-wide form."""

    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect, required=False
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods used"),
        choices=Method.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, unit, verdict=None, **kwargs):
        kwargs.setdefault("prefix", f"u{unit.pk}")
        if verdict is not None:
            kwargs.setdefault(
                "initial",
                {"verdict": verdict.verdict, "methods": verdict.methods, "notes": verdict.notes},
            )
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.saved = verdict

    @property
    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return ""

    def changes(self) -> bool:
        """Whether the valid form differs from what is saved: an unchanged unit is not rewritten."""
        data = self.cleaned_data
        if self.saved is None:
            return bool(data["verdict"])
        return (
            data["verdict"] != self.saved.verdict
            or sorted(data["methods"]) != sorted(self.saved.methods)
            or data["notes"].strip() != self.saved.notes
        )


class FeedbackForm(forms.ModelForm):
    """FR.AK.03: feedback to the asesi."""

    class Meta:
        model = Enrolment
        fields = ["feedback"]
        widgets = {"feedback": forms.Textarea(attrs={"rows": 4})}


class ReportNotesForm(forms.ModelForm):
    """FR.AK.05: the assessor's notes on the session."""

    class Meta:
        model = SessionAssessor
        fields = ["report_notes"]
        widgets = {"report_notes": forms.Textarea(attrs={"rows": 6})}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for reopening.")},
    )
