"""How long the daily assessor check takes at national scale, and how many queries it needs.

Runs alone: `DEBUG=1 .venv/bin/python bench/assessor_check.py`. It builds a throwaway test
database (a temporary SQLite file, or a test database beside DATABASE_URL's PostgreSQL) holding
50,000 assessors whose certificates are spread so that thousands are due a flag, and 400,000
assessment records (logbook entries, and sessions whose assessors submitted their verdicts).
It times a first run of `check_assessors` (thousands of flags), a second (nothing new) and the
next day's (every assessor's kept count moves to the day; held to the second run's target), counts
the queries of a run at 5,000 and at 50,000 assessors (they must not grow), prints
`name: value unit` lines beside the targets and drops the database again.
"""

import datetime
import logging
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

SMALL = 5_000
ASSESSORS = 50_000
RECORDS = 400_000  # assessment records in all: logbook entries and session assignments
SESSION_SHARE = 0.1  # of the records: assignments to sessions, ten assessors each
LSPS = 20
RENEWED = 0.1  # share of assessors whose current certificate is an RCC renewal
ON = datetime.date(2026, 3, 2)  # the day checked: fixed, so every run builds the same data
BATCH = 5_000
TARGET_FIRST = 30
TARGET_SECOND = 5


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def three_years_before(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year - 3, day=28 if day.month == 2 and day.day == 29 else day.day)


class Registry:
    """Builds the data set in slices (assessors `start`…`stop`), each with its share of records."""

    def __init__(self, seed=6):
        from lsp.models import FundingSource
        from tests import factories

        self.rng = random.Random(seed)
        self.lsps = [factories.LspFactory() for _ in range(LSPS)]
        self.schemes = [factories.SchemeFactory(lsp=lsp) for lsp in self.lsps]
        self.tuks = [factories.TukFactory(lsp=lsp) for lsp in self.lsps]
        self.funding = FundingSource.objects.order_by("pk").first()
        self.sessions = 0
        self.records = 0

    def add(self, start: int, stop: int):
        for first in range(start, stop, BATCH):
            with transaction.atomic():  # one commit per slice, not per batch
                self._slice(first, min(first + BATCH, stop))

    def _slice(self, start, stop):
        from assessments.models import AssessmentSession, SessionAssessor
        from assessors.models import Assessor, AssessorCertificate, LogbookEntry

        rng = self.rng
        assessors = Assessor.objects.bulk_create(
            Assessor(
                full_name=f"Asesor Uji {n:05d}",
                nik=f"64{n + 1:014d}",
                met_number=f"MET.{n // 1_000_000:03d}.{n % 1_000_000:06d} 2020",
                email=f"asesor{n}@example.id",
            )
            for n in range(start, stop)
        )
        Assessor.lsps.through.objects.bulk_create(
            Assessor.lsps.through(assessor_id=a.pk, lsp_id=self.lsps[n % LSPS].pk)
            for n, a in enumerate(assessors, start)
        )
        certificates, windows = [], {}
        for n, assessor in enumerate(assessors, start):
            # Valid until anywhere from 200 days ago to three years ahead: ~15 % expired, ~7 %
            # within 90 days of expiry, ~7 % more under 180 days left.
            until = ON + datetime.timedelta(days=rng.randint(-200, 1095))
            issued = three_years_before(until)
            windows[assessor.pk] = (issued, until)
            certificates.append(
                AssessorCertificate(
                    assessor=assessor, number=f"{n:06d}/BNSP/B", issued_on=issued, valid_until=until
                )
            )
            if rng.random() < RENEWED:  # the initial certificate ran out a month after renewal
                certificates.append(
                    AssessorCertificate(
                        assessor=assessor,
                        number=f"{n:06d}/BNSP/A",
                        issued_on=three_years_before(issued + datetime.timedelta(days=30)),
                        valid_until=issued + datetime.timedelta(days=30),
                        kind=AssessorCertificate.Kind.INITIAL,
                    )
                )
        AssessorCertificate.objects.bulk_create(certificates, batch_size=BATCH)

        # Sessions of ten assessors, one in ten of the records; the rest are logbook entries.
        per_assessor = RECORDS / ASSESSORS
        count = len(assessors)
        assignments = round(count * per_assessor * SESSION_SHARE)
        sessions = AssessmentSession.objects.bulk_create(
            self._session(self.sessions + i) for i in range(assignments // 10)
        )
        self.sessions += len(sessions)
        links = set()
        while len(links) < len(sessions) * 10:
            links.add((rng.choice(sessions).pk, rng.choice(assessors).pk))
        submitted = datetime.datetime.combine(ON, datetime.time(12), tzinfo=datetime.UTC)
        SessionAssessor.objects.bulk_create(
            (
                SessionAssessor(
                    session_id=session,
                    assessor_id=assessor,
                    submitted_at=submitted if rng.random() < 0.9 else None,
                )
                for session, assessor in links
            ),
            batch_size=BATCH,
        )
        logged = round(count * per_assessor) - len(links)
        entries = []
        for i in range(logged):
            assessor = assessors[i % count] if i < count else rng.choice(assessors)
            issued, _until = windows[assessor.pk]
            span = (ON - issued).days + 365  # from a year before the window to the day checked
            entries.append(
                LogbookEntry(
                    assessor=assessor,
                    date=ON - datetime.timedelta(days=rng.randrange(span)),
                    lsp_name="LSP P1 SMK Negeri 2 Samarinda",
                    scheme_name="Okupasi Teknisi Jaringan Komputer",
                    asesi_count=rng.randint(5, 30),
                )
            )
            if len(entries) == BATCH:
                LogbookEntry.objects.bulk_create(entries)
                entries = []
        LogbookEntry.objects.bulk_create(entries)
        self.records += len(links) + logged

    def _session(self, i):
        from assessments.models import AssessmentSession

        lsp = i % LSPS
        day = ON - datetime.timedelta(days=self.rng.randrange(4 * 365))
        return AssessmentSession(
            lsp=self.lsps[lsp],
            scheme=self.schemes[lsp],
            tuk=self.tuks[lsp],
            code=f"B-{i:06d}",
            start_date=day,
            end_date=day + datetime.timedelta(days=1),
            funding=self.funding,
            status=AssessmentSession.Status.DECIDED,
        )


def analyze():
    """PostgreSQL's autovacuum keeps planner statistics in production; a fresh bulk load has
    none until it runs, so gather them as it would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def check(on):
    """One run of the job's service, without notifications: its time and its queries."""
    from assessors.services.checks import check_assessors

    with CaptureQueriesContext(connection) as queries:
        result, seconds = timed(lambda: check_assessors(on, notify=False))
    inserts = sum(q["sql"].lstrip().upper().startswith("INSERT") for q in queries.captured_queries)
    return result, seconds, (len(queries), inserts)


def run():
    from assessors.models import Assessor, AssessorFlag

    registry, setup_s = timed(Registry)
    _none, small_s = timed(lambda: registry.add(0, SMALL))
    analyze()
    small, _s, small_queries = check(ON)
    _again, _s, small_second_queries = check(ON)
    AssessorFlag.objects.all().delete()  # so that the run at 50,000 is a first run too
    _none, rest_s = timed(lambda: registry.add(SMALL, ASSESSORS))
    _none, analyze_s = timed(analyze)
    first, first_s, first_queries = check(ON)
    second, second_s, second_queries = check(ON)
    # The next morning's run: what a day's beat job costs once it is all caught up (every
    # assessor's kept count moves to the day: assessors/models/standing.py).
    _next, next_s, next_queries = check(ON + datetime.timedelta(days=1))
    counts, scan_s = timed(lambda: Assessor.objects.with_status_counts(ON))
    assert first.total > 1000 and second.total == 0, (first.total, second.total)
    assert sum(counts.values()) == ASSESSORS

    print(f"assessor_check_database: {connection.vendor}")
    print(f"assessor_check_build_{ASSESSORS}_assessors: {setup_s + small_s + rest_s:.1f} s")
    print(f"assessor_check_analyze: {analyze_s:.1f} s")
    print(f"assessor_check_assessment_records: {registry.records} rows")
    print(f"assessor_check_flags_raised_{SMALL}_assessors: {small.total} flags")
    print(f"assessor_check_flags_raised_{ASSESSORS}_assessors: {first.total} flags")
    print(f"assessor_check_first_run_{ASSESSORS}_assessors: {first_s:.2f} s")
    print(f"assessor_check_first_run_target: {TARGET_FIRST} s")
    print(f"assessor_check_second_run_{ASSESSORS}_assessors: {second_s:.2f} s")
    print(f"assessor_check_second_run_target: {TARGET_SECOND} s")
    print(f"assessor_check_next_day_run_{ASSESSORS}_assessors: {next_s:.2f} s")
    print(f"assessor_status_counts_{ASSESSORS}_assessors: {scan_s * 1000:.0f} ms")
    for label, (queries, inserts) in (
        (f"first_run_{SMALL}", small_queries),
        (f"first_run_{ASSESSORS}", first_queries),
        (f"second_run_{SMALL}", small_second_queries),
        (f"second_run_{ASSESSORS}", second_queries),
        (f"next_day_run_{ASSESSORS}", next_queries),
    ):
        print(f"assessor_check_queries_{label}_assessors: {queries} queries")
        print(f"assessor_check_flag_inserts_{label}_assessors: {inserts} queries")
    return (
        first_s <= TARGET_FIRST
        and second_s <= TARGET_SECOND
        and next_s <= TARGET_SECOND
        and small_queries == first_queries
        and small_second_queries == second_queries
    )


def main():
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "No directory at")
    setup_test_environment()
    scratch = None
    if connection.vendor == "sqlite":  # a file, as a deployment has, rather than memory
        scratch = tempfile.TemporaryDirectory(prefix="kompeten-bench-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        ok = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        if scratch is not None:
            scratch.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
