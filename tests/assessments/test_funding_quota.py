"""Funding programmes' school quotas: the figures (one rule), and the refusal on every path that
enrols students."""

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSession, Enrolment, Verdict
from assessments.services import funding, scheduling
from assessments.services.sessions import assign_evenly
from certificates.models import Certificate
from certificates.services.issuing import issue_one
from lsp.models import FundingQuota
from tests import factories

pytestmark = pytest.mark.django_db

DECIDED_AT = datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def network(lsp_a):
    school = factories.SchoolFactory(name="SMK Jejaring Uji")
    lsp_a.network_schools.add(school)
    return school


@pytest.fixture
def programme(lsp_a, network):
    programme = factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Uji")
    factories.FundingQuotaFactory(programme=programme, school=lsp_a.host_school, quota=3)
    factories.FundingQuotaFactory(programme=programme, school=network, quota=2)
    return programme


def banper_session(lsp, programme, **kwargs):
    session = factories.SessionFactory(
        lsp=lsp, programme=programme, funding=programme.kind, status="open", **kwargs
    )
    session.scheme.kbli_code, session.scheme.kbji_code = "62019", "3512"
    session.scheme.save()
    factories.session_assessor(session)
    return session


def enrol(session, *candidates):
    assessors = [a.assessor for a in session.assignments.select_related("assessor")]
    planned, left = assign_evenly(session, candidates, assessors)
    assert left == []
    return scheduling.enrol(None, session, planned)


def students(school, n):
    return factories.CandidateFactory.create_batch(n, school=school)


def _row(programme, school):
    return funding.use_of(programme, school)


# --- the figures ----------------------------------------------------------------------------------
def test_enrolled_assessed_certified_and_remaining_per_school(lsp_a, programme, network):
    session = banper_session(lsp_a, programme)
    host = students(lsp_a.host_school, 3)
    enrol(session, *host, *students(network, 1))
    first, second, third = Enrolment.objects.filter(candidate__in=host).order_by("pk")
    Enrolment.objects.filter(pk__in=[first.pk, second.pk]).update(
        decision=Verdict.K, decided_at=DECIDED_AT
    )
    Enrolment.objects.filter(pk=third.pk).update(decision=Verdict.BK, decided_at=DECIDED_AT)
    issue_one(Enrolment.objects.get(pk=first.pk))
    revoked = issue_one(Enrolment.objects.get(pk=second.pk))
    Certificate.objects.filter(pk=revoked.pk).update(status=Certificate.Status.REVOKED)

    row = _row(programme, lsp_a.host_school)
    assert (row.quota, row.enrolled, row.assessed, row.certified, row.remaining) == (3, 3, 3, 1, 0)
    assert (row.budget, row.used) == (1_500_000, 1_500_000)
    row = _row(programme, network)
    assert (row.quota, row.enrolled, row.assessed, row.certified, row.remaining) == (2, 1, 0, 0, 1)


def test_a_student_counts_once_across_rounds_and_sessions_of_the_programme(lsp_a, programme):
    first_session = banper_session(lsp_a, programme)
    student = students(lsp_a.host_school, 1)[0]
    (enrolment,) = enrol(first_session, student)
    Enrolment.objects.filter(pk=enrolment.pk).update(decision=Verdict.BK, decided_at=DECIDED_AT)
    # The appeal's second round, then another session of the same programme.
    factories.EnrolmentFactory(
        session=first_session, candidate=student, round=2, previous=enrolment
    )
    later = banper_session(lsp_a, programme)
    enrol(later, student)
    row = _row(programme, lsp_a.host_school)
    assert (row.enrolled, row.assessed, row.remaining) == (1, 1, 2)


def test_other_programmes_schools_and_unfunded_sessions_do_not_count(lsp_a, programme, network):
    other = factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Lain")
    factories.FundingQuotaFactory(programme=other, school=lsp_a.host_school, quota=50)
    enrol(banper_session(lsp_a, other), *students(lsp_a.host_school, 2))
    unfunded = factories.SessionFactory(lsp=lsp_a, status="open")
    factories.session_assessor(unfunded)
    enrol(unfunded, *students(lsp_a.host_school, 1))
    assert _row(programme, lsp_a.host_school).enrolled == 0
    assert _row(other, lsp_a.host_school).enrolled == 2
    assert _row(other, network) is None  # no quota there


def test_figures_for_many_programmes_take_one_query(
    lsp_a, lsp_b, programme, django_assert_num_queries
):
    more = [factories.FundingProgrammeFactory(lsp=lsp_b) for _ in range(3)]
    for p in more:
        factories.FundingQuotaFactory(programme=p, school=lsp_b.host_school, quota=7)
    enrol(banper_session(lsp_a, programme), *students(lsp_a.host_school, 2))
    with django_assert_num_queries(1):
        found = funding.totals_by_programme(FundingQuota.objects.all())
    assert (found[programme.pk].schools, found[programme.pk].quota) == (2, 5)
    assert (found[programme.pk].enrolled, found[programme.pk].remaining) == (2, 3)
    assert {found[p.pk].quota for p in more} == {7}


# --- the refusal ----------------------------------------------------------------------------------
def test_enrolling_beyond_a_school_quota_is_refused_with_its_figures(lsp_a, programme, network):
    session = banper_session(lsp_a, programme)
    enrol(session, *students(network, 1))
    with pytest.raises(funding.QuotaExceeded) as refused:
        enrol(session, *students(network, 2))
    assert refused.value.problems == [
        "SMK Jejaring Uji has a quota of 2 students in BANPER Uji and 1 are already enrolled: "
        "1 place(s) left for 2 student(s)."
    ]
    assert session.enrolments.count() == 1  # all or nothing
    enrol(session, *students(network, 1))  # the last place
    assert _row(programme, network).remaining == 0


def test_a_school_without_a_quota_is_refused(lsp_a, programme):
    outsider = factories.SchoolFactory(name="SMK Tanpa Kuota")
    lsp_a.network_schools.add(outsider)
    session = banper_session(lsp_a, programme)
    with pytest.raises(funding.QuotaExceeded, match="SMK Tanpa Kuota has no quota in BANPER Uji"):
        enrol(session, *students(outsider, 1), *students(lsp_a.host_school, 1))
    assert not session.enrolments.exists()


def test_a_student_already_counted_takes_no_new_place(lsp_a, programme, network):
    first = banper_session(lsp_a, programme)
    pair = students(network, 2)
    enrol(first, *pair)  # the quota of 2 is used up
    enrol(banper_session(lsp_a, programme), pair[0])  # enrolled again: the same place
    assert _row(programme, network).enrolled == 2


def test_sessions_without_a_programme_are_not_limited(lsp_a, programme, network):
    session = factories.SessionFactory(lsp=lsp_a, status="open")
    factories.session_assessor(session)
    assert len(enrol(session, *students(network, 4))) == 4


def _post_enrol(client, session, **data):
    data.setdefault("mode", "even")
    return client.post(reverse("session_enrol", args=[session.pk]), data)


def test_the_enrol_page_refuses_picked_and_listed_students_beyond_the_quota(
    client, admin_a, lsp_a, programme, network
):
    session = banper_session(lsp_a, programme)
    picked = students(network, 3)
    client.force_login(admin_a)
    page = client.get(reverse("session_enrol", args=[session.pk])).content.decode()
    assert 'data-testid="quotas"' in page and "SMK Jejaring Uji" in page

    response = _post_enrol(client, session, source="pick", candidates=[c.pk for c in picked])
    assert response.status_code == 200
    assert "Nobody was enrolled" in response.content.decode()
    assert "has a quota of 2 students in BANPER Uji and 0 are already enrolled" in (
        response.content.decode()
    )
    response = _post_enrol(
        client, session, source="list", nisn_text="\n".join(c.nisn for c in picked)
    )
    assert "has a quota of 2 students" in response.content.decode()
    assert not session.enrolments.exists()

    response = _post_enrol(client, session, source="pick", candidates=[c.pk for c in picked[:2]])
    assert response.status_code == 302
    assert session.enrolments.count() == 2


def test_the_lock_taken_meanwhile_shows_the_same_refusal(
    client, admin_a, lsp_a, programme, network, monkeypatch
):
    """Another admin took the last place between the page's check and the write."""
    session = banper_session(lsp_a, programme)
    picked = students(network, 2)
    monkeypatch.setattr(funding, "quota_problems", _later_full(funding.quota_problems))
    client.force_login(admin_a)
    response = _post_enrol(client, session, source="pick", candidates=[c.pk for c in picked])
    assert "has a quota of 2 students" in response.content.decode()
    assert not session.enrolments.exists()


def _later_full(real):
    def check(session, candidates, **kwargs):
        if not kwargs.get("lock"):
            return []  # the page's early check saw room
        factories.EnrolmentFactory(
            session=session, candidate=factories.CandidateFactory(school=candidates[0].school)
        )
        return real(session, candidates, **kwargs)

    return check


# --- the session form -----------------------------------------------------------------------------
def _session_data(session_like, **extra):
    start = timezone.localdate() + datetime.timedelta(days=21)  # not on the template's day
    data = {
        "scheme": session_like.scheme.pk,
        "tuk": session_like.tuk.pk,
        "start_date": start.isoformat(),
        "end_date": start.isoformat(),
        "code": "",
        "notes": "",
        "assessor_choices": [a.pk for a in session_like.assessors.all()],
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def template_session(lsp_a):
    session = factories.SessionFactory(lsp=lsp_a, code="TEMPLATE")
    factories.session_assessor(session)
    return session


def _create(client, data):
    return client.post(reverse("session_create"), data)


def test_the_session_takes_its_funding_source_from_the_programme(
    client, admin_a, template_session, programme
):
    client.force_login(admin_a)
    response = _create(client, _session_data(template_session, programme=programme.pk))
    assert response.status_code == 302, response.context["form"].errors
    session = AssessmentSession.objects.exclude(code="TEMPLATE").get()
    assert (session.programme, session.funding) == (programme, programme.kind)
    assert "BANPER Uji" in client.get(session.get_absolute_url()).content.decode()


def test_the_session_form_refuses_a_programme_that_does_not_fit(
    client, admin_a, template_session, programme, lsp_b
):
    client.force_login(admin_a)
    # Paid as school budget, but the programme is BANPER.
    form = _create(
        client,
        _session_data(template_session, programme=programme.pk, funding=factories.funding().pk),
    ).context["form"]
    assert "pays as" in str(form.errors["programme"])
    # Another LSP's programme with none of our schools: not even offered.
    theirs = factories.FundingProgrammeFactory(lsp=lsp_b)
    form = _create(client, _session_data(template_session, programme=theirs.pk)).context["form"]
    assert "Select a valid choice" in str(form.errors["programme"])
    # Last year's programme for a session next week.
    programme.year -= 1
    programme.save()
    form = _create(client, _session_data(template_session, programme=programme.pk)).context["form"]
    assert "does not fund sessions of" in str(form.errors["programme"])
    # Neither.
    form = _create(client, _session_data(template_session)).context["form"]
    assert "Choose the funding source or a funding programme." in str(form.errors["funding"])
    assert AssessmentSession.objects.count() == 1


def test_a_session_moves_to_another_programme_only_if_its_students_fit(
    client, admin_a, lsp_a, programme, network
):
    session = factories.SessionFactory(lsp=lsp_a, status="open")
    factories.session_assessor(session)
    enrol(session, *students(network, 3))
    client.force_login(admin_a)
    data = _session_data(session, programme=programme.pk, code=session.code)
    data["start_date"] = data["end_date"] = session.start_date.isoformat()
    form = client.post(reverse("session_update", args=[session.pk]), data).context["form"]
    assert "SMK Jejaring Uji has a quota of 2 students" in str(form.errors["programme"])
    FundingQuota.objects.filter(school=network).update(quota=3)
    response = client.post(reverse("session_update", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.programme == programme


# --- two admins, the last place -------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_admins_enrolling_the_last_place_at_once_cannot_both_succeed():
    """Each on their own connection (PostgreSQL): the quota row lock makes the second wait and
    count again."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # A transactional test starts from flushed tables: the reference data comes back first.
    for name in ("0002_reference_data", "0005_bnsp_code_lists"):
        importlib.import_module(f"lsp.migrations.{name}").load(apps, None)
    lsp = factories.LspFactory()
    programme = factories.FundingProgrammeFactory(lsp=lsp)
    rounds = 5
    sessions = []
    for _ in range(rounds):
        school = factories.SchoolFactory()
        lsp.network_schools.add(school)
        factories.FundingQuotaFactory(programme=programme, school=school, quota=1)
        session = banper_session(lsp, programme)
        sessions.append((session, students(school, 2)))
    outcomes = []

    def attempt(session, candidate, barrier):
        try:
            session = AssessmentSession.objects.get(pk=session.pk)
            barrier.wait()
            enrol(session, candidate)
            outcomes.append("enrolled")
        except funding.QuotaExceeded:
            outcomes.append("refused")
        except Exception as error:  # pragma: no cover - reported below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    for session, pair in sessions:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=attempt, args=(session, c, barrier)) for c in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["enrolled"] * rounds + ["refused"] * rounds
    for session, _pair in sessions:
        assert session.enrolments.count() == 1


# --- the demo -------------------------------------------------------------------------------------
def test_the_demo_funds_its_banper_sessions_within_quotas_and_a_second_run_changes_nothing(
    django_capture_on_commit_callbacks,
):
    from django.core.management import call_command

    from assessments import demo, demo_funding

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    programmes = demo_funding.demo_programmes()
    assert sorted(set(programmes.values_list("year", flat=True))) == [today.year - 1, today.year]
    assert programmes.count() == 6  # three LSPs, two years
    for session in AssessmentSession.objects.select_related("funding", "programme"):
        if session.funding.is_banper:
            assert session.programme.lsp_id == session.lsp_id
            assert session.programme.year == session.start_date.year
        else:
            assert session.programme is None
    rows = list(funding.with_use(FundingQuota.objects.filter(programme__in=programmes)))
    assert all(r.remaining >= 0 for r in rows)
    assert sum(r.enrolled for r in rows) > 0 and sum(r.certified for r in rows) > 0
    nearly_full = [r for r in rows if r.enrolled and r.remaining == demo_funding.NEARLY_FULL]
    assert len(nearly_full) == 1

    # The nearly full school cannot send three more students to today's session.
    row = nearly_full[0]
    session = AssessmentSession.objects.get(status="assessing", programme=row.programme)
    more = students(row.school, demo_funding.NEARLY_FULL + 1)
    assessors = [a.assessor for a in session.assignments.select_related("assessor")]
    planned, _left = assign_evenly(session, more, assessors)
    with pytest.raises(funding.QuotaExceeded, match=f"{row.school.name} has a quota of"):
        scheduling.enrol(None, session, planned)

    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.build_demo(today=None)
    assert (summary.created, summary.changed, summary.deleted) == (0, 0, 0)
