import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def send_notification_email(notification_id: int) -> int:
    """E-mail an in-app notification to its user, once; retried while the mail server is down."""
    from .models import Notification

    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, emailed_at=None)
        .first()
    )
    if notification is None or not notification.user.email:
        return 0
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    body = f"{notification.body}\n\n{link}".strip()
    send_mail(notification.title, body, None, [notification.user.email])
    Notification.objects.filter(pk=notification.pk, emailed_at=None).update(
        emailed_at=timezone.now()
    )
    return 1
