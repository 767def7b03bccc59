"""The demo's history: four past years of certification in several regencies, kept by the rules,
equal to the naive aggregation on the dashboards, written once, and removed whole."""

from collections import Counter, defaultdict

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db.models import Max, Sum
from django.utils import timezone

from assessments.demo_sessions import demo_sessions
from assessments.models import AssessmentSession, Candidate, Enrolment, UnitVerdict, Verdict
from assessments.services.funding import with_use
from assessments.services.sessions import decision_refusal, load_problems
from assessors.models import Assessor, Outcome, TechnicalScope
from certificates.models import Certificate, CertificateSequence
from certificates.services.issuing import competent_enrolments
from dashboards import demo, demo_history
from dashboards.models import Fact
from dashboards.services import figures, naive
from lsp.models import AuditEntry, FundingQuota, Province, School

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings, tmp_path):
    """The rules the demo is chosen for (the defaults), and media of our own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_HISTORY_YEARS = 4
    settings.EXPIRY_WARNING_DAYS = 90
    settings.RCC_THRESHOLD = 6
    settings.RCC_AT_RISK_DAYS = 180
    settings.RCC_GRACE_DAYS = 0


def _counts():
    models = (AssessmentSession, Enrolment, UnitVerdict, Candidate, Certificate, Fact, AuditEntry)
    return [model.objects.count() for model in models], list(
        CertificateSequence.objects.order_by("lsp_id", "year").values_list("lsp_id", "year", "last")
    )


def test_the_history_spans_years_and_regencies_keeps_the_rules_and_adds_up(viewer_kaltim):
    """One demo, three looks at it (seed_demo takes a while)."""
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    _assert_spans(today)
    _assert_rules(today)
    _assert_figures(today, viewer_kaltim)


def _assert_spans(today):
    kaltim = Province.objects.get(code="64")
    years = demo_history.history_years(today)
    assert years == [today.year - 4, today.year - 3, today.year - 2, today.year - 1]
    facts = Fact.objects.filter(province=kaltim, session__in=demo.history_sessions())
    assessed = {row["year"]: row["n"] for row in _sum_by(facts, "year", "assessed")}
    assert len([y for y in years if assessed.get(y)]) >= 3, assessed
    assert 150 <= assessed[years[-1]] <= 400 and assessed[years[-1]] >= assessed[years[0]]
    regencies = {row["regency"] for row in facts.values("regency").distinct()}
    assert len(regencies) >= 5
    last_year = facts.filter(year=years[-1]).values("regency").distinct().count()
    assert last_year >= 4
    # BK in every year, certificates for the K, a few revoked; BANPER programmes of the past.
    totals = facts.values("year").order_by("year")
    for row in _sum_by(totals, "year", "not_competent"):
        assert row["n"] > 0, row
    assert Certificate.objects.filter(
        session__in=demo.history_sessions(), status=Certificate.Status.REVOKED
    ).exists()
    programmes = demo.history_programmes()
    assert programmes.exists() and set(programmes.values_list("year", flat=True)) <= set(years)
    assert programmes.filter(kind__is_banper=True).count() == programmes.count()


def _sum_by(queryset, key, measure):
    return queryset.order_by().values(key).annotate(n=Sum(measure)).order_by(key)


def _assert_rules(today):
    sessions = demo.history_sessions().select_related("lsp", "scheme", "decided_by")
    assert all(s.status == AssessmentSession.Status.REPORTED for s in sessions)
    assert all(s.end_date < min(d.start_date for d in demo_sessions()) for s in sessions)
    for session in sessions:
        enrolments = list(
            session.enrolments.select_related("assessor__user", "candidate", "session")
            .with_recommendation()
            .order_by("pk")
        )
        assert enrolments, session.code
        assert decision_refusal(session.decided_by, enrolments) is None
        assert load_problems(session) == [], session.code
        schools = set(School.objects.of_lsps([session.lsp_id]).values_list("pk", flat=True))
        assignments = {a.assessor_id: a for a in session.assignments.all()}
        for enrolment in enrolments:
            assert enrolment.decision == enrolment.recommendation
            assert enrolment.assessment_date in session.days
            assert enrolment.candidate.school_id in schools
            assert enrolment.candidate.concentration_id == session.scheme.concentration_id
            assert assignments[enrolment.assessor_id].submitted_at is not None
        for assessor_id in assignments:
            assessor = Assessor.objects.get(pk=assessor_id)
            assert assessor.lsps.filter(pk=session.lsp_id).exists()
            assert assessor.scopes.filter(scheme=session.scheme).exists()
            covered = assessor.certificates.filter(
                issued_on__lte=session.start_date, valid_until__gte=session.end_date
            )
            assert covered.exists(), (session.code, assessor.full_name)
        # Every K asesi has their certificate, and only they.
        assert competent_enrolments(session) == []
        assert not Certificate.objects.filter(session=session, enrolment__decision=Verdict.BK)
    # No assessor in two sessions on one day (the demo's own sessions included).
    days = defaultdict(list)
    for session in AssessmentSession.objects.prefetch_related("assignments"):
        for assignment in session.assignments.all():
            days[assignment.assessor_id] += session.days
    for assessor_id, booked in days.items():
        assert len(booked) == len(set(booked)), assessor_id
    # Numbers gap-free per LSP and year, the sequence at the last one.
    numbers = defaultdict(list)
    for lsp_id, year, sequence in Certificate.objects.values_list("lsp_id", "year", "sequence"):
        numbers[(lsp_id, year)].append(sequence)
    for key, sequences in numbers.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), key
        assert CertificateSequence.objects.get(lsp_id=key[0], year=key[1]).last == len(sequences)
    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED)
    assert all(c.issued_on < timezone.localdate(c.revoked_at) < today for c in revoked)
    # The programmes' quotas hold what was enrolled.
    quotas = with_use(FundingQuota.objects.filter(programme__in=demo.history_programmes()))
    assert all(row.remaining >= 0 for row in quotas)
    assert sum(row.enrolled for row in quotas) > 0
    # The assessor watch still has someone at risk (the history keeps them out).
    outcomes = set(Assessor.objects.with_recognition(today).values_list("outcome", flat=True))
    assert {Outcome.AT_RISK, Outcome.ELIGIBLE, Outcome.MUST_RETRAIN} <= outcomes
    # The graduates: clearly the demo's, distinct from its current students.
    students = demo.history_students()
    assert students.count() >= 500
    assert not students.filter(enrolments__session__in=demo_sessions()).exists()


# --- The dashboards' figures equal the naive aggregation, year by year ---------------------------
BREAKDOWNS = {
    "regency": figures.by_regency,
    "school": figures.by_school,
    "scheme": figures.by_scheme,
    "programme": figures.by_programme,
}


def _compare(province, year, today, user, **filters):
    expected = naive.province_figures(province.pk, year, today, filters=filters)
    chosen = figures.Filters(year=year, **filters)
    scoped = chosen.apply(figures.facts_for(user))
    for group, breakdown in BREAKDOWNS.items():
        got = {row.pop("key"): row for row in breakdown(scoped, today)}
        assert set(got) == set(expected[group]), (year, group)
        for key, row in expected[group].items():
            for measure in (*figures.MEASURES, "rate"):
                assert got[key][measure] == row[measure], (year, group, key, measure)
    trend = {row["year"]: row for row in figures.trend(figures.facts_for(user), chosen, today)}
    for year_, row in expected["trend"].items():
        for measure in figures.MEASURES:
            assert trend[year_][measure] == row[measure], ("trend", year_, measure)
    return expected


def _assert_figures(today, viewer_kaltim):
    kaltim = Province.objects.get(code="64")
    for year in [*demo_history.history_years(today), today.year]:
        expected = _compare(kaltim, year, today, viewer_kaltim)
        if expected["regency"]:
            regency = max(expected["regency"], key=lambda k: expected["regency"][k]["assessed"])
            _compare(kaltim, year, today, viewer_kaltim, regency=regency)
    programme = demo.history_programmes().order_by("year").first()
    _compare(kaltim, programme.year, today, viewer_kaltim, funding_programme=programme.pk)
    # Valid certificates: the revoked and the expired are not.
    history = Certificate.objects.filter(session__in=demo.history_sessions())
    scoped = figures.facts_for(viewer_kaltim).filter(session__in=demo.history_sessions())
    total = scoped.aggregate(**figures.sums(today))
    valid = history.filter(status=Certificate.Status.VALID, valid_until__gte=today).count()
    assert total["valid"] == valid < total["certificates"] == history.count()
    _assert_assessor_figures(today, viewer_kaltim)


def _assert_assessor_figures(today, viewer_kaltim):
    """The assessor panel (kept counts) against the assessor pages' live rules, assessor by
    assessor: statuses per regency and per scheme, and the recognition outcomes."""
    chosen = figures.Filters(year=today.year)
    capacity = figures.assessor_capacity(viewer_kaltim, chosen, today)
    live = list(
        figures.assessors_for(viewer_kaltim, chosen)
        .with_status(today)
        .with_recognition(today)
        .values("pk", "status", "outcome", "home_school__regency_id")
    )
    assert len(live) > 20 and len({row["outcome"] for row in live}) >= 3
    assert capacity["outcomes"] == dict(Counter(row["outcome"] for row in live))
    by_regency = {
        row["key"]: (row["active"], row["expiring"], row["expired"])
        for row in capacity["regencies"]
    }
    for regency in {row["home_school__regency_id"] for row in live}:
        mine = Counter(r["status"] for r in live if r["home_school__regency_id"] == regency)
        assert by_regency[regency] == (mine["active"], mine["expiring"], mine["expired"])
    statuses = {row["pk"]: row["status"] for row in live}
    scopes = TechnicalScope.objects.filter(assessor__in=statuses, valid_until__gte=today)
    per_scheme = defaultdict(Counter)
    for assessor_id, scheme_id in scopes.values_list("assessor_id", "scheme_id"):
        per_scheme[scheme_id][statuses[assessor_id]] += 1
    for row in capacity["schemes"]:
        mine = per_scheme[row["key"]]
        assert (row["active"], row["expiring"], row["expired"]) == (
            mine["active"], mine["expiring"], mine["expired"]
        ), row["code"]  # fmt: skip


# --- Written once, removed whole ------------------------------------------------------------------
def test_a_second_run_changes_nothing_another_day_rewrites_and_delete_removes_it(
    django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.build_demo(today=today)
    assert (summary.created, summary.changed, summary.deleted) == (0, 0, 0)
    assert _counts() == first

    # A year on: the history is planned again and written again, by the same rules.
    before = set(demo.history_sessions().values_list("code", "start_date"))
    summary = demo.build_demo(today=today + relativedelta(years=1))
    assert summary.created > 0 and summary.deleted > 0
    after = set(demo.history_sessions().values_list("code", "start_date"))
    assert after and after != before
    for session in demo.history_sessions():
        assert competent_enrolments(session) == [] and load_problems(session) == []

    history = demo.history_sessions()
    sessions = set(history.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        deleted = demo.delete_demo()
    assert deleted > 3000
    assert not (history.exists() or demo.history_students().exists())
    assert not demo.history_programmes().exists()
    assert not Fact.objects.filter(session_id__in=sessions).exists()
    # The numbers the history took are given back: each sequence at its last certificate.
    for row in CertificateSequence.objects.all():
        last = Certificate.objects.filter(lsp_id=row.lsp_id, year=row.year).aggregate(
            n=Max("sequence")
        )
        assert row.last == last["n"]
    # The rest of the demo is untouched, and the history comes back as it was.
    assert demo_sessions().count() == 9
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert _counts()[0][:6] == first[0][:6] and _counts()[1] == first[1]
    # No history wanted: the next run removes it.
    settings.DEMO_HISTORY_YEARS = 0
    summary = demo.build_demo(today=today)
    assert summary.deleted > 3000 and not demo.history_sessions().exists()
