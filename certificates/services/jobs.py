"""Issuing a session in bulk: numbers in the request, PDFs in Celery, progress in an IssueJob.

`start_issue(user, session)` issues the session (`issue_session`: numbered rows, no PDFs, fast)
and creates a job for the session's valid certificates still without a PDF. After the commit the
job's certificates go to the workers in chunks, a Celery group of `render_chunk` tasks: each chunk
is one rendering batch (what its certificates share is read once), each certificate stored by
`rendering.store_pdf` (render, SHA-256, save) and counted on the job with an F() expression, so
parallel chunks never lose a count. A certificate that fails is retried (the task retries with
back-off, with only the failed ones); after the last try it is counted as failed, with its number
and the message in `errors`, and the chunk's others are kept.

There is no result backend (CELERY_RESULT_BACKEND is None), so no chord: the chunk that brings
done + failed up to the total closes the job, with one conditional UPDATE that only one chunk can
win. (A chunk redelivered after its worker died counts again what it had stored: the page stops
at 100 %, and the job may close a little before the last chunk ends.) Running the issue again
starts a job for what is still missing; a session has one job under way at a time (a job still
unfinished STALE_AFTER after it started is closed as interrupted first).

Without Redis the tasks run eagerly, inline in the request, and the same code finishes the job.
"""

import datetime
import logging
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from assessments.models import AssessmentSession

from ..models import Certificate, IssueJob
from . import rendering
from .issuing import issue_session

logger = logging.getLogger(__name__)

CHUNK_SIZE = 25  # certificates per task: big enough to reuse the scheme's and LSP's parts
MIN_CHUNK_SIZE = 5
MIN_CHUNKS = 4  # a small session still spreads over the worker's processes
RETRIES = 3  # after the first try
RETRY_BACKOFF = 10  # seconds before the first retry; doubled each time
STALE_AFTER = datetime.timedelta(minutes=15)
ERROR_LENGTH = 300

ACTIVE = (IssueJob.Status.QUEUED, IssueJob.Status.RUNNING)
FINISHED = (IssueJob.Status.DONE, IssueJob.Status.FAILED)


# --- What a job works on --------------------------------------------------------------------------
def printable(session: AssessmentSession):
    """The session's certificates that are printed: the valid ones (not revoked or replaced)."""
    return Certificate.objects.filter(session=session, status=Certificate.Status.VALID)


def missing(session: AssessmentSession):
    """The session's valid certificates without a stored PDF, in number order."""
    return printable(session).filter(pdf="").order_by("year", "sequence")


def rendered(session: AssessmentSession):
    return printable(session).exclude(pdf="").order_by("year", "sequence")


def chunks(ids: list[int]) -> list[list[int]]:
    size = min(CHUNK_SIZE, max(MIN_CHUNK_SIZE, math.ceil(len(ids) / MIN_CHUNKS)))
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def latest_job(session: AssessmentSession) -> IssueJob | None:
    return session.issue_jobs.order_by("-created_at", "-pk").first()


# --- Starting -------------------------------------------------------------------------------------
def start_issue(user, session: AssessmentSession) -> IssueJob:
    """Issue the session's certificates and queue the PDFs still missing; returns the job.

    Raises Refused (from `issue_session`) when the user may not issue or the session is not
    decided. While a job of the session is under way, that job is returned and nothing is queued.
    """
    with transaction.atomic():
        # One starter at a time per session: the second waits here, then finds the numbers given
        # and the first's job under way.
        AssessmentSession.objects.select_for_update().filter(pk=session.pk).first()
        issue_session(user, session)
        close_stale(session)
        active = session.issue_jobs.filter(status__in=ACTIVE).order_by("-created_at").first()
        if active:
            return active
        ids = list(missing(session).values_list("pk", flat=True))
        job = IssueJob.objects.create(session=session, created_by=user, total=len(ids))
        if ids:
            transaction.on_commit(lambda: launch(job.pk, ids))
        else:  # nothing to render: done at once
            finish_if_complete(job.pk)
            job.refresh_from_db()
    return job


def launch(job_id: int, ids: list[int]) -> None:
    """Send the job's chunks to the workers (inline when Celery runs eagerly).

    If they cannot be sent (the broker is down) the job is closed as failed, with the reason, so
    the page does not wait forever; the certificates are numbered and "finish what is missing"
    sends them again later."""
    from celery import group

    from ..tasks import render_chunk

    try:
        group(render_chunk.s(job_id, chunk) for chunk in chunks(ids)).apply_async()
    except Exception as error:
        logger.exception("Issue job %s: the rendering could not be started", job_id)
        IssueJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
            status=IssueJob.Status.FAILED,
            finished_at=timezone.now(),
            errors=[{"certificate": None, "number": "", "message": _message(error)}],
        )


def close_stale(session: AssessmentSession) -> int:
    """Close the session's jobs that have not finished long after they started (a lost worker)."""
    cutoff = timezone.now() - STALE_AFTER
    return session.issue_jobs.filter(status__in=ACTIVE, created_at__lt=cutoff).update(
        status=IssueJob.Status.FAILED, finished_at=timezone.now()
    )


# --- The work of one chunk ------------------------------------------------------------------------
def render_chunk(job_id: int, certificate_ids: Iterable[int], *, last: bool) -> list[int]:
    """Store the PDFs of these certificates; returns the ids that failed and should be retried.

    The chunk is one rendering batch (`rendering.Batch`: fonts, stylesheets, the design's template
    and the LSP's images read once, the back laid out once), rendered with the garbage collector
    quieted (`rendering.collector_quieted`), each certificate stored by `rendering.store_pdf` and
    counted on the job as it is done. On the last try (`last`) the failures are recorded on the job
    instead, and none is returned.
    """
    IssueJob.objects.filter(pk=job_id, status=IssueJob.Status.QUEUED).update(
        status=IssueJob.Status.RUNNING
    )
    certificates = rendering.batch_queryset().filter(pk__in=list(certificate_ids))
    failures: list[tuple[Certificate, Exception]] = []
    try:
        batch = rendering.Batch()
    except Exception as error:  # nothing of this chunk can be rendered
        logger.exception("Issue job %s: the chunk's batch could not be set up", job_id)
        failures = [(c, error) for c in certificates if not c.pdf]
    else:
        # The loaded objects left out of the collector's full passes while the chunk renders.
        with rendering.collector_quieted():
            for certificate in certificates.order_by("year", "sequence"):
                # A certificate already stored (on demand, or by this chunk delivered twice)
                # counts.
                if not certificate.pdf:
                    try:
                        rendering.store_pdf(certificate, batch=batch)
                    except Exception as error:  # reported on the job; the others go on
                        failures.append((certificate, error))
                        continue
                IssueJob.objects.filter(pk=job_id).update(done=F("done") + 1)
    if failures and not last:
        return [certificate.pk for certificate, _error in failures]
    if failures:
        record_failures(job_id, failures)
    finish_if_complete(job_id)
    return []


def _message(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:ERROR_LENGTH]


def record_failures(job_id: int, failures: list[tuple[Certificate, Exception]]) -> None:
    errors = [
        {
            "certificate": certificate.pk,
            "number": certificate.number,
            "message": _message(error),
        }
        for certificate, error in failures
    ]
    with transaction.atomic():
        job = IssueJob.objects.select_for_update().get(pk=job_id)
        job.errors = [*job.errors, *errors]
        job.failed = F("failed") + len(errors)
        job.save(update_fields=["errors", "failed"])


def finish_if_complete(job_id: int) -> bool:
    """Close the job once every certificate is counted: done, or failed if any failed."""
    return bool(
        IssueJob.objects.filter(
            pk=job_id, status__in=ACTIVE, total__lte=F("done") + F("failed")
        ).update(
            status=Case(
                When(failed=0, then=Value(IssueJob.Status.DONE)),
                default=Value(IssueJob.Status.FAILED),
            ),
            finished_at=timezone.now(),
        )
    )


# --- Downloads ------------------------------------------------------------------------------------
def file_name(certificate: Certificate) -> str:
    """The certificate number, safe as a file name: "62019_3512_2_0000001_2026.pdf"."""
    return re.sub(r"[^\w.-]+", "_", certificate.number).strip("_") + ".pdf"


class _Sink:
    """Where zipfile writes: the bytes are handed out as they come (no seeking needed)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(certificates: Iterable[Certificate]) -> Iterator[bytes]:
    """A ZIP of the stored PDFs, one file per certificate, produced while it is sent."""
    sink = _Sink()
    seen: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            name = file_name(certificate)
            if name in seen:  # two numbers that differ only in punctuation
                name = f"{name[:-4]}_{certificate.pk}.pdf"
            seen.add(name)
            with certificate.pdf.open("rb") as source, archive.open(name, "w") as target:
                shutil.copyfileobj(source, target, 256 * 1024)
            yield sink.take()
    yield sink.take()


def merged_pdf(certificates: Iterable[Certificate]):
    """One PDF of every certificate's pages, in number order, for printing (a temporary file)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for certificate in certificates:
        with certificate.pdf.open("rb") as source:
            writer.append(source)
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    writer.write(out)
    writer.close()
    out.seek(0)
    return out
