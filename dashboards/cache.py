"""The dashboards' rendered figures, kept in the cache until something they show may have moved.

A province dashboard renders some 2,000 numbers from a dozen GROUP BYs; the same page is asked
for again and again between two changes. `fragment(parts, render)` keeps the rendered figures
(not the page: the menu and its CSRF token are the user's own) under a key made of the current
*generation*, the language, the day and `parts` (the template, the user's scope, the filters),
for at most `DASHBOARD_CACHE_SECONDS`. `kept(parts, compute)` does the same for a value (the
filter form's choice lists).

The generation is a random token in the cache; `forget()` replaces it, which makes every kept
fragment unreachable at once. It is called
- when any model of Kompeten's apps is saved or deleted, or an m2m relation of one changes,
  at once and again when the transaction commits (a page rendered in between would otherwise
  keep the old figures under the new token); but not for what no dashboard shows (`UNSHOWN`:
  the audit trail, notifications, import batches, a user's last login);
- when `lsp.signals.figures_changed` is sent (bulk writes, which send no model signal; its
  sender is the model written);
- when the summary table has been refreshed or rebuilt (`services.facts`), as that runs after
  the write's commit, in a worker.

What moves only with the registry has a generation of its own (`kept(..., registry=True)`): the
assessor figures (status, recognition, capacity: the costliest to work out) and the filter's
lists of regencies, schools, LSPs, schemes and funding programmes. The writes of an assessment
season leave it alone (`SEASON`: students, enrolments, verdicts, appeals, competency
certificates, and the summary's refresh); every other write forgets both.

A write that reaches the database around all of these (raw SQL, a queryset `update()` of a
figure's field without the signal) shows at the latest after `DASHBOARD_CACHE_SECONDS`.

A cache that is down costs speed, never a page or a write: the figures are then rendered afresh.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from lsp.signals import figures_changed

logger = logging.getLogger(__name__)

GENERATION = "dashboards:generation"
REGISTRY_GENERATION = "dashboards:generation:registry"
WATCHED_APPS = frozenset({"lsp", "assessors", "assessments", "certificates", "development"})
# Models no dashboard shows: writing them forgets nothing.
# (An assessor's kept standing is worked out from what the dashboards watch already.)
UNSHOWN = frozenset(
    {"lsp.auditentry", "lsp.notification", "lsp.importbatch", "lsp.user", "assessors.standing"}
)
# The writes of an assessment season: they move the figures, not the registry's (the assessors'
# status is their current certificate's, their recognition counts their submitted sessions and
# logbook: assessors/models).
SEASON = frozenset(
    {
        "assessments.candidate",
        "assessments.enrolment",
        "assessments.selfassessment",
        "assessments.unitverdict",
        "assessments.evidence",
        "assessments.appeal",
        "certificates.certificate",
        "certificates.certificatesequence",
        "certificates.issuejob",
    }
)


def generation(name: str = GENERATION) -> str:
    value = cache.get(name)
    if value is None:
        cache.add(name, uuid.uuid4().hex, None)
        value = cache.get(name)
    return value


def forget(*, registry: bool = True) -> None:
    """Every figure kept so far is stale (`registry=False`: but for what moves only with the
    registry): the next page renders afresh."""
    if not settings.DASHBOARD_CACHE_SECONDS:
        return
    try:
        cache.set(GENERATION, uuid.uuid4().hex, None)
        if registry:
            cache.set(REGISTRY_GENERATION, uuid.uuid4().hex, None)
    except Exception:  # the write goes on; the kept figures expire on their own
        logger.exception("Could not tell the dashboards' cache that figures changed")


def forget_now_and_on_commit(*, registry: bool = True) -> None:
    forget(registry=registry)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: forget(registry=registry), robust=True)


def kept(parts: tuple, compute: Callable[[], object], *, registry: bool = False):
    """What `compute()` gives (picklable), kept for these `parts` until the figures move
    (`registry`: until the registry moves)."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    try:
        token = generation(REGISTRY_GENERATION if registry else GENERATION)
        where = repr((token, registry, translation.get_language(), timezone.localdate(), *parts))
        key = "dashboards:kept:" + hashlib.sha256(where.encode()).hexdigest()
        value = cache.get(key)
    except Exception:
        logger.exception("The dashboards' cache is not answering: figures rendered afresh")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.exception("Could not keep the dashboards' figures")
    return value


def fragment(parts: tuple, render: Callable[[], str], *, registry: bool = False) -> str:
    """The HTML `render()` gives, kept for these `parts` until the figures move (`registry`:
    until the registry moves)."""
    return kept(("fragment", *parts), render, registry=registry)


def _written(model) -> None:
    """What writing `model` makes stale: nothing, the figures, or the registry's too."""
    label = model._meta.label_lower
    if model._meta.app_label in WATCHED_APPS and label not in UNSHOWN:
        forget_now_and_on_commit(registry=label not in SEASON)


def _on_change(sender, **kwargs):
    # An m2m's own through table counts as the model that declares the field: an audit entry's
    # LSPs are the audit trail's, which no dashboard shows.
    _written(sender._meta.auto_created or sender)


def _on_figures_changed(sender, **kwargs):
    _written(sender)  # the model written in bulk: a season's (enrolments) leaves the registry's


def connect():
    post_save.connect(_on_change, dispatch_uid="dashboards-cache-save")
    post_delete.connect(_on_change, dispatch_uid="dashboards-cache-delete")
    m2m_changed.connect(_on_change, dispatch_uid="dashboards-cache-m2m")
    figures_changed.connect(_on_figures_changed, dispatch_uid="dashboards-cache-figures")
