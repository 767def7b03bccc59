from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.files import document_validator
from lsp.forms import DateInput, KompetenForm
from lsp.models import School, User

from .models import Activity, ActivityKind, Teacher


class ActivityForm(KompetenForm):
    """Record or change an activity. A claim from Kompeten's records links it as evidence."""

    class Meta:
        model = Activity
        fields = ["kind", "title", "organiser", "start_date", "end_date", "evidence"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, teacher, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        self.source = source
        self.instance.teacher = teacher
        kinds = ActivityKind.objects.filter(is_active=True)
        if self.instance.kind_id:
            kinds = kinds | ActivityKind.objects.filter(pk=self.instance.kind_id)
        self.fields["kind"].queryset = kinds
        self.fields["kind"].label_from_instance = lambda k: (
            _("%(name)s · %(points)s points · evidence: %(evidence)s")
            % {"name": k.name, "points": k.points, "evidence": k.evidence}
        )
        self.fields["evidence"].validators = [document_validator]
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        if self.linked:
            self.fields["evidence"].help_text = _(
                "Not needed: %(record)s, kept in Kompeten, is the evidence."
            ) % {"record": self.linked}

    @property
    def linked(self):
        return self.source or self.instance.assessor_certificate or self.instance.session

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if end and end > timezone.localdate():
            raise forms.ValidationError(
                _("An activity is recorded once it is over: the last day cannot be in the future."),
                code="future",
            )
        return end

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot come before the first."))
        if not data.get("evidence") and not self.linked:
            self.add_error(
                "evidence", _("Attach the evidence: the certificate, report or charter.")
            )
        return data

    def save(self, commit=True):
        activity = super().save(commit=False)
        if "kind" in self.changed_data or activity.points is None:
            activity.points = activity.kind.points
        if self.source is not None:
            field = "session" if self.source._meta.model_name == "assessmentsession" else None
            setattr(activity, field or "assessor_certificate", self.source)
        # A changed claim is verified afresh.
        if activity.pk and activity.status == Activity.Status.REJECTED:
            activity.status = Activity.Status.PENDING
            activity.rejection_reason = ""
            activity.verified_by = None
            activity.verified_at = None
        if commit:
            activity.save()
        return activity


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the rejection."))
        return reason


class TeacherForm(KompetenForm):
    """A teacher of one of the admin's schools who is not an assessor."""

    class Meta:
        model = Teacher
        fields = ["full_name", "school"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.scope.superuser:
            schools = School.objects.all()
        else:
            schools = School.objects.of_lsps(self.scope.admin_lsp_ids)
        self.fields["school"].queryset = schools.order_by("name")


class TeacherAccountForm(KompetenForm):
    """The sign-in name (and e-mail) of a teacher's new account; the password is generated."""

    class Meta:
        model = User
        fields = ["username", "email"]

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        self.instance.full_name = teacher.full_name
        self.fields["email"].help_text = _(
            "Optional. With an e-mail address the teacher can reset a forgotten password."
        )
        self.helper.inputs.clear()
        self.helper.add_input(Submit("submit", _("Create the account")))
