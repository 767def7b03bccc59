"""Celery tasks keeping the dashboards' summary current (`dashboards.services.facts`)."""

from celery import shared_task

from .services import facts


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=5)
def refresh_facts(session_ids: list[int], enrolment_ids: list[int] = ()) -> int:
    """Recompute the summary rows of these sessions and of these enrolments' sessions (queued
    after a change commits)."""
    return facts.refresh(set(session_ids) | facts.sessions_of_enrolments(enrolment_ids))


@shared_task
def rebuild_facts() -> int:
    """The nightly full rebuild: whatever a missed refresh left stale is put right."""
    return facts.rebuild()
