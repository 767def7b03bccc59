"""The province dashboard's figures kept in the cache (dashboards/cache.py): a second look costs
no figure query, any write makes them stale at once, and a cache that fails costs no page."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import UnitVerdict, Verdict
from dashboards import cache as dashboard_cache
from dashboards.services import facts
from lsp.access import Scope
from lsp.audit import write_entry
from lsp.models import AuditEntry, Lsp
from tests import factories
from tests.dashboards.test_views import DASHBOARD, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    dashboard_cache.forget()  # nothing another test (or run) kept answers here


def _assessed(client) -> tuple[int, int]:
    """The headline's 'students assessed' and the queries the page cost."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    number = re.search(r'data-testid="card-assessed">([\d.,]+)<', html).group(1)
    return int(re.sub(r"\D", "", number)), len(captured)


def test_a_second_look_reads_the_kept_figures(client, viewer_kaltim):
    build(schools=2)
    client.force_login(viewer_kaltim)
    first, first_queries = _assessed(client)
    again, again_queries = _assessed(client)
    assert first == again == 6
    assert again_queries < first_queries - 5  # the figures' GROUP BYs are not run again


def test_a_write_shows_once_the_summary_has_caught_up(client, viewer_kaltim):
    lsp = build(schools=2)
    client.force_login(viewer_kaltim)
    assert _assessed(client)[0] == 6
    session = lsp.sessions.get()
    first = session.enrolments.first()
    factories.EnrolmentFactory(
        session=session,
        candidate=factories.CandidateFactory(school=lsp.host_school),
        assessor=first.assessor,
        decision=Verdict.K,
        decided_at=first.decided_at,
    )
    # Before the worker's refresh, the page keeps showing the summary as it is…
    assert _assessed(client)[0] == 6
    facts.refresh([session.pk])  # …the worker's refresh (queued when the write commits)…
    assert _assessed(client)[0] == 7  # …makes what was kept meanwhile stale


def _without_certificate(client) -> int:
    html = client.get(DASHBOARD).content.decode()
    row = re.search(r'data-key="none"><td>[^<]*</td><td class="text-end">(\d+)<', html)
    return int(row.group(1))


def test_an_assessor_added_shows_on_the_next_look(client, viewer_kaltim):
    lsp = build(schools=2)
    client.force_login(viewer_kaltim)
    before = _without_certificate(client)
    assert _without_certificate(client) == before
    factories.AssessorFactory(lsps=[lsp])
    assert _without_certificate(client) == before + 1


def _capacity_computed(monkeypatch) -> list:
    from dashboards.services import figures

    computed = []
    compute = figures.assessor_capacity
    monkeypatch.setattr(figures, "assessor_capacity", lambda *a: computed.append(1) or compute(*a))
    return computed


def test_a_verdict_written_keeps_the_assessor_figures(client, viewer_kaltim, monkeypatch):
    """The writes of a season (verdicts, enrolments) make the figures stale, not the assessor
    figures (the costliest to work out); an assessor's certificate makes both stale."""
    lsp = build(schools=2)
    client.force_login(viewer_kaltim)
    unit = factories.UnitFactory(lsp=lsp)
    computed = _capacity_computed(monkeypatch)
    before = _without_certificate(client)
    figures_token = dashboard_cache.generation()
    enrolment = lsp.sessions.get().enrolments.first()
    UnitVerdict.objects.create(
        enrolment=enrolment, unit=unit, verdict=Verdict.K, recorded_by=viewer_kaltim
    )
    enrolment.save()
    assert dashboard_cache.generation() != figures_token  # the figures are stale
    assert _without_certificate(client) == before
    assert len(computed) == 1  # the figures rendered again, the assessor figures kept
    assessor = factories.AssessorFactory(lsps=[lsp])
    assert _without_certificate(client) == before + 1
    factories.AssessorCertificateFactory(assessor=assessor)
    assert _without_certificate(client) == before
    assert len(computed) == 3


def test_a_bulk_write_of_a_season_keeps_the_registrys_figures():
    from assessments.models import Enrolment
    from assessors.models import LogbookEntry
    from lsp.signals import figures_changed

    figures = dashboard_cache.generation(dashboard_cache.GENERATION)
    registry = dashboard_cache.generation(dashboard_cache.REGISTRY_GENERATION)
    figures_changed.send(Enrolment, session_ids=[])  # a pleno's decisions, in bulk
    assert dashboard_cache.generation(dashboard_cache.GENERATION) != figures
    assert dashboard_cache.generation(dashboard_cache.REGISTRY_GENERATION) == registry
    figures_changed.send(LogbookEntry, session_ids=[])  # the logbook import
    assert dashboard_cache.generation(dashboard_cache.REGISTRY_GENERATION) != registry


def test_the_filters_lists_are_kept_across_a_verdict(client, viewer_kaltim, monkeypatch):
    from dashboards import forms

    lsp = build(schools=2)
    client.force_login(viewer_kaltim)
    listed = []
    options = forms._Choice.options
    monkeypatch.setattr(
        forms._Choice, "options", lambda self: listed.append(str(self.label)) or options(self)
    )
    client.get(DASHBOARD)
    first = len(listed)
    assert first >= 5
    lsp.sessions.get().enrolments.first().save()  # a season's write
    client.get(DASHBOARD)
    assert len(listed) == first + 1  # the vocational programmes, read from the summary
    school = factories.SchoolFactory(regency=lsp.host_school.regency, name="SMK Baru Sekali")
    assert school.name in client.get(DASHBOARD).content.decode()  # the registry moved


def test_what_no_dashboard_shows_forgets_nothing(client, viewer_kaltim):
    build(schools=2)
    client.force_login(viewer_kaltim)
    first_token = dashboard_cache.generation()
    client.force_login(viewer_kaltim)  # the user's last login is saved
    viewer_kaltim.save()
    # An audit entry and its LSPs (an m2m of the trail's own), as an Excel download writes.
    write_entry(action=AuditEntry.Action.EXPORT, label="Unduh", actor=viewer_kaltim,
                lsp_ids=set(Lsp.objects.values_list("pk", flat=True)))  # fmt: skip
    assert AuditEntry.objects.filter(object_repr="Unduh", lsps__isnull=False).exists()
    assert dashboard_cache.generation() == first_token


def test_each_province_gets_its_own_figures(client, viewer_kaltim):
    build(schools=2)
    other = factories.ProvinceFactory(code="91", name="Papua Uji")
    build(schools=3, province=other)
    client.force_login(viewer_kaltim)
    assert _assessed(client)[0] == 6
    client.force_login(factories.viewer(other))
    assert _assessed(client)[0] == 9


def test_a_cache_that_fails_costs_no_page(client, viewer_kaltim, monkeypatch):
    build(schools=2)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    client.force_login(viewer_kaltim)
    assert _assessed(client)[0] == 6
    factories.CandidateFactory()  # a write goes on too


def test_two_lsps_admins_never_share_their_choices():
    mine, theirs = build(schools=1), build(schools=1)
    theirs.network_schools.add(mine.host_school)  # one school, in both LSPs' networks
    clients = {}
    for lsp in (mine, theirs):
        clients[lsp.pk] = Client()
        clients[lsp.pk].force_login(factories.lsp_admin(lsp))  # no write after these
    for lsp, other in ((mine, theirs), (theirs, mine)):
        url = reverse("dashboard_school", args=[mine.host_school.pk])
        html = clients[lsp.pk].get(url).content.decode()
        select = re.search(r'<select name="lsp".*?</select>', html, re.S).group(0)
        assert f'<option value="{lsp.pk}"' in select
        assert f'<option value="{other.pk}"' not in select


def test_the_scope_key_tells_apart_only_what_decides_visibility():
    assert (
        Scope(admin_lsp_ids=frozenset({2, 1})).cache_key()
        == Scope(admin_lsp_ids=frozenset({1, 2})).cache_key()
    )
    keys = {
        Scope(admin_lsp_ids=frozenset({1})).cache_key(),
        Scope(assessor_lsp_ids=frozenset({1})).cache_key(),
        Scope(viewer_province_ids=frozenset({1})).cache_key(),
        Scope(superuser=True).cache_key(),
        Scope().cache_key(),
    }
    assert len(keys) == 5
