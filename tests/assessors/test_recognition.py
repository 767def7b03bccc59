"""Recognition (RCC): 6 assessments within the certificate's 3 years, pinned at its edges."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import SessionAssessor
from assessors.models import Assessor, AssessorFlag, LogbookEntry, Outcome
from assessors.services.checks import check_assessors
from tests import factories

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2024, 1, 10)
VALID_UNTIL = datetime.date(2027, 1, 10)
ON = datetime.date(2026, 3, 1)  # 315 days left: on track unless the threshold is met
DAY = datetime.timedelta(days=1)


@pytest.fixture
def assessor(lsp_a):
    a = factories.AssessorFactory(lsps=[lsp_a])
    factories.AssessorCertificateFactory(assessor=a, issued_on=ISSUED, valid_until=VALID_UNTIL)
    return a


def log(assessor, day, n=1):
    for _ in range(n):
        LogbookEntry.objects.create(
            assessor=assessor, date=day, lsp_name="LSP Lain", scheme_name="Skema", asesi_count=8
        )


def session_done(assessor, day, *, submitted=True):
    """A session starting on `day` in which the assessor's verdicts were (or were not) submitted."""
    session = factories.SessionFactory(lsp=assessor.lsps.first(), start_date=day, end_date=day)
    SessionAssessor.objects.create(
        session=session, assessor=assessor, submitted_at=timezone.now() if submitted else None
    )
    return session


def both(assessor, on=ON):
    """The page's answer and the lists' answer, which must agree."""
    one = Assessor.objects.get(pk=assessor.pk).recognition(on)
    many = Assessor.objects.with_recognition(on).get(pk=assessor.pk)
    assert (one.done, one.outcome) == (many.assessments_done, many.outcome)
    return one.done, one.outcome


def test_the_fifth_assessment_is_not_enough_the_sixth_is(assessor):
    log(assessor, ISSUED + DAY * 10, n=3)
    session_done(assessor, ISSUED + DAY * 100)
    session_done(assessor, ISSUED + DAY * 200)
    assert both(assessor) == (5, Outcome.ON_TRACK)
    session_done(assessor, ISSUED + DAY * 300)
    assert both(assessor) == (6, Outcome.ELIGIBLE)


def test_only_assessments_inside_the_window_count(assessor):
    log(assessor, ISSUED)  # the first day: inside
    log(assessor, ISSUED - DAY)  # the day before: outside
    session_done(assessor, ISSUED - DAY)
    assert both(assessor)[0] == 1
    log(assessor, ON + DAY)  # after the date asked about: not done yet
    assert both(assessor)[0] == 1
    assert both(assessor, on=VALID_UNTIL)[0] == 2  # the window's last day is inside


def test_a_session_counts_only_once_the_verdicts_are_submitted(assessor):
    session_done(assessor, ISSUED + DAY * 5, submitted=False)
    assert both(assessor)[0] == 0
    SessionAssessor.objects.filter(assessor=assessor).update(submitted_at=timezone.now())
    assert both(assessor)[0] == 1
    recognition = assessor.recognition(ON)
    assert recognition.counted[0].source == "session" and recognition.missing == 5


def test_a_renewal_opens_a_new_window(assessor):
    log(assessor, ISSUED + DAY, n=6)
    assert both(assessor) == (6, Outcome.ELIGIBLE)
    factories.AssessorCertificateFactory(
        assessor=assessor, issued_on=VALID_UNTIL - DAY * 20, kind="rcc"
    )
    assert both(assessor, on=VALID_UNTIL) == (0, Outcome.ON_TRACK)


@pytest.mark.parametrize(
    ("on", "logged", "expected"),
    [
        (VALID_UNTIL - DAY * 180, 5, Outcome.ON_TRACK),  # exactly 180 days left
        (VALID_UNTIL - DAY * 179, 5, Outcome.AT_RISK),  # under 180 days left, below threshold
        (VALID_UNTIL, 5, Outcome.AT_RISK),  # the last valid day: still time to assess
        (VALID_UNTIL + DAY, 5, Outcome.MUST_RETRAIN),  # expired
        (VALID_UNTIL + DAY, 6, Outcome.MUST_RETRAIN),  # expired comes first
        (VALID_UNTIL - DAY * 10, 6, Outcome.ELIGIBLE),
    ],
)
def test_outcomes_in_their_order(assessor, on, logged, expected):
    log(assessor, ISSUED + DAY, n=logged)
    assert both(assessor, on=on)[1] == expected


def test_a_grace_period_delays_must_retrain(assessor, settings):
    log(assessor, ISSUED + DAY, n=6)
    settings.RCC_GRACE_DAYS = 30
    assert both(assessor, on=VALID_UNTIL + DAY * 30)[1] == Outcome.ELIGIBLE
    assert both(assessor, on=VALID_UNTIL + DAY * 31)[1] == Outcome.MUST_RETRAIN


def test_no_certificate_has_no_outcome(lsp_a):
    a = factories.AssessorFactory(lsps=[lsp_a])
    assert both(a) == (0, Outcome.NONE)


def test_counting_many_assessors_takes_one_query(lsp_a, django_assert_num_queries):
    for n in range(5):
        a = factories.AssessorFactory(lsps=[lsp_a])
        factories.AssessorCertificateFactory(assessor=a, issued_on=ISSUED, valid_until=VALID_UNTIL)
        log(a, ISSUED + DAY, n=n)
    with django_assert_num_queries(1):
        rows = list(
            Assessor.objects.with_recognition(ON).values_list("assessments_done", "outcome")
        )
    assert sorted(rows) == [(n, Outcome.ON_TRACK) for n in range(5)]


# --- the daily check ------------------------------------------------------------------------------
def stages(assessor):
    return set(AssessorFlag.objects.filter(assessor=assessor).values_list("kind", "stage"))


def test_flags_are_raised_once_and_a_missed_stretch_raises_only_the_latest(assessor):
    on = VALID_UNTIL - DAY * 25  # the job never ran at 90 or 60 days
    first = check_assessors(on, notify=False)
    assert stages(assessor) == {("expiry", "30"), ("outcome", "at_risk")}
    assert first.total == 2
    assert check_assessors(on, notify=False).total == 0
    assert check_assessors(on + DAY, notify=False).total == 0
    check_assessors(VALID_UNTIL + DAY, notify=False)
    assert stages(assessor) >= {("expiry", "expired"), ("outcome", "must_retrain")}


def test_each_expiry_stage_once_when_the_job_runs_daily(assessor):
    for days_left in (91, 90, 89, 61, 60, 31, 30, 1, 0, -1):
        check_assessors(VALID_UNTIL - DAY * days_left, notify=False)
    expiry = AssessorFlag.objects.filter(assessor=assessor, kind="expiry")
    assert sorted(expiry.values_list("stage", flat=True)) == ["30", "60", "90", "expired"]
    raised = dict(expiry.values_list("stage", "raised_on"))
    assert raised["90"] == VALID_UNTIL - DAY * 90 and raised["expired"] == VALID_UNTIL + DAY


def test_a_renewal_starts_the_flags_afresh(assessor):
    check_assessors(VALID_UNTIL - DAY * 20, notify=False)
    assert ("expiry", "30") in stages(assessor)
    renewal = factories.AssessorCertificateFactory(
        assessor=assessor, issued_on=VALID_UNTIL - DAY * 10, kind="rcc"
    )
    renewal_end = renewal.valid_until
    check_assessors(renewal_end - DAY * 50, notify=False)
    assert AssessorFlag.objects.filter(certificate=renewal, stage="60").exists()


def test_the_outcome_flag_follows_a_change(assessor):
    on = VALID_UNTIL - DAY * 100
    check_assessors(on, notify=False)
    assert ("outcome", "at_risk") in stages(assessor)
    log(assessor, ISSUED + DAY, n=6)
    result = check_assessors(on + DAY, notify=False)
    assert result.raised["outcome:eligible"] == 1
