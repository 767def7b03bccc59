"""The daily check against the real thing: the beat entry, then a real Celery worker consuming
from the real Redis and writing to PostgreSQL (CI sets DATABASE_URL and REDIS_URL).

The worker runs in a thread of this process (`celery.contrib.testing.worker.start_worker`), so
the locmem e-mail outbox it fills is the test's `mailoutbox`.
"""

import datetime
import importlib
import threading
import time
import zoneinfo

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from celery.schedules import crontab, maybe_schedule
from celery.signals import task_prerun
from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessors import tasks
from assessors.models import AssessorFlag, LogbookEntry
from lsp import tasks as lsp_tasks
from lsp.celery import app
from lsp.models import Notification
from tests.factories import AssessorCertificateFactory, AssessorFactory, LspFactory, lsp_admin

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
TASK = "assessors.tasks.check_assessors_daily"
DRAIN = "lsp.tasks.clear_expired_sessions"


def test_the_beat_runs_the_check_every_day_at_six_wita():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == TASK]
    assert len(entries) == 1
    assert app.conf.timezone == "Asia/Makassar"
    schedule = maybe_schedule(entries[0]["schedule"], app=app)
    assert isinstance(schedule, crontab)
    assert (schedule.hour, schedule.minute) == ({6}, {0})
    assert schedule.day_of_week == set(range(7)) and schedule.day_of_month == set(range(1, 32))
    assert schedule.tz == WITA
    # 05:30 WITA is 21:30 UTC the day before: the run is half an hour away, not 8.5 hours.
    last = datetime.datetime(2025, 6, 1, 6, 0, tzinfo=WITA)
    schedule.nowfun = lambda: datetime.datetime(2025, 6, 1, 21, 30, tzinfo=UTC).astimezone(WITA)
    due, next_in = schedule.is_due(last)
    assert (due, next_in) == (False, 30 * 60)
    schedule.nowfun = lambda: datetime.datetime(2025, 6, 1, 22, 0, 1, tzinfo=UTC).astimezone(WITA)
    assert schedule.is_due(last).is_due
    # The worker knows the task by that name.
    app.loader.import_default_modules()
    assert tasks.check_assessors_daily.name == TASK and TASK in app.tasks


# --- The real worker ------------------------------------------------------------------------------
REDIS = (settings.REDIS_URL or str(app.conf.broker_url)).startswith(("redis://", "rediss://"))
POSTGRES = connection.vendor == "postgresql"
real = pytest.mark.skipif(
    not (REDIS and POSTGRES), reason="needs REDIS_URL and PostgreSQL (DATABASE_URL), as in CI"
)


def reference_data():
    """The flush after a transactional test also removes what the data migrations loaded: load
    it again with the migrations' own code, as the browser tests do."""
    from django.apps import apps

    for name in ("0002_reference_data", "0005_bnsp_code_lists"):
        importlib.import_module(f"lsp.migrations.{name}").load(apps, None)


@pytest.fixture
def worker(transactional_db, monkeypatch, settings):
    """A real worker (solo pool, in a thread) on the project's app, the broker and a result
    backend in Redis; tasks are sent, not run eagerly. Stopped at the end of the test."""
    reference_data()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "result_backend", settings.REDIS_URL or app.conf.broker_url)
    # Result backends are cached per thread: this thread's was made for eager runs (no backend).
    monkeypatch.setattr(app, "_local", threading.local())
    monkeypatch.setattr(app, "_backend_cache", None)
    app.loader.import_default_modules()
    app.control.purge()  # nothing left over from an interrupted run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


def drain(timeout=30):
    """Wait until the worker has run everything queued so far: one queue, one slot, in order."""
    assert lsp_tasks.clear_expired_sessions.delay().get(timeout=timeout) == 0


def certified(lsp, valid_until, logged=0):
    assessor = AssessorFactory(lsps=[lsp])
    issued = valid_until.replace(year=valid_until.year - 3)
    AssessorCertificateFactory(assessor=assessor, issued_on=issued, valid_until=valid_until)
    LogbookEntry.objects.bulk_create(
        LogbookEntry(
            assessor=assessor,
            date=issued + (n + 1) * 30 * DAY,
            lsp_name="LSP P1 SMK Lain",
            scheme_name="Skema Okupasi Teknisi Jaringan",
            asesi_count=10,
        )
        for n in range(logged)
    )
    return assessor


@pytest.fixture
def ran():
    """(task name, whether it ran in this test's own thread) of every task the worker starts."""
    seen = []

    def record(sender=None, **kwargs):
        seen.append((sender.name, threading.current_thread() is threading.main_thread()))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


@real
def test_the_worker_runs_the_check_and_each_flag_and_email_happens_once(worker, ran, mailoutbox):
    today = timezone.localdate()
    lsp = LspFactory()
    admin = lsp_admin(lsp, username="admin.worker")
    soon = certified(lsp, today + 25 * DAY)  # expiry 30, at risk
    lapsed = certified(lsp, today - 5 * DAY)  # expired, must retrain
    ready = certified(lsp, today + 80 * DAY, logged=6)  # expiry 90, eligible
    certified(lsp, today + 900 * DAY, logged=1)  # on track: nothing
    started = time.monotonic()

    result = tasks.check_assessors_daily.delay()
    assert not isinstance(result, EagerResult)
    summary = result.get(timeout=60)

    assert summary["date"] == today.isoformat()
    assert (summary["scanned"], summary["raised"]) == (4, 6)
    assert summary["by_reason"] == {
        "expiry:30": 1,
        "outcome:at_risk": 1,
        "expiry:expired": 1,
        "outcome:must_retrain": 1,
        "expiry:90": 1,
        "outcome:eligible": 1,
    }
    flags = AssessorFlag.objects.all()
    assert flags.count() == 6
    assert len(set(flags.values_list("certificate", "kind", "stage"))) == 6
    assert {f.assessor_id for f in flags} == {soon.pk, lapsed.pk, ready.pk}
    # The e-mails were queued after the commit, one task per flag, and sent by the worker.
    drain()
    assert not flags.filter(notified_at=None).exists()
    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert len(sent) == 6 * 2  # the assessor and their LSP's admin, per flag
    assert len(set(sent)) == len(sent)
    assert {to for to, _subject in sent} == {soon.email, lapsed.email, ready.email, admin.email}
    assert Notification.objects.filter(user=admin).count() == 6

    # A second run: nothing new raised, sent or notified.
    again = tasks.check_assessors_daily.delay().get(timeout=60)
    assert (again["raised"], again["by_reason"]) == (0, {})
    drain()
    assert AssessorFlag.objects.count() == 6
    assert len(mailoutbox) == 12
    assert Notification.objects.count() == 6
    # Everything ran in the worker's thread: two checks, one e-mail task per flag, two drains.
    assert not any(in_main for _name, in_main in ran)
    assert sorted(name for name, _in_main in ran) == sorted(
        [TASK] * 2 + ["assessors.tasks.send_flag_emails"] * 6 + [DRAIN] * 2
    )
    assert time.monotonic() - started < 30
