"""The recognition (RCC) section of an assessor's page and the watch card on an LSP's page."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lsp.access import scope_of

from ..models import LogbookEntry, Outcome

register = template.Library()

# Eligible green, on track blue, at risk orange (Bootstrap has no orange class), must retrain red.
OUTCOME_COLOURS = {
    Outcome.ELIGIBLE: "var(--bs-success)",
    Outcome.ON_TRACK: "var(--bs-primary)",
    Outcome.AT_RISK: "var(--bs-orange)",
    Outcome.MUST_RETRAIN: "var(--bs-danger)",
    Outcome.NONE: "var(--bs-secondary)",
}


@register.simple_tag
def outcome_colour(outcome: str) -> str:
    """For a style attribute: `background-color: {% outcome_colour x %}`."""
    return OUTCOME_COLOURS.get(outcome, OUTCOME_COLOURS[Outcome.NONE])


@register.simple_tag
def outcome_badge(outcome: str):
    return format_html(
        '<span class="badge text-white" style="background-color: {}" data-outcome="{}">{}</span>',
        outcome_colour(outcome),
        outcome,
        Outcome(outcome).label,
    )


def next_step(recognition) -> str:
    """What the assessor (and their admin) should do next, in one sentence."""
    outcome, missing = recognition.outcome, recognition.missing
    params = {
        "missing": missing,
        "days": recognition.days_left,
        "date": formats.date_format(recognition.window_end) if recognition.window_end else "",
    }
    if outcome == Outcome.NONE:
        return _("Record the assessor's BNSP certificate: counting starts from its issue date.")
    if outcome == Outcome.MUST_RETRAIN:
        message = _(
            "The certificate expired on %(date)s: the assessor must repeat the full "
            "assessor training and assessment."
        )
    elif outcome == Outcome.ELIGIBLE:
        message = _(
            "The threshold is reached: register for RCC before the certificate expires, "
            "on %(date)s."
        )
    elif outcome == Outcome.AT_RISK:
        message = ngettext(
            "%(missing)s assessment still missing and only %(days)s days left (until "
            "%(date)s): schedule it, or record earlier assessments in the logbook.",
            "%(missing)s assessments still missing and only %(days)s days left (until "
            "%(date)s): schedule them, or record earlier assessments in the logbook.",
            missing,
        )
    else:
        message = ngettext(
            "%(missing)s more assessment before %(date)s makes the assessor eligible for RCC.",
            "%(missing)s more assessments before %(date)s make the assessor eligible for RCC.",
            missing,
        )
    return message % params


@dataclass
class Logbook:
    """The counted assessments, each logbook one with its entry, and every logbook entry."""

    rows: list  # [(Counted, LogbookEntry | None)]
    entries: list[LogbookEntry]  # each with `.counted`
    next_step: str


def _key(item) -> tuple:
    return (item.date, item.scheme, item.lsp, item.tuk, item.asesi)


@register.simple_tag
def recognition_logbook(assessor, recognition) -> Logbook:
    """Pairs the counted logbook items of `recognition` with their entries: one query.

    Which entries count is the recognition's answer (`Assessor.recognition`), not decided here.
    """
    entries = list(assessor.logbook.select_related("lsp"))
    waiting: dict[tuple, list[LogbookEntry]] = {}
    for entry in entries:
        entry.counted = False
        lsp = entry.lsp.name if entry.lsp_id else entry.lsp_name
        key = (entry.date, entry.scheme_name, lsp, entry.tuk_name, entry.asesi_count)
        waiting.setdefault(key, []).append(entry)
    rows = []
    for item in recognition.counted:
        entry = None
        if item.source == "logbook" and waiting.get(_key(item)):
            entry = waiting[_key(item)].pop(0)
            entry.counted = True
        rows.append((item, entry))
    return Logbook(rows=rows, entries=entries, next_step=next_step(recognition))


# --- the card on the LSP's page -------------------------------------------------------------------
@register.inclusion_tag("assessors/watch_card.html", takes_context=True)
def assessor_watch(context, lsp):
    """The four watch counts of one LSP, for its admins and the superuser: one query."""
    from ..views.watch import watch_counts, watched

    request = context.get("request")
    user = getattr(request, "user", None)
    scope = scope_of(user)
    if not (scope.superuser or lsp.pk in scope.admin_lsp_ids):
        return {"show": False}
    today = timezone.localdate()
    counts = watch_counts(watched(user, today, lsp))
    url = f"{reverse('assessor_watch')}?lsp={lsp.pk}"
    return {"show": True, "counts": counts, "url": url, "lsp": lsp}
