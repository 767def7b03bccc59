"""Celery tasks of the certificates app: they take ids and call the services.

`render_chunk` stores the PDFs of one chunk of an issue job (`services.jobs`). The certificates
that fail are retried, only they, with back-off (10, 20, 40 s); after the last try they are
reported on the job and the chunk's others are kept.

Each worker process warms the renderer when it starts (`certificates.pdf.warm`: the fonts loaded
and shaped, the stylesheets parsed, ~0.5 s), so that its first chunk does not pay for it.
"""

import logging

from celery import shared_task
from celery.signals import worker_process_init

from . import pdf
from .services import jobs

logger = logging.getLogger(__name__)


@worker_process_init.connect(dispatch_uid="certificates_warm_renderer")
def warm_renderer(**kwargs) -> None:
    """In each new worker process: what the first certificate would pay for, paid now."""
    try:
        pdf.warm()
    except Exception:  # a worker that cannot warm up still works: the first chunk pays
        logger.exception("Certificates: the PDF renderer could not be warmed")


@shared_task(bind=True, acks_late=True, max_retries=jobs.RETRIES)
def render_chunk(self, job_id: int, certificate_ids: list[int]) -> None:
    """Render, hash and store the PDFs of these certificates, counting them on the job."""
    attempt = self.request.retries
    while True:
        left = jobs.render_chunk(job_id, certificate_ids, last=attempt >= jobs.RETRIES)
        if not left:
            return
        if not self.request.is_eager:
            raise self.retry(args=[job_id, left], countdown=jobs.RETRY_BACKOFF * 2**attempt)
        # Run eagerly (no worker to come back later, and an eager retry would raise out of
        # the request): the retries run at once, in this call.
        attempt += 1
        certificate_ids = left
