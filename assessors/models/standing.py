"""Each assessor's recognition window and count, kept for the pages that count thousands of them.

`with_recognition(on)` finds every assessor's current certificate and counts their submitted
sessions and logbook entries within it: right for a page of 50, but the province dashboard groups
3,000 assessors, and working that out again on each render is most of its SQL. `Standing` keeps,
per assessor, what `with_recognition(on)` gives for one day: the current window's end and the
assessments counted in it. Status and outcome are still decided when read, by the same rules
(`status_case`, `outcome_case`) over those two columns; only the counting is kept.

A row holds for its day (`on`) only, as the count is of assessments up to that day:
- `Assessor.objects.with_standing(on)` first works out again the rows that are missing, of
  another day or forgotten, for the assessors it is asked about (one query finds none when the
  daily check has run), then annotates `window_end`, `assessments_done`, `status` and `outcome`
  as `with_status` and `with_recognition` do;
- a write that may move a row forgets it (`forget`, `on` set to NULL): an assessor certificate, a
  logbook entry, a session assignment (verdicts submitted or withdrawn) and a session whose first
  day moves; at once, and again when the transaction commits (`assessors/signals.py`; the
  logbook import calls it for its bulk rows);
- the daily check writes every assessor's row for its day (`store_every`, from the counts it
  works out anyway), which also mends a row that a write went around, or that a reader computed
  from data a concurrent write changed just before it stored the row: at worst, one assessor's
  count off until the next day.
"""

import datetime

from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _


class Standing(models.Model):
    assessor = models.OneToOneField(
        "assessors.Assessor",
        models.CASCADE,
        primary_key=True,
        related_name="standing",
        verbose_name=_("assessor"),
    )
    on = models.DateField(_("worked out for"), null=True)  # NULL: forgotten, to work out again
    window_end = models.DateField(_("current certificate valid until"), null=True)
    done = models.PositiveSmallIntegerField(_("assessments done"), default=0)

    class Meta:
        verbose_name = _("assessor standing")
        verbose_name_plural = _("assessor standings")

    def __str__(self):
        return f"{self.assessor_id} on {self.on}: {self.done} to {self.window_end}"


def keep(assessors, on: datetime.date) -> int:
    """Work out again the rows of these assessors that do not hold for `on`; returns how many
    were written."""
    # Found first, alone: the counting below costs its time per assessor.
    held = Standing.objects.filter(assessor=OuterRef("pk"), on=on)  # NOT EXISTS: an anti-join
    ids = set(assessors.filter(~Exists(held)).order_by().values_list("pk", flat=True))
    if not ids:
        return 0
    stale = assessors.model.objects.filter(pk__in=ids)
    rows = {
        pk: (end, done)
        for pk, end, done in stale.with_recognition(on)
        .order_by()
        .values_list("pk", "window_end", "assessments_done")
    }
    return store(rows, on)


def store(rows: dict, on: datetime.date) -> int:
    """Write these rows for `on`: {assessor pk: (window end, assessments done)}, as
    `with_recognition(on)` gives them; returns how many were written."""
    if not rows:
        return 0
    # In the order of the key: two pages (or a page and the daily check) writing the same rows
    # at once then wait for each other instead of deadlocking.
    Standing.objects.bulk_create(
        [
            Standing(assessor_id=pk, on=on, window_end=end, done=done)
            for pk, (end, done) in sorted(rows.items())
        ],
        update_conflicts=True,
        unique_fields=["assessor"],
        update_fields=["on", "window_end", "done"],
        # One statement on PostgreSQL (no parameter limit): the daily check's queries do not grow
        # with the assessors (bench/assessor_check.py).
        batch_size=None if connection.vendor == "postgresql" else 2000,
    )
    return len(rows)


def store_every(rows: dict, on: datetime.date) -> int:
    """`store` for every assessor at once (the daily check): only the rows that differ are
    written with their values; the others, most of them, only move to the day, in one UPDATE
    on the server. Three queries, whatever the number of assessors; returns how many differed.

    A row forgotten meanwhile (`on` NULL) is left to be worked out when next read: a write
    that commits after these counts were read may have moved it."""
    held = {
        pk: (day, (end, done))
        for pk, day, end, done in Standing.objects.values_list(
            "assessor_id", "on", "window_end", "done"
        )
    }
    differing = {
        pk: values
        for pk, values in rows.items()
        if pk not in held or (held[pk][0] is not None and held[pk][1] != values)
    }
    store(differing, on)
    Standing.objects.exclude(on=None).exclude(on=on).update(on=on)
    return len(differing)


def annotate_standing(assessors, on: datetime.date):
    """Keep the rows (see `keep`), then annotate what `with_status` and `with_recognition`
    annotate: `window_end`, `assessments_done`, `status` and `outcome`, from them."""
    from .recognition import outcome_case
    from .registry import status_case

    keep(assessors, on)
    return assessors.annotate(
        window_end=F("standing__window_end"), assessments_done=F("standing__done")
    ).annotate(
        status=status_case("window_end", on),
        outcome=outcome_case("window_end", "assessments_done", on),
    )


def forget(assessor_ids) -> None:
    """These assessors' rows may have moved: worked out again when next read. At once, and
    again when the transaction commits (a reader in between would keep the old count)."""
    ids = sorted({pk for pk in assessor_ids if pk})
    if not ids:
        return

    def now():
        Standing.objects.filter(assessor_id__in=ids).update(on=None)

    now()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(now, robust=True)
