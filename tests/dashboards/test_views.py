"""The province dashboard and its drill-down pages: who may open them, filters that cannot
widen the scope, a constant number of queries, and the same numbers on every page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSession, Verdict
from dashboards.services import facts, figures, naive
from lsp.models import Programme, Regency
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
DASHBOARD = reverse("province_dashboard")


def _decided_at(day):
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def build(*, schools=2, years=(YEAR,), regencies=("6472", "6471"), province=None):
    """An LSP with `schools` schools spread over `regencies`, a BANPER programme for each year
    with a quota per school, and per year one decided session in which each school has two K
    and one BK. Returns the LSP; the summary is rebuilt."""
    if province is None:
        places = [Regency.objects.get(code=code) for code in regencies]
    else:
        places = [factories.RegencyFactory(province=province) for _ in regencies]
    host = factories.SchoolFactory(regency=places[0])
    lsp = factories.LspFactory(host_school=host)
    members = [host] + [
        factories.SchoolFactory(regency=places[i % len(places)]) for i in range(1, schools)
    ]
    lsp.network_schools.add(*members[1:])
    scheme = factories.SchemeFactory(lsp=lsp)
    for year in years:
        programme = factories.FundingProgrammeFactory(lsp=lsp, year=year)
        for school in members:
            factories.FundingQuotaFactory(programme=programme, school=school, quota=20)
        day = datetime.date(year, 3, 10)
        session = factories.SessionFactory(
            lsp=lsp, scheme=scheme, start_date=day, end_date=day,
            status=AssessmentSession.Status.DECIDED, funding=programme.kind, programme=programme,
        )  # fmt: skip
        assessor = factories.session_assessor(session)
        for school in members:
            for decision in (Verdict.K, Verdict.K, Verdict.BK):
                factories.EnrolmentFactory(
                    session=session, candidate=factories.CandidateFactory(school=school),
                    assessor=assessor, decision=decision, decided_at=_decided_at(day),
                )  # fmt: skip
    facts.rebuild()
    return lsp


@pytest.fixture
def world(db):
    return build()


@pytest.fixture
def elsewhere(db):
    """Another province with its own LSP, schools, figures and viewer."""
    province = factories.ProvinceFactory(code="91", name="Papua Uji")
    lsp = build(province=province)
    return {"province": province, "lsp": lsp, "viewer": factories.viewer(province)}


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- access ---------------------------------------------------------------------------------------
def _pages(lsp):
    school = lsp.host_school
    return {
        "dashboard": DASHBOARD,
        "schools": reverse("province_dashboard_schools"),
        "regency": reverse("dashboard_regency", args=[school.regency_id]),
        "school": reverse("dashboard_school", args=[school.pk]),
        "export": f"{reverse('dashboard_export')}?table=regency",
    }


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in _pages(world).values():
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url, url


def test_the_viewer_and_the_superuser_open_every_page(client, world, viewer_kaltim, superuser):
    for user in (viewer_kaltim, superuser):
        for name, url in _pages(world).items():
            assert _get(client, user, url).status_code == 200, (user, name)


def test_an_assessor_is_refused_everywhere(client, world):
    assessor = factories.assessor(world)
    pages = _pages(world)
    for name in ("dashboard", "schools", "regency", "export"):
        assert _get(client, assessor, pages[name]).status_code == 403, name
    assert _get(client, assessor, pages["school"]).status_code == 404


def test_an_lsp_admin_opens_only_their_schools_pages(client, world, elsewhere):
    admin = factories.lsp_admin(world)
    pages = _pages(world)
    for name in ("dashboard", "schools", "regency", "export"):
        assert _get(client, admin, pages[name]).status_code == 403, name
    page = _get(client, admin, pages["school"])
    assert page.status_code == 200
    assert page.context["totals"]["assessed"] == 3
    other_school = elsewhere["lsp"].host_school
    assert (
        _get(client, admin, reverse("dashboard_school", args=[other_school.pk])).status_code == 404
    )
    # The school page's own tables download; the province's do not.
    export = reverse("dashboard_export")
    school = world.host_school.pk
    for table in ("session", "scheme", "funding"):
        response = _get(client, admin, export, table=table, school=school)
        assert response.status_code == 200, table
    assert _get(client, admin, export, table="regency", school=school).status_code == 403
    other = elsewhere["lsp"].host_school.pk
    assert _get(client, admin, export, table="session", school=other).status_code == 404


def test_a_viewer_sees_nothing_of_another_province(client, world, elsewhere, viewer_kaltim):
    theirs = elsewhere["viewer"]
    page = _get(client, theirs, DASHBOARD)
    assert page.status_code == 200
    assert page.context["panels"].totals["assessed"] == 6  # their own two schools only
    mine = _get(client, viewer_kaltim, DASHBOARD).context["panels"]
    assert mine.totals["assessed"] == 6
    assert {row["key"] for row in mine.regencies} == {
        world.host_school.regency_id,
        world.network_schools.get().regency_id,
    }
    kaltim_school = world.host_school
    url = reverse("dashboard_regency", args=[kaltim_school.regency_id])
    assert _get(client, theirs, url).status_code == 404
    assert (
        _get(client, theirs, reverse("dashboard_school", args=[kaltim_school.pk])).status_code
        == 404
    )


def _outside(elsewhere, viewer):
    """For each filter, a value the Kaltim viewer may not choose."""
    other = elsewhere["lsp"]
    used = set(figures.facts_for(viewer).values_list("programme_id", flat=True))
    return {
        "regency": other.host_school.regency_id,
        "school": other.host_school.pk,
        "lsp": other.pk,
        "scheme": other.schemes.get().pk,
        "programme": Programme.objects.exclude(pk__in=used).first().pk,
        "funding_programme": other.funding_programmes.get().pk,
        "year": 1990,
    }


def test_a_filter_outside_the_scope_is_refused_with_no_figures(
    client, world, elsewhere, viewer_kaltim
):
    urls = [DASHBOARD, reverse("province_dashboard_schools")]
    for name, value in _outside(elsewhere, viewer_kaltim).items():
        for url in urls:
            response = _get(client, viewer_kaltim, url, **{name: value})
            assert response.status_code == 400, (name, url)
            assert response.context["panels"] is None
            assert response.context["form"].errors[name], name
            assert 'data-testid="filter-refused"' in response.content.decode()
        export = _get(client, viewer_kaltim, reverse("dashboard_export"), table="school",
                      **{name: value})  # fmt: skip
        assert export.status_code == 400, name
    # On a drill-down page too, and junk is refused the same way.
    regency = reverse("dashboard_regency", args=[world.host_school.regency_id])
    assert _get(client, viewer_kaltim, regency, scheme="abc").status_code == 400
    assert _get(client, viewer_kaltim, DASHBOARD, school="1; DROP").status_code == 400


def test_a_school_outside_the_chosen_regency_is_refused(client, world, viewer_kaltim):
    school = world.host_school
    other = Regency.objects.filter(province=school.regency.province).exclude(pk=school.regency_id)
    response = _get(client, viewer_kaltim, DASHBOARD, regency=other.first().pk, school=school.pk)
    assert response.status_code == 400 and response.context["form"].errors["school"]


def test_a_filter_inside_the_scope_narrows_the_figures(client, world, viewer_kaltim):
    school = world.host_school
    panels = _get(client, viewer_kaltim, DASHBOARD, regency=school.regency_id).context["panels"]
    assert [row["key"] for row in panels.regencies] == [school.regency_id]
    assert panels.totals["assessed"] == 3 and panels.totals["competent"] == 2
    default = _get(client, viewer_kaltim, DASHBOARD).context["form"]
    assert default.filters().year == YEAR  # the current year unless chosen


# --- queries --------------------------------------------------------------------------------------
def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    client, viewer_kaltim, django_assert_num_queries
):
    build(schools=2)
    client.force_login(viewer_kaltim)
    pages = [
        (DASHBOARD, {}),
        (DASHBOARD, {"regency": Regency.objects.get(code="6472").pk}),
        (reverse("province_dashboard_schools"), {}),
    ]
    small = [_queries(client, url, params) for url, params in pages]
    build(schools=10, years=(YEAR - 2, YEAR - 1, YEAR), regencies=("6472", "6471", "6474"))
    for (url, params), expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            client.get(url, params)


def test_the_drill_down_pages_cost_the_same_queries_whatever_the_data(
    client, viewer_kaltim, django_assert_num_queries
):
    lsp = build(schools=2)
    client.force_login(viewer_kaltim)
    school = lsp.host_school
    pages = [
        reverse("dashboard_regency", args=[school.regency_id]),
        reverse("dashboard_school", args=[school.pk]),
    ]
    small = [_queries(client, url) for url in pages]
    more = build(schools=10, years=(YEAR - 1, YEAR))
    more.network_schools.add(school)  # the school takes part in the new LSP's sessions too
    for _extra in range(3):
        session = more.sessions.filter(start_date__year=YEAR).get()
        factories.EnrolmentFactory(
            session=session, candidate=factories.CandidateFactory(school=school),
            decision=Verdict.K, decided_at=_decided_at(session.start_date),
        )  # fmt: skip
    facts.rebuild()
    for url, expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            client.get(url)


# --- the same numbers everywhere ------------------------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"year": YEAR - 1}, {"school": "host"}])
def test_every_drill_down_page_shows_the_dashboards_numbers(client, viewer_kaltim, params):
    lsp = build(schools=6, years=(YEAR - 1, YEAR))
    if params.get("school") == "host":
        params = {"school": lsp.host_school.pk}
    client.force_login(viewer_kaltim)
    dashboard = client.get(DASHBOARD, params).context["panels"]
    measures = figures.MEASURES + ("rate",)
    assert dashboard.totals == figures.totals(dashboard.schools)
    assert dashboard.totals["assessed"] > 0
    by_school = {r["key"]: r for r in dashboard.schools}
    for row in dashboard.regencies:
        page = client.get(row["url"])  # the row's link carries the dashboard's filters
        assert page.status_code == 200
        assert {m: page.context["totals"][m] for m in measures} == {m: row[m] for m in measures}
        # …and each of its schools' rows is the school page's total and the dashboard's row.
        for school_row in page.context["panels"].schools:
            assert {m: school_row[m] for m in measures} == {
                m: by_school[school_row["key"]][m] for m in measures
            }
            school_page = client.get(school_row["url"])
            totals = school_page.context["totals"]
            assert {m: totals[m] for m in measures} == {m: school_row[m] for m in measures}
            assert len(school_page.context["panels"].sessions) == 1
    # The regency rows equal the naive aggregation over the base tables.
    year = params.get("year", YEAR)
    filters = {"school": params["school"]} if "school" in params else None
    expected = naive.breakdown(lsp.province_id, year, "regency", TODAY, filters)
    assert {row["key"] for row in dashboard.regencies} == set(expected)
    for row in dashboard.regencies:
        for m in measures:
            assert row[m] == expected[row["key"]][m], (row["key"], m)


def test_the_trend_and_quota_panels(client, viewer_kaltim):
    build(schools=3, years=(YEAR - 1, YEAR))
    panels = _get(client, viewer_kaltim, DASHBOARD).context["panels"]
    trend = {row["year"]: row["assessed"] for row in panels.trend}
    assert list(trend) == list(range(YEAR - 4, YEAR + 1))
    assert trend[YEAR] == trend[YEAR - 1] == 9 and trend[YEAR - 2] == 0
    (funding,) = panels.funding  # this year's programme only
    assert (funding["quota"], funding["enrolled"], funding["assessed"]) == (60, 9, 9)
    assert funding["use"] == 15.0


def test_the_filters_options_are_escaped_and_keep_the_choice(client, world, viewer_kaltim):
    school = world.host_school
    school.name = "SMK \"Satu\" <b>&</b> 'Dua'"
    school.save()
    html = _get(client, viewer_kaltim, DASHBOARD, school=school.pk).content.decode()
    expected = "SMK &quot;Satu&quot; &lt;b&gt;&amp;&lt;/b&gt; &#x27;Dua&#x27;"
    assert f'<option value="{school.pk}" selected>{expected}</option>' in html
    assert "<b>&</b>" not in html


def test_the_charts_read_the_tables_numbers(client, world, viewer_kaltim):
    response = _get(client, viewer_kaltim, DASHBOARD)
    charts = {}  # the figures' and the assessor figures' (rendered apart: dashboards/cache.py)
    for context in response.context:
        charts.update(context.get("charts") or {})
    panels = response.context["panels"]
    assert {"regency", "outcomes", "assessor_scheme"} <= set(charts)
    regency = charts["regency"]
    assert regency["labels"] == [row["name"] for row in panels.regencies]
    assert regency["datasets"][0]["data"] == [row["competent"] for row in panels.regencies]
    assert regency["datasets"][1]["data"] == [row["not_competent"] for row in panels.regencies]
    html = response.content.decode()
    for name in ("regency", "school", "scheme", "programme", "trend", "funding", "outcomes"):
        assert f'id="chart-{name}"' in html and f'data-source="chart-{name}"' in html, name
    assert "chart.umd.min.js" in html and "cdn" not in html.lower()


def test_the_words_are_k_and_bk_never_pass_or_fail(client, world, viewer_kaltim):
    client.cookies["django_language"] = "en"
    html = _get(client, viewer_kaltim, DASHBOARD).content.decode().lower()
    assert "competent (k)" in html and "not yet competent (bk)" in html
    for word in ("pass", "fail", "lulus", "gagal"):
        assert f">{word}" not in html and f" {word} " not in html, word


def test_schemes_short_of_assessors_are_flagged(client, world, viewer_kaltim, settings):
    settings.DASHBOARD_MIN_ASSESSORS_PER_SCHEME = 5
    response = _get(client, viewer_kaltim, DASHBOARD)
    capacity = response.context["panels"].capacity
    assert [row["key"] for row in capacity["short"]] == [world.schemes.get().pk]
    assert 'data-testid="short-schemes"' in response.content.decode()


# --- navigation -----------------------------------------------------------------------------------
def test_the_viewer_lands_on_the_dashboard_and_finds_it_in_the_menu(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == DASHBOARD
    page = client.get(DASHBOARD).content.decode()
    assert f'href="{DASHBOARD}"' in page
    kaltim = viewer_kaltim.roles.get().province
    assert kaltim.get_absolute_url() in page  # the province's page stays one click away


def test_the_menu_offers_the_dashboard_only_to_those_who_may_open_it(client, world):
    admin = factories.lsp_admin(world)
    page = _get(client, admin, reverse("lsp_detail", args=[world.pk])).content.decode()
    assert f'href="{DASHBOARD}"' not in page
