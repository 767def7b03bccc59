"""The demo sessions: a year of decided certifications, one appeal, one session in assessment."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from assessments import demo, demo_sessions
from assessments.models import (
    Appeal,
    AssessmentSession,
    Enrolment,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from assessments.services.sessions import (
    appeal_refusal,
    decision_refusal,
    load_problems,
    record_verdict,
    schedule_problems,
    submit_verdicts,
    verdict_refusal,
)
from lsp.demo import LSPS
from lsp.models import AuditEntry, School, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_history(settings):
    """This module checks its own demo rows: the dashboards' history (dashboards/demo.py) is
    left out here and tested in tests/dashboards/test_demo.py."""
    settings.DEMO_HISTORY_YEARS = 0


Status = AssessmentSession.Status
PAST = (Status.DECIDED, Status.REPORTED)
SAMARINDA = "LSP P1 SMK Negeri 1 Samarinda"


def _seed():
    call_command("seed_demo", verbosity=0)


def _counts():
    models = (
        AssessmentSession, SessionAssessor, Enrolment, UnitVerdict, SelfAssessment, Appeal,
        AuditEntry,
    )  # fmt: skip
    return [model.objects.count() for model in models]


def _problems(session):
    return schedule_problems(
        scheme=session.scheme,
        tuk=session.tuk,
        start=session.start_date,
        end=session.end_date,
        assessors=list(session.assessors.all()),
        session=session,
    )


def _assert_schedulable():
    """The TUK verified, every assessor certified, in scope and free, the daily load kept."""
    sessions = AssessmentSession.objects.select_related("scheme", "tuk", "lsp")
    assert sessions.count() == len(demo_sessions.SESSIONS)
    for session in sessions:
        assert _problems(session) == {}, session.code
        assert load_problems(session) == [], session.code
        for day in session.enrolments.filter(round=1).values_list("assessment_date", flat=True):
            assert day in session.days


def test_past_sessions_of_every_lsp_are_decided_with_a_realistic_mix_of_k_and_bk():
    _seed()
    _assert_schedulable()
    statuses = Counter(AssessmentSession.objects.values_list("status", flat=True))
    assert statuses == {
        Status.REPORTED: 4,
        Status.DECIDED: 3,
        Status.ASSESSING: 1,
        Status.PLANNED: 1,
    }
    today = timezone.localdate()
    for lsp in LSPS:
        past = AssessmentSession.objects.filter(lsp__name=lsp.name, status__in=PAST)
        assert 2 <= past.count() <= 3
        assert all(s.end_date < today for s in past)
    funding = AssessmentSession.objects.filter(status__in=PAST).values_list(
        "funding__is_banper", flat=True
    )
    assert set(funding) == {True, False}

    past = AssessmentSession.objects.filter(status__in=PAST).select_related(
        "scheme__concentration", "lsp", "decided_by"
    )
    for session in past:
        enrolments = list(
            session.enrolments.filter(round=1)
            .select_related("assessor__user", "candidate", "session")
            .with_recommendation()
        )
        assert 18 <= len(enrolments) <= 30
        assert {e.decision for e in enrolments} == {Verdict.K, Verdict.BK}
        # The pleno: the LSP admin, who assessed none of them, confirmed each recommendation.
        assert decision_refusal(session.decided_by, enrolments) is None
        assert session.decided_at.date() > session.end_date
        schools = School.objects.of_lsps([session.lsp_id])
        for enrolment in enrolments:
            assert enrolment.units_k + enrolment.units_bk == enrolment.units_total >= 4
            assert enrolment.decision == enrolment.recommendation
            assert enrolment.decided_at == session.decided_at
            assert enrolment.submitted_at.date() == enrolment.assessment_date
            assert enrolment.eligibility == Enrolment.Eligibility.ELIGIBLE
            assert enrolment.units_bk in ((0,) if enrolment.decision == Verdict.K else (1, 2))
            assert schools.filter(pk=enrolment.candidate.school_id).exists()
            assert enrolment.candidate.concentration_id == session.scheme.concentration_id
        recorders = set(
            UnitVerdict.objects.filter(enrolment__in=enrolments).values_list(
                "enrolment__assessor__user_id", "recorded_by_id"
            )
        )
        for assessor_user, recorder in recorders:
            assert recorder == (assessor_user or session.decided_by_id)

    decided = Enrolment.objects.decided()
    rate = decided.filter(decision=Verdict.K).count() / decided.count()
    assert 0.7 <= rate <= 0.95
    # A BK asesi enrols again in a later session; the history keeps both.
    retakes = Enrolment.objects.filter(
        round=1, candidate__enrolments__decision=Verdict.BK, session__status=Status.ASSESSING
    )
    assert retakes.exists()


def test_asesor1_has_a_session_in_assessment_today_and_one_planned():
    _seed()
    today = timezone.localdate()
    user = User.objects.get(username="asesor1")
    session = AssessmentSession.objects.get(status=Status.ASSESSING)
    assert (session.lsp.name, session.start_date, session.end_date) == (
        SAMARINDA,
        today,
        today + datetime.timedelta(days=1),
    )
    assert session.assignments.filter(assessor__user=user).exists()
    assert session.assignments.count() == 2
    enrolments = session.enrolments.select_related("assessor", "session")
    assert 10 <= enrolments.count() <= 14
    assert set(Counter(enrolments.values_list("assessor_id", flat=True)).values()) == {6}
    assert {e.eligibility for e in enrolments} == {Enrolment.Eligibility.ELIGIBLE}
    mine = Enrolment.objects.for_user(user).filter(session=session)
    mine = list(mine.order_by("assessment_date", "candidate__full_name"))
    assert len(mine) == 6
    assert [e.verdicts.count() for e in mine] == [2, 0, 0, 0, 0, 0]
    assert (
        not UnitVerdict.objects.filter(enrolment__session=session)
        .exclude(enrolment=mine[0])
        .exists()
    )
    assert not enrolments.exclude(submitted_at=None).exists()
    # He can go on recording today.
    assert verdict_refusal(user, mine[0], on=today) is None
    unit = session.scheme.ordered_units()[2]
    record_verdict(user, mine[0], unit.pk, Verdict.K, methods=["observation"])

    planned = AssessmentSession.objects.get(status=Status.PLANNED)
    assert planned.start_date > today and not planned.enrolments.exists()
    assert planned.assignments.filter(assessor__user=user).exists()


def test_one_appeal_was_granted_and_reassessed_by_another_assessor():
    _seed()
    appeal = Appeal.objects.select_related("enrolment__session", "reassessment").get()
    first, second = appeal.enrolment, appeal.reassessment
    assert appeal.outcome == Appeal.Outcome.GRANTED and appeal.decided_by is not None
    assert appeal_refusal(first, appeal.filed_on) is None  # filed in time
    assert first.decision == Verdict.BK and first.round == 1
    assert (second.round, second.previous, second.session) == (2, first, first.session)
    assert second.candidate_id == first.candidate_id
    assert second.assessor_id != first.assessor_id
    assert second.decision == Verdict.K and second.decided_at > first.decided_at
    assert second.submitted_at is not None
    assert second.session.assignments.filter(assessor=second.assessor).exists()
    assert _problems(second.session) == {}
    before = dict(first.verdicts.values_list("unit_id", "verdict"))
    after = dict(second.verdicts.values_list("unit_id", "verdict"))
    assert set(after) == set(before) and set(after.values()) == {Verdict.K}
    history = Enrolment.objects.filter(candidate=first.candidate, session=first.session)
    assert list(history.order_by("round").values_list("decision", flat=True)) == ["BK", "K"]


def test_a_second_run_writes_nothing_and_a_later_day_moves_the_dates_along(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.build_demo(today=None)
    assert (summary.created, summary.changed, summary.deleted) == (0, 0, 0)
    assert _counts() == first

    # Hand-made changes in the demo sessions are undone: asesor1 recorded and submitted more.
    user = User.objects.get(username="asesor1")
    enrolment = (
        Enrolment.objects.filter(session__status=Status.ASSESSING, assessor__user=user)
        .order_by("assessment_date", "candidate__full_name")
        .first()
    )
    for unit in enrolment.session.scheme.units.all():
        record_verdict(user, enrolment, unit.pk, Verdict.K, methods=["observation"])
    submit_verdicts(user, enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    enrolment.refresh_from_db()
    assert enrolment.submitted_at is None and enrolment.verdicts.count() == 2

    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        _seed()
        _assert_schedulable()
        session = AssessmentSession.objects.get(status=Status.ASSESSING)
        assert session.start_date == timezone.localdate()
    assert _counts()[:-1] == first[:-1]


def test_reset_removes_the_sessions_before_the_students_and_rebuilds_them():
    _seed()
    fresh = _counts()[:-1]
    Enrolment.objects.filter(round=1, session__status=Status.ASSESSING).first().delete()
    UnitVerdict.objects.filter(verdict=Verdict.K).update(notes="diubah tangan")
    call_command("seed_demo", "--reset", verbosity=0)
    assert _counts()[:-1] == fresh
    assert not UnitVerdict.objects.filter(notes="diubah tangan").exists()
    from certificates import demo as certificates_demo

    certificates_demo.delete_demo()  # its certificates hold the enrolments, as --reset knows
    assert demo.delete_demo() > fresh[2]
    assert not (AssessmentSession.objects.exists() or Enrolment.objects.exists())
