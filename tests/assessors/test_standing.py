"""The kept standing (assessors/models/standing.py): the same answers as the live rules, kept
current by the writes that move them and worked out again only when they do not hold."""

import pytest
from django.utils import timezone

from assessments.models import SessionAssessor
from assessors.models import Assessor, LogbookEntry, Outcome, Standing, Status
from assessors.models.standing import keep, store_every
from assessors.services.checks import check_assessors
from tests import factories
from tests.assessors.test_recognition import DAY, ISSUED, ON, VALID_UNTIL, log

pytestmark = pytest.mark.django_db


def certified(lsp, *, issued=ISSUED, valid_until=VALID_UNTIL):
    a = factories.AssessorFactory(lsps=[lsp])
    factories.AssessorCertificateFactory(assessor=a, issued_on=issued, valid_until=valid_until)
    return a


def kept(on=ON):
    """{pk: (window_end, done, status, outcome)} from the kept standing."""
    rows = Assessor.objects.with_standing(on).values_list(
        "pk", "window_end", "assessments_done", "status", "outcome"
    )
    return {pk: tuple(rest) for pk, *rest in rows}


def live(on=ON):
    """The same from the live rules the assessor pages use."""
    rows = (
        Assessor.objects.with_status(on)
        .with_recognition(on)
        .values_list("pk", "window_end", "assessments_done", "status", "outcome")
    )
    return {pk: tuple(rest) for pk, *rest in rows}


def test_the_kept_standing_answers_as_the_live_rules(lsp_a):
    on_track = certified(lsp_a)
    eligible = certified(lsp_a)
    log(eligible, ISSUED + DAY, n=6)
    at_risk = certified(lsp_a, issued=ON - DAY * 1000, valid_until=ON + DAY * 60)
    expired = certified(lsp_a, issued=ON - DAY * 1200, valid_until=ON - DAY * 5)
    without = factories.AssessorFactory(lsps=[lsp_a])
    log(on_track, ON + DAY)  # after the day asked about: not done yet
    answers = kept()
    assert answers == live()
    assert answers[on_track.pk][2:] == (Status.ACTIVE, Outcome.ON_TRACK)
    assert answers[on_track.pk][1] == 0
    assert answers[eligible.pk][1:] == (6, Status.ACTIVE, Outcome.ELIGIBLE)
    assert answers[at_risk.pk][2:] == (Status.EXPIRING, Outcome.AT_RISK)
    assert answers[expired.pk][2:] == (Status.EXPIRED, Outcome.MUST_RETRAIN)
    assert answers[without.pk][2:] == (Status.WITHOUT, Outcome.NONE)
    # Another day: worked out again for it (the logbook entry of ON + 1 now counts).
    assert kept(ON + DAY) == live(ON + DAY)
    assert kept(ON + DAY)[on_track.pk][1] == 1


def test_rows_that_hold_are_not_worked_out_again(lsp_a, django_assert_num_queries):
    for n in range(3):
        log(certified(lsp_a), ISSUED + DAY, n=n)
    assert keep(Assessor.objects.all(), ON) == 3
    with django_assert_num_queries(1):  # only the look for rows that do not hold
        assert keep(Assessor.objects.all(), ON) == 0
    counts = {pk: (end, done) for pk, (end, done, *_rest) in live(ON + DAY).items()}
    with django_assert_num_queries(2):  # the daily check's: read them, move them to the day
        assert store_every(counts, ON + DAY) == 0
    assert set(Standing.objects.values_list("on", flat=True)) == {ON + DAY}


@pytest.mark.parametrize("write", ["logbook", "certificate", "submitted", "withdrawn", "moved"])
def test_each_write_that_moves_a_count_is_seen(lsp_a, write):
    assessor = certified(lsp_a)
    log(assessor, ISSUED + DAY, n=5)
    session = factories.SessionFactory(lsp=lsp_a, start_date=ISSUED + DAY * 9, end_date=ON)
    assignment = SessionAssessor.objects.create(
        session=session,
        assessor=assessor,
        submitted_at=timezone.now() if write in ("withdrawn", "moved") else None,
    )
    before = kept()[assessor.pk]
    if write == "logbook":
        log(assessor, ISSUED + DAY * 2)
    elif write == "certificate":  # a renewal: a new window, nothing counted in it yet
        factories.AssessorCertificateFactory(assessor=assessor, issued_on=ON - DAY, kind="rcc")
    elif write == "submitted":
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
    elif write == "withdrawn":
        assignment.submitted_at = None
        assignment.save(update_fields=["submitted_at"])
    else:  # the session's first day moves out of the window
        session.start_date = ISSUED - DAY
        session.save()
    after = kept()[assessor.pk]
    assert after != before
    assert after == live()[assessor.pk]


def test_a_deleted_entry_is_seen_and_a_write_in_a_rolled_back_transaction_changes_nothing(lsp_a):
    from django.db import transaction

    assessor = certified(lsp_a)
    log(assessor, ISSUED + DAY, n=6)
    assert kept()[assessor.pk][1:] == (6, Status.ACTIVE, Outcome.ELIGIBLE)
    LogbookEntry.objects.filter(assessor=assessor).first().delete()
    assert kept()[assessor.pk][1] == 5
    with pytest.raises(RuntimeError), transaction.atomic():
        log(assessor, ISSUED + DAY)
        raise RuntimeError
    assert kept()[assessor.pk] == live()[assessor.pk]


def test_the_daily_check_keeps_every_row_for_its_day(lsp_a):
    a, b = certified(lsp_a), certified(lsp_a)
    log(b, ISSUED + DAY, n=6)
    check_assessors(ON, notify=False)
    assert set(Standing.objects.filter(on=ON).values_list("assessor_id", "done")) == {
        (a.pk, 0),
        (b.pk, 6),
    }
    # A count a write went around (a queryset update sends no signal) is mended the next day.
    LogbookEntry.objects.filter(assessor=b).update(date=ISSUED - DAY)
    check_assessors(ON + DAY, notify=False)
    assert Standing.objects.get(assessor=b).done == 0


def test_the_daily_write_moves_unchanged_rows_to_the_day_and_leaves_a_forgotten_one(
    lsp_a, django_assert_num_queries
):
    from assessors.models.standing import forget

    a, b, c = certified(lsp_a), certified(lsp_a), certified(lsp_a)
    log(b, ISSUED + DAY, n=2)
    keep(Assessor.objects.all(), ON)
    counts = {pk: (end, done) for pk, (end, done, *_rest) in live(ON + DAY).items()}
    counts[a.pk] = (VALID_UNTIL, 4)  # as if a write had gone around the signals for a
    forget([c.pk])  # a write to c commits after the check read its counts
    with django_assert_num_queries(3):  # read, write the one that differs, move the rest
        assert store_every(counts, ON + DAY) == 1
    rows = {s.assessor_id: (s.on, s.done) for s in Standing.objects.all()}
    assert rows == {a.pk: (ON + DAY, 4), b.pk: (ON + DAY, 2), c.pk: (None, 0)}
