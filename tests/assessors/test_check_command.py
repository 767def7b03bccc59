"""`manage.py check_assessors`: the daily check by hand, its summary, and each flag raised once
(also when two runs race on PostgreSQL)."""

import datetime
import importlib
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from assessors.models import AssessorCertificate, AssessorFlag, LogbookEntry
from assessors.services import checks
from assessors.services.checks import check_assessors
from tests.factories import AssessorCertificateFactory, AssessorFactory, LspFactory

ON = datetime.date(2025, 6, 2)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    """The summary is checked in the source language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def lsp(db):
    return LspFactory()


def certified(lsp, valid_until, *, logged=0, **kwargs):
    """An assessor whose current certificate runs to `valid_until` (issued 3 years before), with
    `logged` assessments in its logbook inside the window."""
    assessor = AssessorFactory(lsps=[lsp], **kwargs)
    issued = valid_until.replace(year=valid_until.year - 3)
    AssessorCertificateFactory(assessor=assessor, issued_on=issued, valid_until=valid_until)
    LogbookEntry.objects.bulk_create(
        LogbookEntry(
            assessor=assessor,
            date=issued + datetime.timedelta(days=30 * (n + 1)),
            lsp_name="LSP P1 SMK Lain",
            scheme_name="Skema Okupasi Teknisi Jaringan",
            asesi_count=12,
        )
        for n in range(logged)
    )
    return assessor


def run(*args):
    out = io.StringIO()
    call_command("check_assessors", *args, stdout=out)
    return out.getvalue()


def flags(assessor=None):
    rows = AssessorFlag.objects.all() if assessor is None else assessor.flags.all()
    return sorted(rows.values_list("kind", "stage"))


@pytest.fixture
def registry(lsp):
    """Every kind of flag due on ON, and assessors that call for none."""
    return {
        "soon": certified(lsp, ON + 25 * DAY),  # expiry 30, at risk
        "lapsed": certified(lsp, ON - 10 * DAY, logged=3),  # expired, must retrain
        "ready": certified(lsp, ON + 80 * DAY, logged=6),  # expiry 90, eligible
        "close": certified(lsp, ON + 45 * DAY, logged=7),  # expiry 60, eligible
        "fine": certified(lsp, ON + 700 * DAY, logged=2),  # on track: nothing
        "new": AssessorFactory(lsps=[lsp]),  # no certificate: nothing
    }


def test_the_summary_lists_every_stage_and_the_flags_exist(registry):
    out = run("--date", ON.isoformat(), "--no-notify")
    assert "Assessor check for 2025-06-02: 6 assessors scanned." in out
    for line in (
        "Certificate expiry: Expires within 90 days: 1",
        "Certificate expiry: Expires within 60 days: 1",
        "Certificate expiry: Expires within 30 days: 1",
        "Certificate expiry: Expired: 1",
        "Recognition (RCC): Eligible for RCC: 2",
        "Recognition (RCC): At risk: 1",
        "Recognition (RCC): Must retrain: 1",
        "Flags raised: 8. No one was notified (--no-notify).",
    ):
        assert line in out, out
    assert flags(registry["soon"]) == [("expiry", "30"), ("outcome", "at_risk")]
    assert flags(registry["lapsed"]) == [("expiry", "expired"), ("outcome", "must_retrain")]
    assert flags(registry["ready"]) == [("expiry", "90"), ("outcome", "eligible")]
    assert flags(registry["close"]) == [("expiry", "60"), ("outcome", "eligible")]
    assert flags(registry["fine"]) == flags(registry["new"]) == []
    flag = registry["ready"].flags.get(kind="outcome")
    assert (flag.raised_on, flag.valid_until, flag.assessments_done) == (ON, ON + 80 * DAY, 6)
    assert flag.certificate == registry["ready"].current_certificate
    assert flag.notified_at is None


def test_a_second_run_raises_nothing(registry):
    run("--date", ON.isoformat(), "--no-notify")
    before = list(AssessorFlag.objects.values_list("pk", "run"))
    out = run("--date", ON.isoformat(), "--no-notify")
    assert "Flags raised: 0." in out
    assert ": 1" not in out and ": 2" not in out
    assert list(AssessorFlag.objects.values_list("pk", "run")) == before
    # The next day changes nothing either: every flag is keyed by certificate and reason.
    assert "Flags raised: 0." in run("--date", (ON + DAY).isoformat(), "--no-notify")


def test_the_date_defaults_to_today(registry):
    out = run("--no-notify")
    assert f"Assessor check for {timezone.localdate().isoformat()}:" in out


@pytest.mark.parametrize("value", ["2025-13-01", "02/06/2025", "tomorrow", "2025-6-2x"])
def test_a_bad_date_is_refused_clearly(db, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", value)
    assert not AssessorFlag.objects.exists()


def test_a_date_25_days_before_expiry_raises_only_the_30_day_flag(lsp):
    """A job that missed days raises the latest stage only, in the past as in the future."""
    expiry = ON + 700 * DAY
    assessor = certified(lsp, expiry)
    assert "Flags raised: 0." in run("--date", ON.isoformat(), "--no-notify")
    out = run("--date", (expiry - 25 * DAY).isoformat(), "--no-notify")
    assert "Certificate expiry: Expires within 30 days: 1" in out
    assert "Expires within 90 days: 0" in out and "Expires within 60 days: 0" in out
    assert flags(assessor) == [("expiry", "30"), ("outcome", "at_risk")]
    # A date in the past, when the certificate was 25 days from expiry: the same, once.
    lapsed = certified(lsp, ON - 400 * DAY)
    run("--date", (ON - 425 * DAY).isoformat(), "--no-notify")
    assert flags(lapsed) == [("expiry", "30"), ("outcome", "at_risk")]


def test_the_stages_follow_the_days_one_by_one(lsp):
    expiry = ON + 100 * DAY
    assessor = certified(lsp, expiry)
    steps = [
        (expiry - 91 * DAY, [("outcome", "at_risk")]),  # under 180 days left, none done
        (expiry - 90 * DAY, [("expiry", "90")]),
        (expiry - 61 * DAY, []),
        (expiry - 60 * DAY, [("expiry", "60")]),
        (expiry - 30 * DAY, [("expiry", "30")]),
        (expiry, []),  # valid through its last day
        (expiry + DAY, [("expiry", "expired"), ("outcome", "must_retrain")]),
        (expiry + 30 * DAY, []),
    ]
    seen = set()
    for on, new in steps:
        run("--date", on.isoformat(), "--no-notify")
        now = set(flags(assessor))
        assert now - seen == set(new), on
        seen = now


def test_a_renewal_starts_afresh(lsp):
    expiry = ON + 20 * DAY
    assessor = certified(lsp, expiry, logged=6)
    run("--date", ON.isoformat(), "--no-notify")
    old = assessor.current_certificate
    assert flags(assessor) == [("expiry", "30"), ("outcome", "eligible")]
    # Renewed by RCC before the expiry: a new window, nothing done in it yet, nothing due.
    renewal = AssessorCertificateFactory(
        assessor=assessor, issued_on=ON + 5 * DAY, kind=AssessorCertificate.Kind.RCC
    )
    assert "Flags raised: 0." in run("--date", (ON + 5 * DAY).isoformat(), "--no-notify")
    # Near the renewal's own expiry the same reasons are raised again, for the new certificate.
    out = run("--date", (renewal.valid_until - 25 * DAY).isoformat(), "--no-notify")
    assert "Flags raised: 2." in out
    renewed = assessor.flags.filter(certificate=renewal)
    assert sorted(renewed.values_list("kind", "stage")) == [
        ("expiry", "30"),
        ("outcome", "at_risk"),
    ]
    assert assessor.flags.filter(certificate=old).count() == 2


def test_the_people_concerned_are_told_of_the_new_flags_only(registry, monkeypatch):
    from assessors.services import notices

    told = []
    monkeypatch.setattr(notices, "notify_flags", lambda ids: told.append(sorted(ids)))
    out = run("--date", ON.isoformat())
    assert "Flags raised: 8. E-mails and notifications are on their way." in out
    assert told == [sorted(AssessorFlag.objects.values_list("pk", flat=True))]
    run("--date", ON.isoformat())
    assert len(told) == 1  # nothing new, nobody told again
    run("--date", (ON + 20 * DAY).isoformat(), "--no-notify")
    assert len(told) == 1


# --- Two runs at once ---------------------------------------------------------------------------
def population(lsp, n=40):
    """`n` assessors, a quarter of each: expiring in 25 days, expired, eligible, on track."""
    kinds = [
        {"valid_until": ON + 25 * DAY},
        {"valid_until": ON - 3 * DAY},
        {"valid_until": ON + 300 * DAY, "logged": 6},
        {"valid_until": ON + 900 * DAY, "logged": 1},
    ]
    return [certified(lsp, **kinds[i % 4]) for i in range(n)]


def expected_flags(n=40):
    return n // 4 * 5  # 30 and at risk, expired and must retrain, eligible


def test_two_runs_one_after_the_other_raise_each_flag_once(lsp):
    population(lsp)
    first = check_assessors(ON, notify=False)
    second = check_assessors(ON, notify=False)
    assert first.total == AssessorFlag.objects.count() == expected_flags()
    assert second.total == 0 and second.flag_ids == []
    assert sorted(first.flag_ids) == sorted(AssessorFlag.objects.values_list("pk", flat=True))
    assert first.raised == {
        "expiry:30": 10,
        "outcome:at_risk": 10,
        "expiry:expired": 10,
        "outcome:must_retrain": 10,
        "outcome:eligible": 10,
    }


def reference_data():
    """A transactional test's flush also removes what the data migrations loaded (regencies,
    funding sources…): load it again with the migrations' own code, as the browser tests do."""
    from django.apps import apps

    for name in ("0002_reference_data", "0005_bnsp_code_lists"):
        importlib.import_module(f"lsp.migrations.{name}").load(apps, None)


def _race(on, runs):
    """`runs` threads call the check at the same moment, each on its own connection."""
    barrier = threading.Barrier(runs)
    results, errors = [None] * runs, []

    def work(i):
        try:
            barrier.wait(timeout=10)
            results[i] = check_assessors(on, notify=False)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=work, args=(i,)) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two concurrent writers need PostgreSQL"
)
@pytest.mark.parametrize(
    ("runs", "interleaved"),
    [(2, False), (2, True), (4, True)],
    ids=["natural", "interleaved-2", "interleaved-4"],
)
def test_concurrent_runs_raise_each_flag_once_and_announce_it_once(
    transactional_db, monkeypatch, runs, interleaved
):
    reference_data()
    population(LspFactory(), n=80)
    due = []
    if interleaved:
        # The worst case, forced: every run has found the same due flags before any inserts.
        found = threading.Barrier(runs)
        original = checks.due_flags

        def due_flags(on, *args):
            flags = original(on, *args)
            due.append(len(flags))
            found.wait(timeout=10)
            return flags

        monkeypatch.setattr(checks, "due_flags", due_flags)
    results = _race(ON, runs)
    monkeypatch.undo()
    total = AssessorFlag.objects.count()
    assert total == expected_flags(80)
    if interleaved:
        assert due == [total] * runs  # each run set out to raise every flag
    keys = AssessorFlag.objects.values_list("certificate", "kind", "stage")
    assert len(set(keys)) == total
    # Every flag was announced by exactly one run: the runs' ids partition the flags.
    assert sum(result.total for result in results) == total
    announced = sorted(pk for result in results for pk in result.flag_ids)
    assert announced == sorted(AssessorFlag.objects.values_list("pk", flat=True))
    # And afterwards nothing is left for a third run.
    assert check_assessors(ON, notify=False).total == 0
