"""Signals the layers send upward without importing what listens.

`figures_changed(sender, session_ids=[…])`: code that writes enrolments, verdicts, decisions or
certificates in bulk (no model signals) sends it after the write; the dashboards refresh those
sessions' figures once the transaction commits (`dashboards.signals`) and render every kept
figure afresh (`dashboards.cache`). The assessor and logbook imports send it with no sessions.
"""

from django.dispatch import Signal

figures_changed = Signal()
