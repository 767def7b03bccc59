"""Funding programmes: the programme form, its school quotas (an inline formset) and the list's
filter. The figures (enrolled, assessed, …) are counted in `assessments.services.funding`; the
views pass in what the quotas need from them."""

import django_filters
from django import forms
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.filters import SearchFilterSet
from lsp.forms import KompetenForm
from lsp.models import FundingProgramme, FundingQuota, FundingSource, Lsp, School

FIRST_YEAR = 2000  # before any programme Kompeten keeps
YEARS_AHEAD = 2  # a programme may be entered this far ahead of its year


class FundingProgrammeForm(KompetenForm):
    class Meta:
        model = FundingProgramme
        fields = ["name", "year", "funder", "kind", "lsp", "reference", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []  # the page's own button saves the form and the quotas together
        programme = self.instance
        self.fields["lsp"].queryset = Lsp.objects.editable_by(self.user).order_by("name")
        self.fields["kind"].queryset = FundingSource.objects.order_by("code")
        if not programme.pk:
            self.initial.setdefault("year", timezone.localdate().year)
            banper = FundingSource.objects.filter(is_banper=True).order_by("code").first()
            if banper is not None:
                self.initial.setdefault("kind", banper.pk)
            lsps = list(self.fields["lsp"].queryset[:2])
            if len(lsps) == 1:
                self.initial["lsp"] = lsps[0].pk
                self.fields["lsp"].disabled = True
        elif programme.sessions.exists():
            for name in ("lsp", "year", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Sessions draw on this programme: this stays.")
        elif not self.scope.superuser:
            self.fields["lsp"].disabled = True

    @property
    def chosen_lsp(self) -> Lsp | None:
        """The LSP the programme is (or would be) kept by, as far as it is known yet."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("lsp")
        if self.instance.lsp_id:
            return self.instance.lsp
        lsp_id = self.initial.get("lsp")
        return Lsp.objects.filter(pk=lsp_id).first() if lsp_id else None

    def clean_year(self):
        year = self.cleaned_data["year"]
        last = timezone.localdate().year + YEARS_AHEAD
        if not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Give a year from %(first)s to %(last)s."),
                params={"first": FIRST_YEAR, "last": last},
            )
        return year

    def save(self, commit=True):
        programme = super().save(commit=False)
        programme.province_id = programme.lsp.province_id
        if commit:
            programme.save()
        return programme


class QuotaForm(forms.ModelForm):
    class Meta:
        model = FundingQuota
        fields = ["school", "quota", "amount_per_student"]
        widgets = {
            "quota": forms.NumberInput(attrs={"min": 0, "class": "text-end"}),
            "amount_per_student": forms.NumberInput(attrs={"min": 0, "step": 1000}),
        }


class BaseQuotaFormSet(BaseInlineFormSet):
    """One row a school. New rows come filled with the LSP's schools that have no quota yet: a
    row left without a quota is ignored. A quota cannot go below the students already enrolled,
    nor a school with enrolled students leave the programme."""

    def __init__(self, *args, schools, new_schools=(), enrolled=None, **kwargs):
        self.schools = schools
        self.school_choices = [("", "---------")] + [
            (s.pk, f"{s.name} ({s.npsn})") for s in schools.order_by("name")
        ]
        self.enrolled = enrolled or {}
        self.lsp = None  # set by the view once the programme form is valid
        kwargs["initial"] = [{"school": pk} for pk in new_schools]
        super().__init__(*args, **kwargs)
        self.extra = len(kwargs["initial"]) or 3

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["school"].queryset = self.schools
        form.fields["school"].choices = self.school_choices  # read once, not once a row
        form.fields["quota"].required = True

    def clean(self):
        super().clean()
        allowed = set()
        if self.lsp is not None:
            allowed = set(School.objects.of_lsps([self.lsp.pk]).values_list("pk", flat=True))
        if self.instance.pk:
            allowed |= {q.school_id for q in self.get_queryset()}
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (not form.has_changed() and not form.instance.pk):
                continue
            school = data.get("school")
            if school is None:
                continue
            enrolled = self.enrolled.get(school.pk, 0)
            if data.get("DELETE"):
                if enrolled:  # a deleted row's own errors are not looked at: the formset's are
                    kept.append(
                        _(
                            "%(count)s students of %(school)s are enrolled under this "
                            "programme: the school stays."
                        )
                        % {"count": enrolled, "school": school.name}
                    )
                continue
            if self.lsp is not None and school.pk not in allowed:
                form.add_error(
                    "school",
                    _("%(school)s is neither the host nor a network school of %(lsp)s.")
                    % {"school": school.name, "lsp": self.lsp},
                )
            quota = data.get("quota")
            if quota is not None and quota < enrolled:
                form.add_error(
                    "quota",
                    _("%(count)s students are already enrolled: the quota cannot be lower.")
                    % {"count": enrolled},
                )
        if kept:
            raise forms.ValidationError(kept)


QuotaFormSet = inlineformset_factory(
    FundingProgramme, FundingQuota, form=QuotaForm, formset=BaseQuotaFormSet, extra=0
)


class FundingProgrammeFilter(SearchFilterSet):
    search_fields = ("name", "reference")
    year = django_filters.TypedChoiceFilter(label=_("Year"), coerce=int, choices=())
    kind = django_filters.ModelChoiceFilter(
        label=_("Kind"), queryset=FundingSource.objects.order_by("code")
    )

    class Meta:
        model = FundingProgramme
        fields = ["q", "year", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = (
            self.scoped(FundingProgramme)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["year"].extra["choices"] = [(y, y) for y in years]
