"""The rules of a session, tested on the services every page and the API use."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import AssessmentSession, Enrolment, UnitVerdict, Verdict
from assessments.services import sessions as rules
from lsp.models import ConflictRule
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a)
    for _ in range(3):
        s.scheme.units.add(factories.UnitFactory(lsp=lsp_a))
    return s


def _account(assessor, username):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    return assessor.user


# --- scheduling -----------------------------------------------------------------------------------
def test_a_clean_schedule_has_no_problems(session):
    assessor = factories.session_assessor(session)
    problems = rules.schedule_problems(
        scheme=session.scheme,
        tuk=session.tuk,
        start=session.start_date,
        end=session.end_date,
        assessors=[assessor],
        session=session,
    )
    assert problems == {}


def test_the_tuk_must_be_verified_on_every_day(session):
    session.tuk.verified_until = session.start_date
    session.tuk.save()
    problems = rules.schedule_problems(
        scheme=session.scheme,
        tuk=session.tuk,
        start=session.start_date,
        end=session.start_date + DAY,
        assessors=[],
    )
    assert "is not verified on" in problems["tuk"][0]


def test_assessors_need_a_valid_certificate_scope_and_a_free_day(session, lsp_a):
    expired = factories.AssessorFactory(lsps=[lsp_a], full_name="Lewat")
    factories.AssessorCertificateFactory(
        assessor=expired,
        issued_on=session.start_date - datetime.timedelta(days=1100),
        valid_until=session.start_date - DAY,
    )
    unscoped = factories.AssessorFactory(lsps=[lsp_a], full_name="Tanpa Lingkup")
    factories.AssessorCertificateFactory(assessor=unscoped)
    busy = factories.session_assessor(session, full_name="Sibuk")
    other = factories.SessionFactory(lsp=lsp_a, scheme=session.scheme, tuk=session.tuk)
    problems = rules.schedule_problems(
        scheme=session.scheme,
        tuk=session.tuk,
        start=other.start_date,
        end=other.end_date,
        assessors=[expired, unscoped, busy],
        session=other,
    )["assessors"]
    assert any("Lewat has no valid assessor certificate" in p for p in problems)
    assert any("Tanpa Lingkup does not have this scheme" in p for p in problems)
    assert any(f"Sibuk is already assigned to session {session.code}" in p for p in problems)


def test_assigning_spreads_students_evenly_within_the_daily_limit(session, lsp_a):
    session.end_date = session.start_date + DAY
    lsp_a.max_candidates_per_assessor_day = 2
    lsp_a.save()
    a, b = factories.session_assessor(session), factories.session_assessor(session)
    students = factories.CandidateFactory.create_batch(9, school=lsp_a.host_school)
    planned, left = rules.assign_evenly(session, students, [a, b])
    assert len(planned) == 8 and left == [students[-1]]  # 2 assessors × 2 days × 2
    per_slot = {(e.assessor_id, e.assessment_date) for e in planned}
    assert len(per_slot) == 4
    assert rules.load_problems(session, planned) == []
    extra = Enrolment(session=session, assessor=a, assessment_date=session.start_date)
    assert "would assess 3 asesi" in rules.load_problems(session, [*planned, extra])[0]


def test_conflict_of_interest_follows_the_lsps_rule(session, lsp_a):
    teacher = factories.session_assessor(session, home_school=lsp_a.host_school)
    planned, _ = rules.assign_evenly(
        session, [factories.CandidateFactory(school=lsp_a.host_school)], [teacher]
    )
    assert planned[0].conflict_of_interest
    assert "impartiality statement" in rules.conflict_warning(lsp_a, planned)
    assert rules.conflict_refusal(lsp_a, planned) is None
    lsp_a.conflict_rule = ConflictRule.FORBID
    assert "forbids it" in rules.conflict_refusal(lsp_a, planned)
    assert rules.conflict_warning(lsp_a, planned) is None
    lsp_a.conflict_rule = ConflictRule.OFF
    assert rules.conflict_refusal(lsp_a, planned) is None
    assert rules.conflict_warning(lsp_a, planned) is None


# --- verdicts -------------------------------------------------------------------------------------
@pytest.fixture
def enrolment(session):
    e = factories.EnrolmentFactory(session=session)
    _account(e.assessor, "penguji")
    return e


def test_only_the_assigned_assessor_records_verdicts(enrolment, session):
    colleague = factories.session_assessor(session)
    intruder = _account(colleague, "rekan")
    unit = session.scheme.units.first()
    with pytest.raises(rules.Refused, match="Only the assessor assigned"):
        rules.record_verdict(intruder, enrolment, unit.pk, Verdict.K)
    rules.record_verdict(enrolment.assessor.user, enrolment, unit.pk, Verdict.K)
    assert enrolment.verdicts.get().verdict == Verdict.K


def test_no_verdict_with_a_certificate_expired_on_the_day(enrolment):
    certificate = enrolment.assessor.certificates.get()
    certificate.valid_until = enrolment.assessment_date - DAY
    certificate.save()
    refusal = rules.verdict_refusal(enrolment.assessor.user, enrolment)
    assert "certificate is not valid on" in refusal


def test_recommendation_is_k_only_when_every_unit_is_k(enrolment, session):
    user = enrolment.assessor.user
    units = list(session.scheme.units.all())

    def both():
        annotated = Enrolment.objects.with_recommendation().get(pk=enrolment.pk)
        return enrolment.compute_recommendation(), annotated.recommendation

    assert both() == (None, None)
    for unit in units[:-1]:
        rules.record_verdict(user, enrolment, unit.pk, Verdict.K)
    assert both() == (None, None)  # one unit still without a verdict
    rules.record_verdict(user, enrolment, units[-1].pk, Verdict.K)
    assert both() == (Verdict.K, Verdict.K)
    rules.record_verdict(user, enrolment, units[0].pk, Verdict.BK)
    assert both() == (Verdict.BK, Verdict.BK)


def test_submitting_locks_the_verdicts_until_the_admin_reopens(enrolment, session, admin_a):
    user = enrolment.assessor.user
    units = list(session.scheme.units.all())
    rules.record_verdict(user, enrolment, units[0].pk, Verdict.K)
    with pytest.raises(rules.Refused, match="every unit"):
        rules.submit_verdicts(user, enrolment)
    for unit in units[1:]:
        rules.record_verdict(user, enrolment, unit.pk, Verdict.K)
    rules.submit_verdicts(user, enrolment)
    session.refresh_from_db()
    assert session.status == AssessmentSession.Status.AWAITING_DECISION
    with pytest.raises(rules.Refused, match="locked"):
        rules.record_verdict(user, enrolment, units[0].pk, Verdict.BK)
    with pytest.raises(rules.Refused, match="Only the LSP admin"):
        rules.reopen(user, enrolment, "salah ketik")
    with pytest.raises(rules.Refused, match="reason"):
        rules.reopen(admin_a, enrolment, " ")
    rules.reopen(admin_a, enrolment, "Unit 1 salah ketik")
    session.refresh_from_db()
    assert session.status == AssessmentSession.Status.ASSESSING
    rules.record_verdict(user, enrolment, units[0].pk, Verdict.BK)
    assert enrolment.verdicts.get(unit=units[0]).verdict == Verdict.BK


# --- decision and appeal --------------------------------------------------------------------------
def _assessed(enrolment, session, verdicts):
    user = enrolment.assessor.user
    for unit, verdict in zip(session.scheme.units.order_by("pk"), verdicts, strict=True):
        rules.record_verdict(user, enrolment, unit.pk, verdict)
    rules.submit_verdicts(user, enrolment)


def test_the_decision_is_taken_by_someone_who_did_not_assess(enrolment, session, admin_a, lsp_a):
    _assessed(enrolment, session, [Verdict.K, Verdict.BK, Verdict.K])
    # An admin who also assessed this asesi may not decide.
    from lsp.models import Role

    Role.objects.create(user=enrolment.assessor.user, kind=Role.Kind.LSP_ADMIN, lsp=lsp_a)
    with pytest.raises(rules.Refused, match="someone else"):
        rules.decide(enrolment.assessor.user, session)
    assert rules.decide(admin_a, session, notes="Rapat pleno") == 1
    enrolment.refresh_from_db()
    session.refresh_from_db()
    assert enrolment.decision == Verdict.BK and enrolment.decided_at
    assert session.status == AssessmentSession.Status.DECIDED
    assert session.decided_by == admin_a


def test_an_appeal_in_time_can_lead_to_a_second_round(enrolment, session, admin_a, lsp_a):
    _assessed(enrolment, session, [Verdict.K, Verdict.BK, Verdict.K])
    rules.decide(admin_a, session)
    enrolment.refresh_from_db()
    decided = timezone.localdate(enrolment.decided_at)
    assert rules.appeal_refusal(enrolment, decided + datetime.timedelta(days=14)) is None
    late = rules.appeal_refusal(enrolment, decided + datetime.timedelta(days=15))
    assert "appeal period ended" in late
    from assessments.models import Appeal

    appeal = Appeal.objects.create(
        enrolment=enrolment, filed_on=decided, grounds=["fair"], explanation="Waktu kurang"
    )
    with pytest.raises(rules.Refused, match="another assessor"):
        rules.grant_reassessment(admin_a, appeal, assessor=enrolment.assessor, day=decided + DAY)
    other = factories.session_assessor(session)
    result = rules.grant_reassessment(admin_a, appeal, assessor=other, day=decided + DAY)
    second = result.enrolment
    assert second.round == 2 and second.previous == enrolment and second.assessor == other
    assert [u.pk for u in result.units] == [session.scheme.units.order_by("pk")[1].pk]
    # The K units are carried over; only the BK unit is assessed again.
    assert UnitVerdict.objects.filter(enrolment=second).count() == 2
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.GRANTED and appeal.reassessment == second
    # The history keeps both rounds.
    assert list(
        enrolment.candidate.enrolments.order_by("round").values_list("round", flat=True)
    ) == [1, 2]


def test_an_assignment_counts_as_submitted_once_all_its_asesi_are(enrolment, session, admin_a):
    from assessments.models import SessionAssessor

    second = factories.EnrolmentFactory(session=session, assessor=enrolment.assessor)
    assignment = SessionAssessor.objects.get(session=session, assessor=enrolment.assessor)
    _assessed(enrolment, session, [Verdict.K] * 3)
    assignment.refresh_from_db()
    assert assignment.submitted_at is None  # one asesi still open
    _assessed(second, session, [Verdict.K] * 3)
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    rules.reopen(admin_a, second, "Periksa ulang")
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
