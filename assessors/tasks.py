"""Celery tasks of the assessors app: they take ids and call the services.

`check_assessors_daily` is the beat entry (06:00 WITA); `send_flag_emails` sends one flag's
e-mails, retried with exponential back-off while the mail server is down.
"""

import smtplib

from celery import shared_task
from django.utils import timezone

from lsp.expiries import notify_institution_expiries

from .services import notices
from .services.checks import check_assessors

# What a mail server that is down or unreachable raises (SMTPException is an OSError too).
MAIL_SERVER_DOWN = (smtplib.SMTPException, ConnectionError, OSError)


@shared_task(
    bind=True,
    autoretry_for=MAIL_SERVER_DOWN,
    retry_backoff=60,  # 1, 2, 4 … minutes (with jitter), at most an hour apart
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_flag_emails(self, flag_id: int) -> int:
    """E-mail a flag to the assessor and their LSPs' admins, once; returns the e-mails sent.

    The flag stays un-notified until this succeeds; after the last retry the daily task queues it
    again (`notices.requeue_unnotified`)."""
    return notices.deliver_flag_emails(flag_id)


@shared_task
def check_assessors_daily() -> dict:
    """The daily check for today (WITA): raise the due flags, tell the people concerned."""
    on = timezone.localdate()
    result = check_assessors(on)
    requeued = notices.requeue_unnotified()
    institutions = notify_institution_expiries(on)  # LSP licences and TUK verifications
    return {
        "date": on.isoformat(),
        "scanned": result.scanned,
        "raised": result.total,
        "by_reason": dict(result.raised),
        "emails_requeued": requeued,
        "institution_notices": institutions,
    }
