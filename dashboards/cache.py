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
  keep the old figures under the new token);
- when `lsp.signals.figures_changed` is sent (bulk writes, which send no model signal);
- when the summary table has been refreshed or rebuilt (`services.facts`), as that runs after
  the write's commit, in a worker.
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
WATCHED_APPS = frozenset({"lsp", "assessors", "assessments", "certificates", "development"})


def generation() -> str:
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, uuid.uuid4().hex, None)
        value = cache.get(GENERATION)
    return value


def forget() -> None:
    """Every figure kept so far is stale: the next page renders afresh."""
    if not settings.DASHBOARD_CACHE_SECONDS:
        return
    try:
        cache.set(GENERATION, uuid.uuid4().hex, None)
    except Exception:  # the write goes on; the kept figures expire on their own
        logger.exception("Could not tell the dashboards' cache that figures changed")


def forget_now_and_on_commit() -> None:
    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget, robust=True)


def kept(parts: tuple, compute: Callable[[], object]):
    """What `compute()` gives (picklable), kept for these `parts` until the figures move."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    try:
        where = repr((generation(), translation.get_language(), timezone.localdate(), *parts))
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


def fragment(parts: tuple, render: Callable[[], str]) -> str:
    """The HTML `render()` gives, kept for these `parts` until the figures move."""
    return kept(("fragment", *parts), render)


def _on_change(sender, **kwargs):
    if sender._meta.app_label in WATCHED_APPS:
        forget_now_and_on_commit()


def _on_figures_changed(sender, **kwargs):
    forget_now_and_on_commit()


def connect():
    post_save.connect(_on_change, dispatch_uid="dashboards-cache-save")
    post_delete.connect(_on_change, dispatch_uid="dashboards-cache-delete")
    m2m_changed.connect(_on_change, dispatch_uid="dashboards-cache-m2m")
    figures_changed.connect(_on_figures_changed, dispatch_uid="dashboards-cache-figures")
