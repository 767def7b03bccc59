"""The summary gives exactly the figures the base tables give (the naive aggregation), on the
demo data; changes refresh it after they commit."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments.models import AssessmentSession, UnitVerdict, Verdict
from certificates.models import Certificate
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from dashboards.models import Fact
from dashboards.services import facts, figures, naive
from dashboards.signals import _Pending
from lsp.models import Province
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
        want = expected[group]
        assert set(got) == set(want), group
        for key, row in want.items():
            for measure in figures.MEASURES + ("rate",):
                assert got[key][measure] == row[measure], (group, key, measure)
    trend = {row["year"]: row for row in figures.trend(figures.facts_for(user), chosen, today)}
    for year_, row in expected["trend"].items():
        for measure in figures.MEASURES:
            assert trend[year_][measure] == row[measure], ("trend", year_, measure)
    return expected


def test_the_summary_equals_the_naive_aggregation_on_the_demo(viewer_kaltim):
    call_command("seed_demo", verbosity=0)
    facts.rebuild()
    today = timezone.localdate()
    kaltim = Province.objects.get(code="64")
    expected = _compare(kaltim, today.year, today, viewer_kaltim)
    assert sum(row["assessed"] for row in expected["regency"].values()) > 0
    some_regency = next(iter(expected["regency"]))
    _compare(kaltim, today.year, today, viewer_kaltim, regency=some_regency)
    assert Fact.objects.exists()


# --- Kept current ---------------------------------------------------------------------------------
ON = datetime.date(2026, 8, 17)


@pytest.fixture
def decided(lsp_a, django_capture_on_commit_callbacks):
    """A decided session of lsp_a: three K, one BK; each asesi with two unit verdicts."""
    with django_capture_on_commit_callbacks(execute=True):
        return _decided(lsp_a)


def _decided(lsp_a):
    session = factories.SessionFactory(
        lsp=lsp_a, status=AssessmentSession.Status.DECIDED, start_date=ON, end_date=ON
    )
    units = [factories.UnitFactory() for _ in range(2)]
    recorder = factories.UserFactory()
    for decision in [Verdict.K, Verdict.K, Verdict.BK, Verdict.K]:
        enrolment = factories.EnrolmentFactory(
            session=session,
            decision=decision,
            decided_at=datetime.datetime(2026, 8, 17, tzinfo=datetime.UTC),
        )
        for i, unit in enumerate(units):
            verdict = Verdict.BK if decision == Verdict.BK and i == 0 else Verdict.K
            UnitVerdict.objects.create(
                enrolment=enrolment, unit=unit, verdict=verdict, recorded_by=recorder
            )
    return session


def _year_totals(user, year=ON.year):
    scoped = figures.Filters(year=year).apply(figures.facts_for(user))
    return figures.totals(figures.by_regency(scoped, ON))


def test_refresh_counts_one_session_and_replaces_its_rows(decided, admin_a):
    assert facts.refresh([decided.pk]) == 1  # one school, no certificate yet
    total = _year_totals(admin_a)
    assert (total["enrolled"], total["assessed"], total["competent"], total["not_competent"]) == (
        4, 4, 3, 1,
    )  # fmt: skip
    assert (total["units_k"], total["units_bk"], total["rate"]) == (7, 1, 75.0)
    facts.refresh([decided.pk])
    assert Fact.objects.filter(session=decided).count() == 1  # replaced, not added


def test_a_change_refreshes_the_figures_once_it_commits(
    decided, admin_a, django_capture_on_commit_callbacks
):
    facts.refresh([decided.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issued = issue_session(admin_a, decided, issued_on=ON)
    refreshes = [c for c in callbacks if isinstance(getattr(c, "__self__", None), _Pending)]
    assert len(refreshes) == 1  # three certificates, one refresh
    total = _year_totals(admin_a)
    assert (total["certificates"], total["valid"], total["revoked"]) == (3, 3, 0)

    with django_capture_on_commit_callbacks(execute=True):
        revoke(admin_a, issued[0], "Identitas keliru")
    total = _year_totals(admin_a)
    assert (total["certificates"], total["valid"], total["revoked"]) == (3, 2, 1)

    # A verdict changed by an appeal's round 2: the first round stops counting.
    first = decided.enrolments.get(decision=Verdict.BK)
    with django_capture_on_commit_callbacks(execute=True):
        second = factories.EnrolmentFactory(
            session=decided, candidate=first.candidate, round=2, previous=first,
            assessor=first.assessor, decision=Verdict.K,
        )  # fmt: skip
    total = _year_totals(admin_a)
    assert (total["enrolled"], total["competent"], total["not_competent"]) == (4, 4, 0)
    assert second.pk


def test_nothing_is_refreshed_for_a_rolled_back_change(
    decided, admin_a, django_capture_on_commit_callbacks
):
    facts.refresh([decided.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                factories.EnrolmentFactory(session=decided, decision=Verdict.K)
                raise RuntimeError
        except RuntimeError:
            pass
    assert not [c for c in callbacks if isinstance(getattr(c, "__self__", None), _Pending)]
    assert _year_totals(admin_a)["enrolled"] == 4


def test_a_valid_certificate_expires_on_the_dashboard_without_a_refresh(decided, admin_a):
    issue_session(admin_a, decided, issued_on=ON)
    facts.rebuild()
    valid_until = Certificate.objects.filter(session=decided).values_list("valid_until", flat=True)[
        0
    ]
    scoped = figures.Filters(year=ON.year).apply(figures.facts_for(admin_a))
    assert figures.totals(figures.by_scheme(scoped, valid_until))["valid"] == 3
    after = valid_until + datetime.timedelta(days=1)
    assert figures.totals(figures.by_scheme(scoped, after))["valid"] == 0


def test_each_user_sees_only_their_scope(decided, admin_a, admin_b, viewer_kaltim):
    facts.rebuild()
    assert _year_totals(admin_a)["enrolled"] == 4
    assert _year_totals(admin_b)["enrolled"] == 0
    assert _year_totals(viewer_kaltim)["enrolled"] == 4
    elsewhere = factories.viewer(factories.ProvinceFactory())
    assert _year_totals(elsewhere)["enrolled"] == 0
    assessor = factories.assessor(decided.lsp)
    assert _year_totals(assessor)["enrolled"] == 0


def test_the_nightly_rebuild_puts_right_what_a_missed_refresh_left(decided, admin_a):
    from dashboards.tasks import rebuild_facts

    facts.refresh([decided.pk])
    Fact.objects.update(enrolled=0)  # stale
    assert rebuild_facts.delay().get() == 1
    assert _year_totals(admin_a)["enrolled"] == 4


def test_a_broker_that_is_down_does_not_fail_the_committed_change(
    decided, admin_a, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    from dashboards import tasks

    def down(*args, **kwargs):
        raise OperationalError("Redis is down")

    monkeypatch.setattr(tasks.refresh_facts, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        issue_session(admin_a, decided, issued_on=ON)
    assert Certificate.objects.filter(session=decided).count() == 3
    assert "Could not queue the dashboards' refresh" in caplog.text


# --- Funding programmes' quota use ----------------------------------------------------------------
def _use(rows):
    return {
        (r.programme_id, r.school_id): (r.enrolled, r.assessed, r.certified, r.remaining, r.used)
        for r in rows
    }


def test_the_quota_use_summary_equals_the_quota_rule_on_the_demo():
    from assessments.services.funding import with_use
    from lsp.models import FundingQuota

    call_command("seed_demo", verbosity=0)
    facts.rebuild()
    quotas = FundingQuota.objects.order_by()
    expected = _use(with_use(quotas))
    assert any(enrolled for enrolled, *_ in expected.values())
    assert _use(figures.quota_use(quotas)) == expected


def test_enrolling_in_a_programme_session_refreshes_its_quota_use(
    decided, admin_a, django_capture_on_commit_callbacks
):
    from dashboards.models import FundingUse

    quota = factories.FundingQuotaFactory(programme__lsp=decided.lsp, quota=10)
    with django_capture_on_commit_callbacks(execute=True):
        decided.programme = quota.programme
        decided.funding = quota.programme.kind
        decided.save()
    use = FundingUse.objects.get(programme=quota.programme, school=quota.school)
    assert (use.enrolled, use.assessed) == (4, 4)
    row = figures.quota_use(type(quota).objects.filter(pk=quota.pk)).get()
    assert (row.enrolled, row.remaining) == (4, 6)

    with django_capture_on_commit_callbacks(execute=True):
        decided.programme = None
        decided.save()
    assert not FundingUse.objects.filter(programme=quota.programme, enrolled__gt=0).exists()


def test_storing_a_certificates_file_or_blank_number_refreshes_nothing(
    decided, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_session(admin_a, decided, issued_on=ON)[0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate.blank_number = "B-0001"
        certificate.save(update_fields=["blank_number"])
    assert not [c for c in callbacks if isinstance(getattr(c, "__self__", None), _Pending)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate.save()  # a full save may change anything: refreshed
    assert [c for c in callbacks if isinstance(getattr(c, "__self__", None), _Pending)]
