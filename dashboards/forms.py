"""The dashboards' filters: every choice list limited to what the user may see.

A value outside those lists (another province's regency id typed into the URL, a school that
does not exist) is a form error, and the page answers 400 without a single figure: the filters
never widen what `figures.facts_for(user)` already limits.
"""

import re
from html import escape

from django import forms
from django.apps import apps
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from lsp.models import FundingProgramme, Lsp, Programme, Regency, School

from . import cache as dashboard_cache
from .services import figures

OUTSIDE = _("This choice is not among those you may see.")

# The filters, in the order the form shows them; the names are the URL parameters.
FIELDS = ("year", "regency", "school", "lsp", "scheme", "programme", "funding_programme")
FROM_THE_SUMMARY = frozenset({"years", "programme"})  # the lists read from the summary table


class _Choice(forms.ModelChoiceField):
    """A scoped choice: anything else, whatever its reason, is the same refusal."""

    default_error_messages = {"invalid_choice": OUTSIDE}

    def __init__(self, queryset, *, label, shown="{name}"):
        super().__init__(queryset, required=False, label=label, empty_label=_("All"))
        self.shown = shown  # the option's text, from the fields it names

    def label_from_instance(self, obj):
        return self.shown.format_map(vars(obj))

    def options(self) -> list[tuple[str, str]]:
        """(value, text) of every choice, read as plain values: no model per option."""
        fields = re.findall(r"{(\w+)}", self.shown)
        rows = self.queryset.values("pk", *fields)
        return [(str(row["pk"]), self.shown.format_map(row)) for row in rows]


class DashboardFilterForm(forms.Form):
    """GET filters of the province dashboard and its drill-down pages.

    `facts` are the user's summary rows (`figures.facts_for(user)`): the years and vocational
    programmes offered are those present in them. `fixed` names the filters the page's URL sets
    (a regency page fixes the regency): they are neither shown nor read from the query string.
    """

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, error_messages={
        "invalid_choice": _("There are no figures for this year."),
    })  # fmt: skip

    def __init__(self, data, *, user, facts, today, fixed=None, schools=None, kept_as=None):
        self.fixed = dict(fixed or {})
        # With `kept_as` (what decides the choices: the user's scope), the year and option lists
        # are kept in the dashboards' cache until a figure moves (dashboards/cache.py).
        self.kept_as = None if kept_as is None else (*kept_as, tuple(sorted(self.fixed.items())))
        data = data.copy() if data is not None else {}
        for name in self.fixed:
            data.pop(name, None)
        if not data.get("year"):
            data["year"] = str(today.year)
        super().__init__(data)
        years = set(
            self._kept(
                "years", lambda: list(facts.order_by().values_list("year", flat=True).distinct())
            )
        )
        self.fields["year"].choices = [(y, y) for y in sorted(years | {today.year}, reverse=True)]
        Scheme = apps.get_model("assessments", "Scheme")
        scoped = {
            "regency": _Choice(
                Regency.objects.for_user(user).order_by("name"), label=_("Regency/city")
            ),
            "school": _Choice(
                (schools if schools is not None else School.objects.for_user(user)).order_by(
                    "name"
                ),
                label=_("School"),
            ),
            "lsp": _Choice(Lsp.objects.for_user(user).order_by("name"), label=_("LSP")),
            "scheme": _Choice(
                Scheme.objects.for_user(user).order_by("title", "code"),
                label=_("Scheme"),
                shown="{title} ({code})",
            ),
            "programme": _Choice(
                Programme.objects.filter(
                    pk__in=facts.order_by().filter(programme__isnull=False).values("programme_id")
                ).order_by("name"),
                label=_("Vocational programme"),
            ),
            "funding_programme": _Choice(
                FundingProgramme.objects.for_user(user).order_by("-year", "name"),
                label=_("Funding programme"),
                shown="{name} ({year})",
            ),
        }
        for name, field in scoped.items():
            if name not in self.fixed:
                self.fields[name] = field

    def _kept(self, name, compute):
        if self.kept_as is None:
            return compute()
        # The years and vocational programmes come from the summary; the rest is the registry's.
        registry = name not in FROM_THE_SUMMARY
        return dashboard_cache.kept(("filter", name, *self.kept_as), compute, registry=registry)

    def clean(self):
        cleaned = super().clean()
        school, regency = cleaned.get("school"), cleaned.get("regency")
        if school is not None and regency is not None and school.regency_id != regency.pk:
            self.add_error("school", _("This school is not in the chosen regency/city."))
        return cleaned

    def filters(self) -> figures.Filters:
        """The figures' filters; call after `is_valid()`."""
        values = {name: self.fixed.get(name) for name in FIELDS if name != "year"}
        for name in values:
            chosen = self.cleaned_data.get(name)
            if chosen is not None:
                values[name] = chosen.pk
        return figures.Filters(year=self.cleaned_data["year"], **values)

    def controls(self) -> list[dict]:
        """The fields for the template, each select's options as ready HTML (`_options`): a
        province's 300 schools cost one join, not 300 widget templates."""
        controls = []
        for name, field in self.fields.items():
            bound = self[name]
            current = str(bound.value() or "")
            if isinstance(field, _Choice):
                options = [("", str(field.empty_label)), *self._kept(name, field.options)]
            else:
                options = [(str(value), str(label)) for value, label in field.choices]
            controls.append(
                {
                    "name": name,
                    "id": bound.auto_id,
                    "label": field.label,
                    "options": _options(options, current),
                    "errors": bound.errors,
                }
            )
        return controls


def _options(options, current: str) -> str:
    """<option>s of (value, text) pairs, the current one selected; values and texts escaped
    (`html.escape`, quotes too: the same as Django's `escape`, without its per-call checks for
    safe and lazy strings, which cost more than the escaping for 300 schools)."""
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == current else ""}>'
            f"{escape(text)}</option>"
            for value, text in options
        )
    )
