"""How fast the Disdikbud province dashboard answers at 1.5 and 5 million unit verdicts.

Runs alone: `DEBUG=1 DATABASE_URL=postgres://… .venv/bin/python bench/dashboards.py [--keep]`,
and from `make bench`. PostgreSQL only: on SQLite it says so and exits 0 (the bulk loading is
PostgreSQL SQL; SQLite's correctness is the test suite's business).

It builds a throwaway database beside DATABASE_URL's (`<name>_dashboards`, with "_bench" added
to a name without it), then, per scale:
- province: Kalimantan Timur with 300 SMKs over its 10 regencies, 30 LSP-P1, 60 schemes,
  3,000 assessors and five years of sessions holding 1.5 million unit verdicts
  (`bench/_dashboards_data.py` says what is in it);
- national: the same plus seven more provinces of 100 SMKs each, to 5 million verdicts (the
  dashboard still asks for Kalimantan Timur);
it times `dashboards.services.facts.rebuild()` (the summary table), the dashboard's server
response through the Django test client as a Disdikbud viewer of Kalimantan Timur (the default
year, and filtered by its largest regency; the median of 15 runs after 2 warm-ups; the test
environment's recording of rendered templates is switched off, as a server has none) three
times: as it answers between writes (the figures kept by `dashboards/cache.py`, as served), as
the first request after a verdict is written (the figures rendered afresh, the assessor figures
kept: the writes of an assessment season) and as the first request after any write (an assessor's
certificate saved: every figure rendered afresh; the speedup and the query count are those of this
one), counts the queries of one request, times the naive aggregation over the base tables
(`dashboards.services.naive.province_figures`, the median of 3) and checks that the summary's
breakdowns equal the naive ones row by row. It prints `name: value unit` lines beside the
targets (100 ms and 250 ms, at least 5 times faster than the naive aggregation, the same number
of queries at both scales) and the load average (other work on the machine slows everything);
when a target is missed, the EXPLAIN ANALYZE of the request's slowest queries. It exits 1 when a
target is missed. It drops the database again, unless --keep: then the database stays, and a
later --keep run measures what it holds without building anything.
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    _TestState,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

PROVINCE = "64"  # Kalimantan Timur: the province the dashboard shows
PROVINCE_SCHOOLS = 300
PROVINCE_VERDICTS = 1_500_000
NATIONAL_VERDICTS = 5_000_000
OTHER_PROVINCES = ("31", "32", "33", "35", "36", "51", "73")  # 100 SMKs each, 10 regencies
OTHER_SCHOOLS = 100
OTHER_REGENCIES = 10
WARM_UPS = 2
RUNS = 15
NAIVE_RUNS = 3
TARGET_MS = {"province": 100, "national": 250}
TARGET_SPEEDUP = 5
EXPLAINED = 3  # the slowest queries of a request explained when a target is missed


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def say(name, value, unit="", note=""):
    line = " ".join(str(part) for part in (value, unit) if part != "")
    print(f"{name}: {line}{f' ({note})' if note else ''}", flush=True)


# --- building -------------------------------------------------------------------------------------
def tune_for_loading():
    """Session settings for the bulk load only (the timings run with the server's own)."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("SET maintenance_work_mem = '256MB'")


def untune():
    with connection.cursor() as cursor:
        for name in ("synchronous_commit", "work_mem", "maintenance_work_mem"):
            cursor.execute(f"RESET {name}")


def other_regencies(province):
    """Regencies for a province the reference data leaves without them (only Kaltim's ship)."""
    from lsp.models import Regency

    existing = list(Regency.objects.filter(province=province).order_by("code"))
    if existing:
        return existing
    return Regency.objects.bulk_create(
        Regency(
            code=f"{province.code}{n:02d}",
            name=f"Kabupaten Uji {province.code}{n:02d}",
            kind=Regency.Kind.KOTA if n > 7 else Regency.Kind.KABUPATEN,
            province=province,
        )
        for n in range(1, OTHER_REGENCIES + 1)
    )


def build_province(builder):
    from lsp.models import Province, Regency

    kaltim = Province.objects.get(code=PROVINCE)
    regencies = list(Regency.objects.filter(province=kaltim).order_by("code"))
    stats = builder.province(
        kaltim, regencies, schools=PROVINCE_SCHOOLS, verdicts=PROVINCE_VERDICTS
    )
    builder.analyze()
    return stats


def build_national(builder, verdicts_so_far):
    from lsp.models import Province

    each = (NATIONAL_VERDICTS - verdicts_so_far) // len(OTHER_PROVINCES)
    for code in OTHER_PROVINCES:
        province = Province.objects.get(code=code)
        builder.province(province, other_regencies(province), schools=OTHER_SCHOOLS, verdicts=each)
    builder.analyze()


def counts():
    from assessments.models import AssessmentSession, Enrolment, UnitVerdict
    from assessors.models import Assessor
    from certificates.models import Certificate
    from lsp.models import FundingProgramme, School

    models = {
        "unit_verdicts": UnitVerdict,
        "enrolments": Enrolment,
        "sessions": AssessmentSession,
        "certificates": Certificate,
        "schools": School,
        "assessors": Assessor,
        "funding_programmes": FundingProgramme,
    }
    return {name: model.objects.count() for name, model in models.items()}


def check_data(scale):
    """What the dashboard relies on holds: one recommendation rule, round 2 counted once."""
    from django.db.models import F, Q

    from assessments.models import Enrolment

    kaltim = Enrolment.objects.filter(session__lsp__province__code=PROVINCE)
    wrong = (
        kaltim.with_recommendation()
        .exclude(decision="")
        .exclude(recommendation=F("decision"))
        .count()
    )
    round_2 = kaltim.filter(round=2).count()
    certified_bk = kaltim.filter(Q(decision="BK"), certificate__isnull=False).count()
    assert wrong == 0 and certified_bk == 0 and round_2 > 0, (wrong, certified_bk, round_2)
    say(f"round_2_enrolments_{scale}_kaltim", round_2, "rows")


# --- measuring ------------------------------------------------------------------------------------
def viewer():
    from lsp.models import Province, Role, User

    user, created = User.objects.get_or_create(
        username="bench-disdikbud", defaults={"full_name": "Disdikbud Kaltim"}
    )
    if created:
        Role.objects.create(
            user=user, kind=Role.Kind.VIEWER, province=Province.objects.get(code=PROVINCE)
        )
    return user


def largest_regency():
    from django.db.models import Count

    from lsp.models import Regency

    return (
        Regency.objects.filter(province__code=PROVINCE)
        .annotate(n=Count("schools"))
        .order_by("-n", "pk")
        .first()
    )


def request_times(client, url, params, *, after=None):
    """The median response time; `after`: every request as the first after a write, either
    "a verdict" (what a verdict's, an enrolment's or a certificate's save forgets: the figures,
    not the assessor figures; tests/dashboards/test_cache.py) or "any write" (an assessor's
    certificate saved: everything kept is forgotten, every figure rendered afresh); else as the
    dashboard answers between writes."""
    from assessors.models import AssessorCertificate
    from dashboards import cache as dashboard_cache

    fresh = after is not None
    # "any write" is a real one: an assessor's certificate saved (as the registry's pages do),
    # which also makes that assessor's kept standing be worked out again (assessors/signals.py).
    certificates = iter(
        AssessorCertificate.objects.filter(
            assessor__home_school__regency__province__code=PROVINCE
        ).order_by("pk")[: WARM_UPS + RUNS]
    )

    def get():
        if after == "any write":
            next(certificates).save()
        elif fresh:
            dashboard_cache.forget(registry=False)
        start = time.perf_counter()
        response = client.get(url, params)
        seconds = time.perf_counter() - start
        assert response.status_code == 200, (url, params, response.status_code)
        return seconds

    for _ in range(WARM_UPS):
        get()
    times = [get() for _ in range(RUNS)]
    if fresh:
        dashboard_cache.forget()  # the queries of a page with nothing kept
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(times) * 1000, queries.captured_queries


def explain(captured, label):
    """EXPLAIN ANALYZE of the request's slowest queries, for the indexes they need."""
    slowest = sorted(captured, key=lambda q: float(q["time"]), reverse=True)[:EXPLAINED]
    with connection.cursor() as cursor:
        for n, query in enumerate(slowest, 1):
            print(f"--- {label}: query {n} of the slowest, {float(query['time']) * 1000:.1f} ms")
            print(query["sql"])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def compare(naive_figures, year) -> tuple[int, list[str]]:
    """The summary's figures (what the dashboard shows) against the naive aggregation's, row by
    row, for the province's year and its five-year trend."""
    from dashboards.services import figures
    from dashboards.services.figures import MEASURES, Filters

    today = timezone.localdate()
    facts = figures.facts_for(viewer())
    filters = Filters(year=year)
    scoped = filters.apply(facts)
    summary = {
        "regency": figures.by_regency(scoped, today),
        "school": figures.by_school(scoped, today),
        "scheme": figures.by_scheme(scoped, today),
        "programme": figures.by_programme(scoped, today),
        "trend": [{**row, "key": row["year"]} for row in figures.trend(facts, filters, today)],
    }
    compared, differing = 0, []
    for group, rows in summary.items():
        expected = naive_figures[group]
        for row in rows:
            compared += 1
            wanted = expected.get(row["key"], dict.fromkeys(MEASURES, 0))
            if any(row[m] != wanted.get(m, 0) for m in MEASURES):
                differing.append(f"{group} {row['key']}")
        differing += [
            f"{group} {key} missing" for key in expected.keys() - {r["key"] for r in rows}
        ]
    return compared, differing


def measure(scale, built_s):
    from dashboards.models import Fact
    from dashboards.services import facts, naive

    rows = counts()
    for name, value in rows.items():
        say(f"{name}_{scale}", value, "rows")
    if built_s is not None:
        say(f"build_{scale}", f"{built_s:.1f}", "s")
    fact_rows, rebuild_s = timed(facts.rebuild)
    say(f"dashboard_rebuild_{scale}", f"{rebuild_s:.1f}", "s")
    say(f"dashboard_fact_rows_{scale}", Fact.objects.count(), "rows", f"rebuild said {fact_rows}")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Fact._meta.db_table}")

    client = Client()
    client.force_login(viewer())
    say(f"load_average_{scale}", f"{os.getloadavg()[0]:.1f}", note="other work inflates the times")
    url = reverse("province_dashboard")
    regency = largest_regency()
    dashboard_ms, _captured = request_times(client, url, {})
    regency_ms, _regency_captured = request_times(client, url, {"regency": regency.pk})
    verdict_ms, _verdict_captured = request_times(client, url, {}, after="a verdict")
    verdict_regency_ms, _verdict_regency_captured = request_times(
        client, url, {"regency": regency.pk}, after="a verdict"
    )
    fresh_ms, captured = request_times(client, url, {}, after="any write")
    fresh_regency_ms, regency_captured = request_times(
        client, url, {"regency": regency.pk}, after="any write"
    )
    year = timezone.localdate().year
    province_id = regency.province_id

    results = {}

    def naive_ms(filters=None):
        runs = []
        for _ in range(NAIVE_RUNS):
            result, seconds = timed(
                lambda: naive.province_figures(province_id, year, filters=filters)
            )
            runs.append(seconds)
        results[bool(filters)] = result
        return statistics.median(runs) * 1000

    naive_all, naive_regency = naive_ms(), naive_ms({"regency": regency.pk})
    compared, differing = compare(results[False], year)
    say(
        f"figures_equal_naive_{scale}",
        "yes" if not differing else "no",
        note=(
            f"{compared} rows of the summary compared with the naive aggregation"
            + (f"; differing: {', '.join(differing[:5])}" if differing else "")
        ),
    )
    # Against the page rendered afresh: what a cache would hide is not counted.
    speedup, speedup_regency = naive_all / fresh_ms, naive_regency / fresh_regency_ms

    target = TARGET_MS[scale]
    say(f"dashboard_{scale}", f"{dashboard_ms:.1f}", "ms", f"target < {target} ms")
    say(
        f"dashboard_regency_{scale}",
        f"{regency_ms:.1f}",
        "ms",
        f"?regency={regency.pk} {regency.name}; target < {target} ms",
    )
    say(
        f"dashboard_first_after_a_verdict_{scale}",
        f"{verdict_ms:.1f}",
        "ms",
        f"figures rendered afresh, the assessor figures kept; target < {target} ms",
    )
    say(
        f"dashboard_regency_first_after_a_verdict_{scale}",
        f"{verdict_regency_ms:.1f}",
        "ms",
        f"figures rendered afresh, the assessor figures kept; target < {target} ms",
    )
    say(
        f"dashboard_first_after_any_write_{scale}",
        f"{fresh_ms:.1f}",
        "ms",
        f"every figure rendered afresh; target < {target} ms",
    )
    say(
        f"dashboard_regency_first_after_any_write_{scale}",
        f"{fresh_regency_ms:.1f}",
        "ms",
        f"every figure rendered afresh; target < {target} ms",
    )
    say(f"naive_{scale}", f"{naive_all:.1f}", "ms", f"province_figures, {year}")
    say(f"naive_regency_{scale}", f"{naive_regency:.1f}", "ms", f"{regency.name}, {year}")
    say(f"speedup_{scale}", f"{speedup:.1f}", "x", f"target >= {TARGET_SPEEDUP} x")
    say(f"speedup_regency_{scale}", f"{speedup_regency:.1f}", "x", f"target >= {TARGET_SPEEDUP} x")
    say(f"queries_{scale}", len(captured), "queries")
    say(f"queries_regency_{scale}", len(regency_captured), "queries")
    ok = (
        max(dashboard_ms, regency_ms) < target
        and min(speedup, speedup_regency) >= TARGET_SPEEDUP
        and not differing
    )
    if not ok:
        explain(captured, f"{scale}, default year")
        explain(regency_captured, f"{scale}, ?regency={regency.pk}")
    return ok, (len(captured), len(regency_captured)), rows["unit_verdicts"]


# --- the run --------------------------------------------------------------------------------------
def holds_data() -> str | None:
    """The scale a kept database holds (--keep), if any."""
    from lsp.models import Province

    with_schools = Province.objects.filter(regencies__schools__isnull=False).distinct().count()
    return None if not with_schools else ("province" if with_schools == 1 else "national")


def steps(builder, scale, before):
    """The build's steps (seconds since `before`, a copy of the builder's clock)."""
    for name, seconds in builder.seconds.items():
        say(f"build_{name}_{scale}", f"{seconds - before.get(name, 0):.1f}", "s")
    return dict(builder.seconds)


def run(keep: bool, province_only: bool = False):
    from bench._dashboards_data import Builder

    say("dashboards_database", connection.settings_dict["NAME"])
    held = holds_data() if keep else None
    if held:
        say("dashboards_reused", held, "scale", "a kept database: nothing built")
        ok, _queries, _verdicts = measure(held, None)
        return ok
    today = timezone.localdate()
    tune_for_loading()
    builder, setup_s = timed(lambda: Builder(today))
    _stats, province_s = timed(lambda: build_province(builder))
    untune()
    clock = steps(builder, "province", {})
    check_data("province")
    ok_province, queries_province, verdicts = measure("province", setup_s + province_s)
    if province_only:
        builder.finish()
        return ok_province
    tune_for_loading()
    _none, national_s = timed(lambda: build_national(builder, verdicts))
    builder.finish()
    untune()
    steps(builder, "national", clock)
    check_data("national")
    ok_national, queries_national, _verdicts = measure(
        "national", setup_s + province_s + national_s
    )
    constant = queries_province == queries_national
    say("queries_constant", "yes" if constant else "no", note="province and national scales")
    return ok_province and ok_national and constant


def database_name(name: str) -> str:
    """The throwaway database's name: kompeten_bench → kompeten_bench_dashboards."""
    return f"{name if 'bench' in name else name + '_bench'}_dashboards"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database afterwards; measure a kept one without building",
    )
    parser.add_argument(
        "--province-only",
        action="store_true",
        help="build and measure the 1.5 million verdicts only (with --keep, a later --keep run "
        "measures that scale)",
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        say("dashboards", "skipped", note="needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 0
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "No directory at")
    setup_test_environment(debug=False)
    # As served (lsp/settings.py's default; the test settings turn it off): figures kept
    # between writes. Both are measured: kept, and rendered afresh after a write.
    settings.DASHBOARD_CACHE_SECONDS = 600
    # The test environment records every template rendered (for assertions); a server does not.
    Template._render = _TestState.saved_data.template_render
    connection.settings_dict["TEST"]["NAME"] = database_name(connection.settings_dict["NAME"])
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep
    )
    try:
        ok = run(args.keep, args.province_only)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0 if ok else 1


if __name__ == "__main__":
    start = datetime.datetime.now()
    status = main()
    say("dashboards_bench_total", f"{(datetime.datetime.now() - start).total_seconds():.0f}", "s")
    sys.exit(status)
