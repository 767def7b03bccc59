"""Forms of the schedule and the enrolments: each validates through the rules in services."""

import datetime
from functools import reduce
from operator import or_

from crispy_forms.helper import FormHelper
from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from assessors.models import Assessor
from lsp.files import document_validator
from lsp.forms import DateInput, KompetenForm, XlsxFileField
from lsp.models import FundingProgramme, FundingSource, Lsp, Tuk

from ..models import AssessmentSession, Candidate, Enrolment, Evidence, Scheme, SessionAssessor
from ..services import funding as funding_rules
from ..services import scheduling
from ..services import sessions as rules


class AssessorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.met_number}"


class ProgrammeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.kind.name}"


class SessionForm(KompetenForm):
    """Schedule a session: validated by `services.sessions.schedule_problems`."""

    assessor_choices = AssessorChoice(
        queryset=Assessor.objects.none(),
        label=_("Assessors"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each needs a valid certificate and the scheme in scope on every day."),
    )

    class Meta:
        model = AssessmentSession
        fields = [
            "scheme", "tuk", "start_date", "end_date", "funding", "programme", "code", "notes",
        ]  # fmt: skip
        field_classes = {"programme": ProgrammeChoice}
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user, session = self.user, self.instance
        self.fields["scheme"].queryset = (
            Scheme.objects.editable_by(user)
            .filter(Q(is_active=True) | Q(pk=session.scheme_id))
            .select_related("lsp")
            .order_by("title")
        )
        self.fields["tuk"].queryset = Tuk.objects.editable_by(user).order_by("name")
        self.fields["funding"].queryset = FundingSource.objects.order_by("code")
        self.fields["funding"].required = False
        self.fields["funding"].help_text = _("Leave empty to take the funding programme's.")
        self._limit_programmes()
        served = (
            Assessor.objects.all()
            if self.scope.superuser
            else Assessor.objects.serving(self.scope.admin_lsp_ids)
        )
        if session.pk:
            served = served | Assessor.objects.filter(assignments__session=session)
            self.initial.setdefault(
                "assessor_choices", list(session.assignments.values_list("assessor_id", flat=True))
            )
        self.fields["assessor_choices"].queryset = served.distinct().order_by("full_name")
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave empty for the next number, e.g. JDW/1/2025/001.")
        if not session.pk:
            lsps = list(Lsp.objects.editable_by(user)[:2])
            if len(lsps) == 1:
                self.initial.setdefault(
                    "code", scheduling.suggested_code(lsps[0], timezone.localdate().year)
                )
        elif session.enrolments.exists():
            self.fields["scheme"].disabled = True
            self.fields["scheme"].help_text = _("Students are enrolled: the scheme stays.")

    def _limit_programmes(self):
        """Programmes the user's LSPs may draw on, from last year on (and the session's own)."""
        session = self.instance
        if self.scope.superuser:
            programmes = FundingProgramme.objects.all()
        else:
            usable = [FundingProgramme.objects.usable_by_lsp(pk) for pk in self.scope.admin_lsp_ids]
            programmes = reduce(or_, usable, FundingProgramme.objects.none())
        since = (session.start_date or timezone.localdate()).year - 1
        self.fields["programme"].queryset = (
            FundingProgramme.objects.filter(
                Q(pk__in=programmes.filter(year__gte=since).values("pk"))
                | Q(pk=session.programme_id)
            )
            .select_related("kind")
            .order_by("-year", "name")
        )
        self.fields["programme"].help_text = _(
            "BANPER and other programmes with school quotas: enrolment stays within each "
            "school's quota."
        )

    def _clean_funding(self, cleaned, scheme, start):
        """The funding source comes from the programme when left empty; both must agree."""
        programme, funding = cleaned.get("programme"), cleaned.get("funding")
        if funding is None and programme is not None:
            cleaned["funding"] = funding = programme.kind
        if funding is None:
            if "funding" not in self.errors:
                self.add_error("funding", _("Choose the funding source or a funding programme."))
            return
        if scheme and start:
            for message in funding_rules.programme_problems(
                self.instance, programme=programme, funding=funding, lsp=scheme.lsp, year=start.year
            ):
                self.add_error("programme", message)

    def clean(self):
        cleaned = super().clean()
        scheme, tuk = cleaned.get("scheme"), cleaned.get("tuk")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        assessors = list(cleaned.get("assessor_choices") or [])
        self._clean_funding(cleaned, scheme, start)
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot come before the first."))
            return cleaned
        if not (scheme and tuk and start and end):
            return cleaned
        session = self.instance
        code = (cleaned.get("code") or "").strip() or scheduling.suggested_code(
            scheme.lsp, start.year
        )
        cleaned["code"] = code
        clash = AssessmentSession.objects.filter(lsp_id=scheme.lsp_id, code=code)
        if clash.exclude(pk=session.pk).exists():
            self.add_error("code", _("This LSP already has a session with this code."))
        outside = scheduling.days_outside(session, start, end)
        if outside:
            self.add_error(
                "end_date",
                _("%(count)s asesi are assessed on a day outside these dates: reassign them first.")
                % {"count": outside},
            )
        serving = set(Assessor.objects.serving([scheme.lsp_id]).values_list("pk", flat=True))
        strangers = [a for a in assessors if a.pk not in serving]
        for assessor in strangers:
            self.add_error(
                "assessor_choices",
                _("%(name)s does not serve %(lsp)s.") % {"name": assessor, "lsp": scheme.lsp},
            )
        if session.pk:
            current = Assessor.objects.filter(assignments__session=session)
            removed = [a for a in current if a not in assessors]
            for message in scheduling.removed_assessor_problems(session, removed):
                self.add_error("assessor_choices", message)
        problems = rules.schedule_problems(
            scheme=scheme,
            tuk=tuk,
            start=start,
            end=end,
            assessors=[a for a in assessors if a not in strangers],
            session=session if session.pk else None,
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error("assessor_choices" if field == "assessors" else field, message)
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        session = super().save(commit=False)
        session.lsp = self.cleaned_data["scheme"].lsp
        session.save()
        wanted = {a.pk: a for a in self.cleaned_data["assessor_choices"]}
        for assignment in session.assignments.all():
            if assignment.assessor_id not in wanted:
                assignment.delete()  # one by one: the audit trail keeps each
            else:
                wanted.pop(assignment.assessor_id)
        for assessor in wanted.values():
            SessionAssessor.objects.create(session=session, assessor=assessor)
        return session


# --- enrolling ------------------------------------------------------------------------------------
def day_choices(session):
    return [(d.isoformat(), formats.date_format(d, "D, j M Y")) for d in session.days]


class EnrolForm(forms.Form):
    """Who to enrol (picked, or a list of NISNs) and how to assign them."""

    EVEN, FIXED = "even", "fixed"

    source = forms.ChoiceField(choices=[("pick", "pick"), ("list", "list")], initial="pick")
    candidates = forms.ModelMultipleChoiceField(queryset=Candidate.objects.none(), required=False)
    nisn_text = forms.CharField(
        label=_("NISNs, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "inputmode": "numeric", "class": "font-monospace"}),
        help_text=_("Paste the NISN column from Excel."),
    )
    nisn_file = XlsxFileField(
        label=_("or an Excel file with a “NISN” column"), required=False
    )  # fmt: skip
    mode = forms.ChoiceField(
        label=_("Assign to"),
        choices=[
            (EVEN, _("The session's assessors, evenly over assessors and days")),
            (FIXED, _("One assessor on one day, chosen below")),
        ],
        initial=EVEN,
        widget=forms.RadioSelect,
    )
    assessor = forms.ModelChoiceField(
        label=_("Assessor"), queryset=Assessor.objects.none(), required=False
    )
    day = forms.TypedChoiceField(
        label=_("Assessment day"),
        choices=(),
        required=False,
        coerce=datetime.date.fromisoformat,
        empty_value=None,
    )
    confirm_impartiality = forms.BooleanField(
        label=_("The assessor(s) concerned will give their impartiality statement."),
        required=False,
    )

    def __init__(self, *args, session, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["candidates"].queryset = candidates
        self.fields["assessor"].queryset = Assessor.objects.filter(
            assignments__session=session
        ).order_by("full_name")
        self.fields["day"].choices = [("", "—"), *day_choices(session)]
        if len(session.days) == 1:
            self.initial["day"] = session.start_date.isoformat()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.FIXED:
            if not cleaned.get("assessor"):
                self.add_error("assessor", _("Choose the assessor."))
            if not cleaned.get("day"):
                self.add_error("day", _("Choose the day."))
        if cleaned.get("source") == "pick" and not cleaned.get("candidates"):
            self.add_error("candidates", _("Tick at least one student."))
        if (
            cleaned.get("source") == "list"
            and not cleaned.get("nisn_file")
            and not (cleaned.get("nisn_text") or "").strip()
        ):
            self.add_error("nisn_text", _("Paste the NISNs or choose an Excel file."))
        return cleaned


class ImpartialityForm(forms.ModelForm):
    class Meta:
        model = SessionAssessor
        fields = ["impartiality_note"]
        widgets = {"impartiality_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["impartiality_note"].required = True

    def save(self, commit=True):
        assignment = super().save(commit=False)
        assignment.impartiality_declared_at = timezone.now()
        assignment.save()
        return assignment


# --- one enrolment --------------------------------------------------------------------------------
class ApplicationForm(KompetenForm):
    """FR.APL.01: purpose, the guardian's consent for a minor, the evidence uploads."""

    evidence_description = forms.CharField(
        label=_("Evidence: description"),
        max_length=200,
        required=False,
        help_text=_("e.g. Report card, certificate of industrial placement (PKL)"),
    )
    evidence_file = forms.FileField(
        label=_("Evidence: file"),
        required=False,
        validators=[document_validator],
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    class Meta:
        model = Enrolment
        fields = ["purpose", "purpose_other", "guardian_name", "guardian_consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.minor = scheduling.is_minor(self.instance)
        if not self.minor:
            self.fields["guardian_name"].help_text = _(
                "The asesi is 18 or older on the assessment day: no consent is needed."
            )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("purpose") == Enrolment.Purpose.OTHER
            and not cleaned.get("purpose_other", "").strip()
        ):
            self.add_error("purpose_other", _("Describe the purpose."))
        if self.minor:
            if not cleaned.get("guardian_name", "").strip():
                self.add_error(
                    "guardian_name",
                    _("The asesi is under 18 on the assessment day: name the parent or guardian."),
                )
            if not cleaned.get("guardian_consent"):
                self.add_error(
                    "guardian_consent",
                    _("The asesi is under 18 on the assessment day: the consent is required."),
                )
        if cleaned.get("evidence_file") and not cleaned.get("evidence_description", "").strip():
            self.add_error("evidence_description", _("Describe the evidence you upload."))
        return cleaned

    @transaction.atomic
    def save(self, commit=True):
        enrolment = super().save(commit=False)
        enrolment.applied_at = enrolment.applied_at or timezone.now()
        enrolment.save()
        if self.cleaned_data.get("evidence_file"):
            Evidence.objects.create(
                enrolment=enrolment,
                description=self.cleaned_data["evidence_description"].strip(),
                file=self.cleaned_data["evidence_file"],
                uploaded_by=self.user,
            )
        return enrolment


class EligibilityForm(KompetenForm):
    class Meta:
        model = Enrolment
        fields = ["eligibility", "eligibility_reason"]
        widgets = {"eligibility": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligibility"].choices = [
            c for c in Enrolment.Eligibility.choices if c[0] != Enrolment.Eligibility.PENDING
        ]
        self.fields["eligibility_reason"].help_text = _("Required when not eligible.")

    def clean(self):
        cleaned = super().clean()
        eligibility = cleaned.get("eligibility")
        if (
            eligibility == Enrolment.Eligibility.NOT_ELIGIBLE
            and not cleaned.get("eligibility_reason", "").strip()
        ):
            self.add_error("eligibility_reason", _("Give the reason the asesi is not eligible."))
        if eligibility:
            refusal = scheduling.eligibility_refusal(self.instance, eligibility)
            if refusal:
                self.add_error("eligibility", refusal)
        return cleaned


class AssignForm(forms.Form):
    """Move one enrolment to another assessor or day: load and conflict checked again."""

    assessor = forms.ModelChoiceField(label=_("Assessor"), queryset=Assessor.objects.none())
    assessment_date = forms.TypedChoiceField(
        label=_("Assessment day"),
        choices=(),
        coerce=datetime.date.fromisoformat,
    )
    confirm_impartiality = forms.BooleanField(
        label=_("The assessor will give their impartiality statement."), required=False
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        session = enrolment.session
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["assessor"].queryset = Assessor.objects.filter(
            assignments__session=session
        ).order_by("full_name")
        self.fields["assessment_date"].choices = day_choices(session)
        self.initial.setdefault("assessor", enrolment.assessor_id)
        self.initial.setdefault("assessment_date", enrolment.assessment_date.isoformat())
        self.warning = None

    def clean(self):
        cleaned = super().clean()
        assessor, day = cleaned.get("assessor"), cleaned.get("assessment_date")
        if not (assessor and day):
            return cleaned
        refusals, warning = scheduling.reassignment_problems(self.enrolment, assessor, day)
        for message in refusals:
            self.add_error(None, message)
        if warning and not cleaned.get("confirm_impartiality"):
            self.warning = warning
            self.add_error("confirm_impartiality", warning)
        cleaned["conflict_of_interest"] = rules.is_conflict(assessor, self.enrolment.candidate)
        return cleaned

    def save(self):
        enrolment = self.enrolment
        enrolment.assessor = self.cleaned_data["assessor"]
        enrolment.assessment_date = self.cleaned_data["assessment_date"]
        enrolment.conflict_of_interest = self.cleaned_data["conflict_of_interest"]
        enrolment.save(update_fields=["assessor", "assessment_date", "conflict_of_interest"])
        return enrolment
