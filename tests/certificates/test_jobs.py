"""Bulk issuance: numbers in the request, PDFs by Celery in chunks, the progress page, downloads.

Celery runs eagerly here (tests/settings.py), so the job's work runs inline when the request's
transaction commits (`django_capture_on_commit_callbacks(execute=True)` stands for the commit).
"""

import datetime
import hashlib
import io
import time
import zipfile

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import AssessmentSession, Verdict
from certificates.models import Certificate, IssueJob
from certificates.services import jobs, rendering
from tests import factories

pytestmark = pytest.mark.django_db

DECIDED_AT = datetime.datetime(2026, 8, 1, 2, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """PDFs in this test's own folder: other test runs clean the shared one when they end."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def decided(lsp_a):
    """A decided session of LSP A: three K, one BK."""
    session = factories.SessionFactory(
        lsp=lsp_a, status=AssessmentSession.Status.DECIDED, decided_at=DECIDED_AT
    )
    session.scheme.kbli_code, session.scheme.kbji_code = "62019", "3512"
    session.scheme.save()
    session.scheme.units.add(
        factories.UnitFactory(lsp=lsp_a, title="Memasang Jaringan Kabel"),
        factories.UnitFactory(lsp=lsp_a, title="Mengonfigurasi Router"),
    )
    for n, decision in enumerate([Verdict.K, Verdict.K, Verdict.BK, Verdict.K]):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=f"Asesi {n}",
            decision=decision,
            decided_at=DECIDED_AT,
        )
    return session


@pytest.fixture
def stores(monkeypatch):
    """`rendering.store_pdf`, recording the id of each certificate it is called for; those in
    `stores.fail` (by id or name) raise instead."""
    calls, fail = [], set()
    store = rendering.store_pdf

    def spy(certificate, **kwargs):
        calls.append(certificate.pk)
        if certificate.pk in fail or certificate.holder_name in fail:
            raise RuntimeError(f"the renderer broke on {certificate.holder_name}")
        return store(certificate, **kwargs)

    monkeypatch.setattr(rendering, "store_pdf", spy)
    spy.calls, spy.fail = calls, fail
    return spy


def issue(client, session, capture):
    with capture(execute=True):
        response = client.post(reverse("session_issue", args=[session.pk]))
    assert response.status_code == 302
    job = IssueJob.objects.order_by("-pk").first()
    assert response.url == reverse("issue_job", args=[job.pk])
    return job


def progress(client, job):
    return client.get(reverse("issue_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")


# --- The job --------------------------------------------------------------------------------------
def test_the_job_renders_every_certificate_once(
    client, admin_a, decided, stores, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    certificates = list(Certificate.objects.filter(session=decided).order_by("sequence"))
    assert [c.holder_name for c in certificates] == ["Asesi 0", "Asesi 1", "Asesi 3"]  # no BK
    assert (job.status, job.total, job.done, job.failed, job.errors) == ("done", 3, 3, 0, [])
    assert job.created_by == admin_a and job.finished_at is not None
    assert sorted(stores.calls) == sorted(c.pk for c in certificates)  # each once
    for certificate in certificates:
        assert certificate.pdf and len(certificate.sha256) == 64
        with certificate.pdf.open("rb") as stored:
            content = stored.read()
        assert hashlib.sha256(content).hexdigest() == certificate.sha256
        assert certificate.number in PdfReader(io.BytesIO(content)).pages[0].extract_text()

    # Again: nothing new to number or render; the job is done at once.
    again = issue(client, decided, django_capture_on_commit_callbacks)
    assert (again.status, again.total, again.done) == ("done", 0, 0)
    assert len(stores.calls) == 3
    assert Certificate.objects.filter(session=decided).count() == 3


def test_the_progress_fragment_polls_until_the_job_is_finished(
    client, admin_a, decided, django_assert_max_num_queries
):
    client.force_login(admin_a)
    job = IssueJob.objects.create(session=decided, status="running", total=3, done=1)
    page = client.get(reverse("issue_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="33"' in page
    fragment = progress(client, job).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'data-testid="progress-done">1 / 3<' in fragment
    assert "download-zip" not in fragment

    IssueJob.objects.filter(pk=job.pk).update(done=3, status="done")
    with django_assert_max_num_queries(7):  # the login, the roles, the job, the two counts
        fragment = progress(client, job).content.decode()
    assert 'aria-valuenow="100"' in fragment and 'data-testid="progress-done">3 / 3<' in fragment
    assert "hx-trigger" not in fragment  # finished: htmx asks no more


def test_the_finished_job_offers_the_downloads_and_a_reload_shows_it(
    client, admin_a, decided, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    page = client.get(reverse("issue_job", args=[job.pk])).content.decode()
    assert 'aria-valuenow="100"' in page and 'data-testid="progress-done">3 / 3<' in page
    assert 'data-testid="download-zip"' in page and 'data-testid="download-merged"' in page
    assert "finish-missing" not in page and "every 1s" not in page


def test_a_failing_certificate_is_retried_reported_and_the_others_kept(
    client, admin_a, decided, stores, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    first = issue(client, decided, django_capture_on_commit_callbacks)
    # That rendered everything: start over with no PDFs and one certificate that breaks.
    certificates = list(Certificate.objects.filter(session=decided).order_by("sequence"))
    Certificate.objects.filter(session=decided).update(pdf="", sha256="")
    broken = certificates[1]
    stores.fail.add(broken.pk)
    stores.calls.clear()

    job = issue(client, decided, django_capture_on_commit_callbacks)
    assert job.pk != first.pk
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.failed) == ("failed", 3, 2, 1)
    assert job.errors == [
        {
            "certificate": broken.pk,
            "number": broken.number,
            "message": "the renderer broke on Asesi 1",
        }
    ]
    assert stores.calls.count(broken.pk) == 1 + jobs.RETRIES  # tried, then retried 3 times
    rendered = Certificate.objects.filter(session=decided).exclude(pdf="")
    assert set(rendered.values_list("pk", flat=True)) == {certificates[0].pk, certificates[2].pk}
    fragment = progress(client, job).content.decode()
    assert broken.number in fragment and "the renderer broke" in fragment
    assert 'data-testid="finish-missing"' in fragment and "hx-trigger" not in fragment
    assert 'data-testid="download-zip"' in fragment  # what was rendered can be had already

    # Mended: "finish what is missing" renders only that one.
    stores.fail.clear()
    stores.calls.clear()
    rerun = issue(client, decided, django_capture_on_commit_callbacks)
    rerun.refresh_from_db()
    assert (rerun.status, rerun.total, rerun.done, rerun.failed) == ("done", 1, 1, 0)
    assert stores.calls == [broken.pk]
    assert not Certificate.objects.filter(session=decided, pdf="").exists()


def test_a_chunk_that_cannot_start_fails_its_certificates_not_the_request(
    client, admin_a, decided, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_batch():
        raise OSError("fonts missing")

    monkeypatch.setattr(rendering, "Batch", broken_batch)
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("failed", 0, 3)
    assert {e["message"] for e in job.errors} == {"fonts missing"}
    assert len(job.errors) == 3


def test_a_broker_that_is_down_fails_the_job_with_the_reason(
    client, admin_a, decided, monkeypatch, django_capture_on_commit_callbacks
):
    from celery import group

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to redis:6379")

    monkeypatch.setattr(group, "apply_async", down)
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("failed", 0, 0)
    assert job.errors[0]["message"] == "Error 111 connecting to redis:6379"
    fragment = progress(client, job).content.decode()
    assert "could not be started" in fragment and 'data-testid="finish-missing"' in fragment
    assert Certificate.objects.filter(session=decided).count() == 3  # numbered all the same


def test_a_chunk_delivered_twice_renders_nothing_again(admin_a, decided, stores):
    from certificates.services.issuing import issue_session

    ids = [c.pk for c in issue_session(admin_a, decided)]
    job = IssueJob.objects.create(session=decided, total=3)
    assert jobs.render_chunk(job.pk, ids[:2], last=False) == []
    assert jobs.render_chunk(job.pk, ids, last=False) == []  # the first two again, with the third
    job.refresh_from_db()
    assert sorted(stores.calls) == sorted(ids)
    assert job.status == "done" and job.done >= job.total


def test_a_chunk_renders_with_the_collector_quieted(admin_a, decided, stores, monkeypatch):
    """While a chunk renders, the loaded objects are out of the collector's full passes; they
    are handed back when the chunk ends, even when a certificate failed."""
    import gc

    from certificates.services.issuing import issue_session

    frozen = []
    monkeypatch.setattr(
        rendering.pdf.Batch,
        "render",
        lambda self, certificate: frozen.append(gc.get_freeze_count()) or b"%PDF-1.7 stub",
    )
    ids = [c.pk for c in issue_session(admin_a, decided)]
    stores.fail.add(ids[1])
    job = IssueJob.objects.create(session=decided, total=3)
    before = gc.get_freeze_count()
    assert jobs.render_chunk(job.pk, ids, last=False) == [ids[1]]
    assert len(frozen) == 2 and all(count > before for count in frozen)
    assert gc.get_freeze_count() == before


def test_each_worker_process_warms_the_renderer_when_it_starts(monkeypatch):
    from celery.signals import worker_process_init

    from certificates import pdf, tasks

    warmed = []
    monkeypatch.setattr(pdf, "warm", lambda: warmed.append(True))
    worker_process_init.send(sender=None)
    assert warmed == [True]

    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "warm", broken)
    tasks.warm_renderer()  # logged; the worker process still starts


def test_the_work_is_split_into_chunks():
    assert jobs.chunks([]) == []
    assert jobs.chunks(list(range(3))) == [[0, 1, 2]]
    assert [len(c) for c in jobs.chunks(list(range(40)))] == [10, 10, 10, 10]  # 4 processes' worth
    sizes = [len(c) for c in jobs.chunks(list(range(1000)))]
    assert sizes == [25] * 40


def test_one_job_under_way_per_session(
    client, admin_a, decided, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    running = IssueJob.objects.create(session=decided, status="running", total=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("session_issue", args=[decided.pk]))
    assert response.url == reverse("issue_job", args=[running.pk])
    assert IssueJob.objects.count() == 1
    assert Certificate.objects.filter(session=decided).count() == 3  # numbered, not rendered
    assert not Certificate.objects.exclude(pdf="").exists()
    # A job that has not finished long after it started (a lost worker) no longer blocks.
    IssueJob.objects.filter(pk=running.pk).update(
        created_at=timezone.now() - jobs.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    job = issue(client, decided, django_capture_on_commit_callbacks)
    assert job.pk != running.pk
    running.refresh_from_db()
    assert running.status == "failed" and job.status == "done"


def test_issuing_waits_for_the_decision(client, admin_a, decided):
    client.force_login(admin_a)
    decided.status = AssessmentSession.Status.AWAITING_DECISION
    decided.save()
    response = client.post(reverse("session_issue", args=[decided.pk]), follow=True)
    assert response.redirect_chain[-1][0] == decided.get_absolute_url()
    assert "after the certification decision" in response.content.decode()
    assert not Certificate.objects.exists() and not IssueJob.objects.exists()


# --- Downloads ------------------------------------------------------------------------------------
def test_the_zip_holds_one_pdf_per_certificate_named_by_its_number(
    client, admin_a, decided, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    response = client.get(reverse("issue_job_zip", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="sertifikat-{decided.code}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    certificates = Certificate.objects.filter(session=decided).order_by("sequence")
    assert archive.namelist() == [c.number.replace(" ", "_") + ".pdf" for c in certificates]
    for certificate in certificates:
        content = archive.read(certificate.number.replace(" ", "_") + ".pdf")
        assert hashlib.sha256(content).hexdigest() == certificate.sha256


def test_the_merged_pdf_has_both_pages_of_every_certificate(
    client, admin_a, decided, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    job = issue(client, decided, django_capture_on_commit_callbacks)
    response = client.get(reverse("issue_job_merged", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) == 2 * 3
    fronts = [reader.pages[n].extract_text() for n in (0, 2, 4)]
    numbers = Certificate.objects.filter(session=decided).order_by("sequence")
    assert all(c.number in front for c, front in zip(numbers, fronts, strict=True))


def test_downloads_wait_for_the_job(client, admin_a, decided):
    client.force_login(admin_a)
    job = IssueJob.objects.create(session=decided, status="running", total=3)
    assert client.get(reverse("issue_job_zip", args=[job.pk])).status_code == 404
    assert client.get(reverse("issue_job_merged", args=[job.pk])).status_code == 404


# --- Access ---------------------------------------------------------------------------------------
JOB_PAGES = ("issue_job", "issue_job_progress", "issue_job_zip", "issue_job_merged")


def test_only_the_lsp_admins_issue_and_follow_the_job(
    client, decided, admin_b, viewer_kaltim, django_capture_on_commit_callbacks
):
    job = IssueJob.objects.create(session=decided, status="done", total=0)
    issue_url = reverse("session_issue", args=[decided.pk])
    # Anonymous: to the login page.
    for name in JOB_PAGES:
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 302 and "/masuk/" in response.url, name
    assert "/masuk/" in client.post(issue_url).url
    # Another LSP's admin: not found.
    client.force_login(admin_b)
    for name in JOB_PAGES:
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.post(issue_url).status_code == 404
    assert client.get(reverse("session_certificates", args=[decided.pk])).status_code == 404
    # The province's Disdikbud viewer sees the session, read-only: refused.
    client.force_login(viewer_kaltim)
    for name in JOB_PAGES:
        assert client.get(reverse(name, args=[job.pk])).status_code == 403, name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(issue_url).status_code == 403
    assert client.get(issue_url).status_code == 405
    panel = client.get(reverse("session_certificates", args=[decided.pk]), HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "issue-certificates" not in panel.content.decode()
    assert not Certificate.objects.exists() and IssueJob.objects.count() == 1


# --- The session page -----------------------------------------------------------------------------
def test_the_session_page_offers_to_issue_after_the_decision(
    client, admin_a, decided, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.force_login(admin_a)
    page = client.get(decided.get_absolute_url()).content.decode()
    assert reverse("session_certificates", args=[decided.pk]) in page
    url = reverse("session_certificates", args=[decided.pk])
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="certificates-issued">0<' in panel
    assert 'data-testid="competent-asesi">3<' in panel
    assert 'data-testid="issue-certificates"' in panel and "Issue certificates" in panel

    job = issue(client, decided, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12):
        panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="certificates-issued">3<' in panel
    assert 'data-testid="competent-asesi">3<' in panel
    assert "issue-certificates" not in panel  # nothing left to do
    assert reverse("issue_job", args=[job.pk]) in panel
    # Without htmx the panel is a page of its own.
    assert "<html" in client.get(url).content.decode()


def test_no_panel_before_the_decision(client, admin_a, decided):
    client.force_login(admin_a)
    decided.status = AssessmentSession.Status.AWAITING_DECISION
    decided.save()
    page = client.get(decided.get_absolute_url()).content.decode()
    assert reverse("session_certificates", args=[decided.pk]) not in page
    panel = client.get(
        reverse("session_certificates", args=[decided.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "issue-certificates" not in panel


# --- The real worker ------------------------------------------------------------------------------
REDIS = bool(settings.REDIS_URL) and settings.REDIS_URL.startswith(("redis://", "rediss://"))
POSTGRES = connection.vendor == "postgresql"
real = pytest.mark.skipif(
    not (REDIS and POSTGRES), reason="needs REDIS_URL and PostgreSQL (DATABASE_URL), as in CI"
)


@pytest.fixture
def worker(transactional_db, monkeypatch, settings):
    """A real worker (solo pool, in a thread) consuming from Redis, configured as in production:
    no result backend (the job record is the result). Stopped at the end of the test."""
    from celery.contrib.testing.worker import start_worker

    from lsp.celery import app
    from tests.assessors.test_worker import reference_data

    reference_data()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    app.loader.import_default_modules()
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as w:
        yield w


def finished(job, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in jobs.FINISHED:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} ({job.done}/{job.total})")


@real
@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_a_job_in_chunks_and_retries_a_failure(worker, stores, monkeypatch):
    lsp = factories.LspFactory()
    admin = factories.lsp_admin(lsp)
    session = factories.SessionFactory(lsp=lsp, status=AssessmentSession.Status.DECIDED)
    session.scheme.units.add(factories.UnitFactory(lsp=lsp))
    for n in range(12):
        factories.EnrolmentFactory(
            session=session, candidate__full_name=f"Asesi {n:02d}", decision=Verdict.K,
            decided_at=DECIDED_AT,
        )  # fmt: skip
    monkeypatch.setattr(jobs, "RETRY_BACKOFF", 0)  # the worker's thread sees it too
    stores.fail.add("Asesi 05")
    started = time.monotonic()

    job = jobs.start_issue(admin, session)  # commits: the chunks go to Redis
    assert job.total == 12 and len(jobs.chunks(list(range(12)))) == 3
    job = finished(job)
    broken = Certificate.objects.get(session=session, holder_name="Asesi 05")
    assert (job.status, job.done, job.failed) == ("failed", 11, 1)
    assert [e["number"] for e in job.errors] == [broken.number]
    assert stores.calls.count(broken.pk) == 1 + jobs.RETRIES  # retried by the worker
    assert len(stores.calls) == 11 + 1 + jobs.RETRIES

    stores.fail.clear()
    job = finished(jobs.start_issue(admin, session))
    assert (job.total, job.done) == (1, 1)
    assert job.status == "done"
    assert not Certificate.objects.filter(session=session, pdf="").exists()
    assert all(len(c.sha256) == 64 for c in Certificate.objects.filter(session=session))
    assert time.monotonic() - started < 60
