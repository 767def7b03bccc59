"""The daily assessor check: expiry warnings and the recognition (RCC) outcome, as flags.

`check_assessors(on)` raises each flag once per current certificate and reason, however often it
runs and however many workers run it at once: the unique constraint on the flag is the claim,
and the rows this run inserted are found by its run id. A job that missed days raises only the
latest stage (a certificate 25 days from expiry gets the 30-day flag, not the 90 and 60 too).
The people concerned are told after the commit (`notify_flags`).
"""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction

from lsp.expiries import expiry_stage_sql

from ..models import Assessor, AssessorFlag, Outcome
from ..models.standing import store_every as store_every_standing

ACTIONABLE = (Outcome.ELIGIBLE, Outcome.AT_RISK, Outcome.MUST_RETRAIN)


@dataclass
class CheckResult:
    on: datetime.date
    scanned: int = 0
    raised: Counter = field(default_factory=Counter)  # "expiry:30" → flags raised this run
    flag_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def expiry_stage(on: datetime.date):
    """SQL: the latest expiry stage of the current certificate on `on` (lsp.expiries' rule)."""
    return expiry_stage_sql("window_end", on)


def due_flags(on: datetime.date, counts: dict | None = None) -> list[AssessorFlag]:
    """The flags the assessors' state on `on` calls for and that do not exist yet (unsaved).
    `counts`, if given, receives every assessor's {pk: (window end, assessments done)}."""
    rows = (
        Assessor.objects.with_recognition(on)
        .annotate(expiry=expiry_stage(on))
        .values_list(
            "pk", "current_certificate_id", "window_end", "assessments_done", "expiry", "outcome"
        )
    )
    wanted = []
    for pk, certificate, valid_until, done, expiry, outcome in rows.iterator(chunk_size=5000):
        if counts is not None:
            counts[pk] = (valid_until, done)
        if certificate is None:  # no certificate: nothing to flag
            continue
        common = {
            "assessor_id": pk,
            "certificate_id": certificate,
            "valid_until": valid_until,
            "assessments_done": done,
            "raised_on": on,
        }
        if expiry:
            wanted.append(AssessorFlag(kind=AssessorFlag.Kind.EXPIRY, stage=expiry, **common))
        if outcome in ACTIONABLE:
            wanted.append(AssessorFlag(kind=AssessorFlag.Kind.OUTCOME, stage=outcome, **common))
    if not wanted:
        return []
    existing = set(
        AssessorFlag.objects.filter(
            certificate_id__in=Assessor.objects.with_recognition(on).values(
                "current_certificate_id"
            )
        ).values_list("certificate_id", "kind", "stage")
    )
    return [f for f in wanted if (f.certificate_id, f.kind, f.stage) not in existing]


def check_assessors(on: datetime.date, *, notify: bool = True) -> CheckResult:
    """Raise the flags due on `on`; tell the people concerned after the commit."""
    run = uuid.uuid4()
    result = CheckResult(on=on, scanned=Assessor.objects.count())
    with transaction.atomic():
        counts = {}
        due = due_flags(on, counts)
        for flag in due:
            flag.run = run
        # Another run may insert the same flag meanwhile: the constraint keeps one, ours is
        # ignored, and only the rows carrying our run id are ours to announce.
        # One INSERT on PostgreSQL (no parameter limit), so the queries do not grow with flags.
        batch = None if connection.vendor == "postgresql" else 2000
        AssessorFlag.objects.bulk_create(due, batch_size=batch, ignore_conflicts=True)
        mine = list(AssessorFlag.objects.filter(run=run).values_list("pk", "kind", "stage"))
        result.flag_ids = [pk for pk, _kind, _stage in mine]
        result.raised = Counter(f"{kind}:{stage}" for _pk, kind, stage in mine)
        # The kept counts (models/standing.py), every one for the day, from the same rows.
        store_every_standing(counts, on)
        if notify and result.flag_ids:
            from .notices import notify_flags

            notify_flags(result.flag_ids)
    return result
