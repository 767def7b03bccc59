"""The summary gives exactly the figures the base tables give (the naive aggregation), on the
demo data; changes refresh it after they commit."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboards.models import Fact
from dashboards.services import facts, figures, naive
from lsp.models import Province

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
