"""After a change that moves a figure commits, queue the refresh of its sessions' summary.

Saves and deletes of sessions, enrolments, verdicts and certificates are caught here; code that
writes in bulk (bulk_create / update, which send no model signals) sends `lsp.signals.
figures_changed` with the session ids instead. The ids of one transaction are gathered and
refreshed once, after it commits; nothing is queued for a transaction that rolls back.
"""

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from lsp.signals import figures_changed

logger = logging.getLogger(__name__)


def _dispatch(sessions, enrolments):
    from .tasks import refresh_facts

    try:
        refresh_facts.delay(sorted(sessions), sorted(enrolments))
    except Exception:  # the change is committed; the nightly rebuild will catch up
        logger.exception("Could not queue the dashboards' refresh of sessions %s", sorted(sessions))


def mark(session_ids=(), enrolment_ids=()) -> None:
    """Refresh these sessions' figures (and those of these enrolments' sessions) once the
    current transaction commits. No query here: the task looks the enrolments up."""
    sessions = {pk for pk in session_ids if pk}
    enrolments = {pk for pk in enrolment_ids if pk}
    if not sessions and not enrolments:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _dispatch(sessions, enrolments)
        return
    pending = getattr(connection, "_figures_pending", None)
    # The batch is live only while its callback is still queued (a rollback drops the callback).
    if pending is None or not any(item[1] == pending.flush for item in connection.run_on_commit):
        pending = connection._figures_pending = _Pending(connection)
        # Robust: a broker that is down must not fail the request whose change has committed;
        # the nightly rebuild catches up.
        transaction.on_commit(pending.flush, robust=True)
    pending.sessions |= sessions
    pending.enrolments |= enrolments


class _Pending:
    """The sessions and enrolments changed in one transaction, refreshed once it commits."""

    def __init__(self, connection):
        self.connection = connection
        self.sessions, self.enrolments = set(), set()

    def flush(self):
        if getattr(self.connection, "_figures_pending", None) is self:
            self.connection._figures_pending = None  # a later change starts a new batch
        if self.sessions or self.enrolments:
            _dispatch(self.sessions, self.enrolments)


def _on_session(sender, instance, **kwargs):
    mark([instance.pk])


def _on_enrolment(sender, instance, **kwargs):
    # A round 2 also changes its first round's session: the first round stops counting.
    mark([instance.session_id], [instance.previous_id])


def _on_verdict(sender, instance, **kwargs):
    mark(enrolment_ids=[instance.enrolment_id])


# A certificate's file, hash and blank number move no figure: saving only them refreshes nothing.
_FIGURELESS = frozenset({"pdf", "sha256", "blank_number"})


def _on_certificate(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= _FIGURELESS:
        return
    mark([instance.session_id])


def _on_figures_changed(sender, session_ids=(), **kwargs):
    mark(session_ids)


def connect():
    for label, handler in (
        ("assessments.AssessmentSession", _on_session),
        ("assessments.Enrolment", _on_enrolment),
        ("assessments.UnitVerdict", _on_verdict),
        ("certificates.Certificate", _on_certificate),
    ):
        model = apps.get_model(label)
        post_save.connect(handler, sender=model, dispatch_uid=f"figures-{label}-save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"figures-{label}-delete")
    figures_changed.connect(_on_figures_changed, dispatch_uid="figures-changed")
