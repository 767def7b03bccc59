"""The LSP admin's dashboard: their home, what needs doing, the year's K/BK and quota use; only
for the LSP's admins; the same number of queries however many sessions."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSession, Verdict
from certificates.services.issuing import competent_enrolments, issue_one
from dashboards.services import facts, figures, lsp_panels
from lsp.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

Status = AssessmentSession.Status
TODAY = timezone.localdate()
DECIDED_AT = timezone.now()


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def url(lsp) -> str:
    return reverse("lsp_dashboard", args=[lsp.pk])


def session(lsp, status, start=TODAY, **kwargs):
    return factories.SessionFactory(
        lsp=lsp, status=status, start_date=start, end_date=start, **kwargs
    )


def enrol(session_, decision="", *, submitted=True, **kwargs):
    return factories.EnrolmentFactory(
        session=session_,
        decision=decision,
        decided_at=DECIDED_AT if decision else None,
        submitted_at=timezone.now() if submitted else None,
        **kwargs,
    )


def expiring_assessor(lsp, name, *, left=30):
    """Certificate running out in `left` days, no assessment: expiring and at risk."""
    assessor = factories.AssessorFactory(lsps=[lsp], full_name=name)
    factories.AssessorCertificateFactory(
        assessor=assessor,
        issued_on=days(left) - relativedelta(years=3),
        valid_until=days(left),
    )
    return assessor


@pytest.fixture
def busy(lsp_a, lsp_b, admin_a):
    """lsp_a with one session of each kind the dashboard lists, and lsp_b's alike."""
    made = {
        "soon": session(lsp_a, Status.PLANNED, days(5)),
        "later": session(lsp_a, Status.PLANNED, days(40)),
        "assessing": session(lsp_a, Status.ASSESSING),
        "deciding": session(lsp_a, Status.AWAITING_DECISION),
        "decided": session(lsp_a, Status.DECIDED),
        "theirs": session(lsp_b, Status.DECIDED),
    }
    made["done"] = enrol(made["assessing"])
    made["pending"] = enrol(made["assessing"], submitted=False)
    for _ in range(2):
        enrol(made["deciding"])
    issued, *_rest = [enrol(made["decided"], Verdict.K) for _ in range(3)]
    enrol(made["decided"], Verdict.BK)
    issue_one(issued, issued_on=TODAY)
    enrol(made["theirs"], Verdict.K)
    made["expiring"] = expiring_assessor(lsp_a, "Asesor Hampir Habis")
    made["elsewhere"] = expiring_assessor(lsp_b, "Asesor Lain")
    facts.rebuild()
    return made


def _page(client, user, lsp, **params):
    client.force_login(user)
    return client.get(url(lsp), params)


# --- Home and access ----------------------------------------------------------------------------
def test_the_admin_lands_on_the_dashboard(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == url(lsp_a)
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="page-title"' in html and lsp_a.name in html
    assert lsp_a.get_absolute_url() in html  # the LSP page (schools, TUKs, licence) stays


def test_only_the_lsps_admins_and_the_superuser_open_it(
    client, lsp_a, admin_a, admin_b, viewer_kaltim, superuser
):
    assert _page(client, admin_a, lsp_a).status_code == 200
    assert _page(client, superuser, lsp_a).status_code == 200
    assert _page(client, admin_b, lsp_a).status_code == 404  # another LSP: not even told
    assert _page(client, viewer_kaltim, lsp_a).status_code == 403  # sees the LSP, read-only
    assessor = factories.assessor(lsp_a, username="asesor.a")
    assert _page(client, assessor, lsp_a).status_code == 403
    client.logout()
    response = client.get(url(lsp_a))
    assert response.status_code == 302 and "/masuk/" in response.url


def test_an_admin_of_two_lsps_opens_both_and_chooses_at_home(client, lsp_a, lsp_b, admin_a):
    Role.objects.create(user=admin_a, kind=Role.Kind.LSP_ADMIN, lsp=lsp_b)
    client.force_login(admin_a)
    home = client.get(reverse("home")).content.decode()
    assert url(lsp_a) in home and url(lsp_b) in home
    assert client.get(url(lsp_b)).status_code == 200


# --- The panels -----------------------------------------------------------------------------------
def test_upcoming_sessions_are_those_of_the_next_days(client, admin_a, lsp_a, busy, settings):
    settings.DASHBOARD_UPCOMING_DAYS = 30
    context = _page(client, admin_a, lsp_a).context
    assert [s.pk for s in context["upcoming"]] == [busy["assessing"].pk, busy["soon"].pk]
    settings.DASHBOARD_UPCOMING_DAYS = 60
    context = _page(client, admin_a, lsp_a).context
    assert busy["later"].pk in [s.pk for s in context["upcoming"]]


def test_sessions_awaiting_verdicts_name_the_assessors_who_have_not_submitted(
    client, admin_a, lsp_a, busy
):
    response = _page(client, admin_a, lsp_a)
    awaiting = {s.pk: s for s in response.context["awaiting"]}
    assert set(awaiting) == {busy["assessing"].pk, busy["deciding"].pk}
    assessing = awaiting[busy["assessing"].pk]
    assert (assessing.pending, assessing.to_decide) == (1, 1)
    assert [a.assessor_id for a in assessing.waiting_for] == [busy["pending"].assessor_id]
    deciding = awaiting[busy["deciding"].pk]
    assert (deciding.pending, deciding.to_decide, deciding.waiting_for) == (0, 2, [])
    html = response.content.decode()
    assert busy["pending"].assessor.full_name in html
    assert busy["done"].assessor.full_name not in html.split('data-testid="awaiting"')[1]


def test_a_decided_session_lists_the_certificates_still_to_issue(client, admin_a, lsp_a, busy):
    response = _page(client, admin_a, lsp_a)
    rows = response.context["to_issue"]
    assert [(s.pk, s.to_issue) for s in rows] == [(busy["decided"].pk, 2)]
    assert len(competent_enrolments(busy["decided"])) == 2
    assert busy["theirs"].code not in response.content.decode()
    for enrolment in competent_enrolments(busy["decided"]):
        issue_one(enrolment, issued_on=TODAY)
    assert _page(client, admin_a, lsp_a).context["to_issue"] == []


def test_the_count_to_issue_is_the_issuing_rule_session_by_session(lsp_a, admin_a):
    """Appeals and partly issued sessions: the SQL gives what `competent_enrolments` gives."""
    decided = session(lsp_a, Status.DECIDED)
    reported = session(lsp_a, Status.REPORTED)
    assessing = session(lsp_a, Status.AWAITING_DECISION)
    # BK, then K on appeal (round 2): one to issue.
    first = enrol(decided, Verdict.BK)
    enrol(decided, Verdict.K, candidate=first.candidate, round=2, previous=first)
    # K, and a round 2 not decided yet: the decided K still counts.
    kept = enrol(decided, Verdict.K)
    enrol(decided, "", candidate=kept.candidate, round=2, previous=kept)
    # K, then BK on a later round: nothing.
    lost = enrol(reported, Verdict.K)
    enrol(reported, Verdict.BK, candidate=lost.candidate, round=2, previous=lost)
    # Issued already; and K in a session not decided yet (not issuable).
    issue_one(enrol(reported, Verdict.K), issued_on=TODAY)
    enrol(reported, Verdict.K)
    enrol(assessing, Verdict.K)
    counts = {s.pk: s.to_issue for s in lsp_panels.to_issue(lsp_a)}
    for each in (decided, reported, assessing):
        expected = len(competent_enrolments(each)) if each.status != Status.AWAITING_DECISION else 0
        assert counts.get(each.pk, 0) == expected, each.status
    assert counts == {decided.pk: 2, reported.pk: 1}


def test_assessors_expiring_or_at_risk_come_from_the_watch_rules(client, admin_a, lsp_a, busy):
    response = _page(client, admin_a, lsp_a)
    watch = response.context["watch"]
    lists = {w["key"]: [a.pk for a in w["rows"]] for w in watch.lists}
    assert busy["expiring"].pk in lists["expiring"] and busy["expiring"].pk in lists["at_risk"]
    assert busy["elsewhere"].pk not in lists["expiring"] + lists["at_risk"]
    html = response.content.decode()
    assert f"{reverse('assessor_watch')}?lsp={lsp_a.pk}" in html
    page = client.get(reverse("assessor_watch"), {"lsp": lsp_a.pk})
    assert page.context["counts"] == watch.counts  # the watch page's own counts


def test_the_years_k_and_bk_by_scheme_are_the_summarys(client, admin_a, lsp_a, busy):
    response = _page(client, admin_a, lsp_a)
    rows = {row["key"]: row for row in response.context["schemes"]["rows"]}
    scoped = figures.Filters(year=TODAY.year, lsp=lsp_a.pk).apply(figures.facts_for(admin_a))
    assert rows == {row["key"]: row for row in figures.by_scheme(scoped, TODAY)}
    decided = rows[busy["decided"].scheme_id]
    assert (decided["competent"], decided["not_competent"], decided["rate"]) == (3, 1, 75.0)
    html = response.content.decode()
    key = busy["decided"].scheme_id
    assert (
        f'data-testid="scheme-{key}-k">3<' in html and f'data-testid="scheme-{key}-bk">1<' in html
    )
    assert busy["theirs"].scheme_id not in rows


def test_another_year_is_chosen_and_a_bad_one_is_told(client, admin_a, lsp_a, busy):
    last_year = _page(client, admin_a, lsp_a, year=TODAY.year - 1)
    assert last_year.status_code == 200 and last_year.context["year"] == TODAY.year - 1
    assert last_year.context["schemes"]["rows"] == []
    for bad in ("dua ribu", str(TODAY.year - 10)):
        response = _page(client, admin_a, lsp_a, year=bad)
        assert response.status_code == 400 and response.context["year"] == TODAY.year
        assert 'data-testid="year-error"' in response.content.decode()


def test_quota_use_shows_our_schools_in_the_years_programmes(client, admin_a, lsp_a, lsp_b):
    ours = factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Kita")
    quota = factories.FundingQuotaFactory(programme=ours, quota=10)
    # Kept by another LSP, funding one of our schools: shown; its other school is not.
    theirs = factories.FundingProgrammeFactory(lsp=lsp_b, name="BANPER Mereka")
    shared = factories.FundingQuotaFactory(programme=theirs, school=lsp_a.host_school)
    hidden = factories.FundingQuotaFactory(programme=theirs)
    factories.FundingQuotaFactory(
        programme=factories.FundingProgrammeFactory(lsp=lsp_a, year=TODAY.year - 1)
    )  # last year's
    funded = session(lsp_a, Status.DECIDED, programme=ours, funding=ours.kind)
    for decision in (Verdict.K, Verdict.BK, ""):
        enrol(funded, decision)
    response = _page(client, admin_a, lsp_a)
    programmes = {e["programme"].pk: e for e in response.context["quotas"]}
    assert set(programmes) == {ours.pk, theirs.pk}
    row = programmes[ours.pk]["rows"][0]
    assert row.pk == quota.pk
    assert (row.quota, row.enrolled, row.assessed, row.remaining) == (10, 3, 2, 7)
    assert [r.pk for r in programmes[theirs.pk]["rows"]] == [shared.pk]
    html = response.content.decode()
    assert f'data-testid="quota-{hidden.pk}"' not in html
    assert ours.get_absolute_url() in html


# --- Queries --------------------------------------------------------------------------------------
def _sessions(lsp, count: int) -> None:
    """`count` sessions of lsp: decided, in assessment and upcoming in turn, each with asesi."""
    kinds = (
        (Status.DECIDED, 0, Verdict.K, True),
        (Status.ASSESSING, 0, "", False),
        (Status.PLANNED, 3, "", False),
    )
    for n in range(count):
        status, start, decision, submitted = kinds[n % len(kinds)]
        made = session(lsp, status, days(start))
        enrol(made, decision, submitted=submitted)
        expiring_assessor(lsp, f"Asesor {n}", left=20 + n)


def test_the_query_count_does_not_grow_with_sessions(
    client, admin_a, lsp_a, django_assert_num_queries
):
    programme = factories.FundingProgrammeFactory(lsp=lsp_a)
    factories.FundingQuotaFactory(programme=programme)
    _sessions(lsp_a, 2)
    facts.rebuild()
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url(lsp_a))
    assert len(response.context["upcoming"]) == len(response.context["to_issue"]) == 1
    _sessions(lsp_a, 18)
    facts.rebuild()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url(lsp_a))
    context = response.context
    assert len(context["upcoming"]) == 13 and len(context["to_issue"]) == 7
    assert len(context["awaiting"]) == 7
    assert context["watch"].counts["expiring"] == 20
