"""Telling people about the daily check's flags: in-app notifications and e-mails.

`notify_flags(flag_ids)` runs inside `check_assessors`' transaction: it writes one `Notification`
per recipient and flag (the assessor's account and the admins of every LSP the assessor serves),
each in the recipient's language, and queues `send_flag_emails` per flag after the commit.
`deliver_flag_emails(flag_id)` is that task's work: one e-mail per address, then `notified_at`.
A flag whose e-mails never went out (mail server down past the last retry, broker down at the
commit) keeps `notified_at` empty: `requeue_unnotified()` (run by the daily task) queues it again.

What a message says is `describe(flag)`, in the active language; it reads only the flag and its
assessor (the flag carries the assessments done when it was raised), so any number of flags is
described with a fixed number of queries.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lsp.models import Notification, Role, User

from ..models import Assessor, AssessorFlag, Outcome

logger = logging.getLogger(__name__)

SOURCE = "assessorflag:%d"
TITLE_LENGTH = Notification._meta.get_field("title").max_length
CHUNK = 2000  # flags per round of queries (SQLite caps the parameters of one query)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _retrain() -> str:
    return _(
        "Next step: repeat the full assessor training and assessment to be registered as an "
        "assessor again."
    )


def _expiry_next_step(fmt: dict) -> str:
    if fmt["missing"] == 0:
        return (
            _(
                "Next step: register for RCC (recognition of current competency) before "
                "%(date)s: %(done)s of the %(threshold)s assessments required are done."
            )
            % fmt
        )
    return (
        ngettext(
            "Next step: %(missing)s more assessment is needed before %(date)s to renew by RCC "
            "(%(done)s of %(threshold)s done); otherwise the full assessor training and "
            "assessment must be repeated.",
            "Next step: %(missing)s more assessments are needed before %(date)s to renew by RCC "
            "(%(done)s of %(threshold)s done); otherwise the full assessor training and "
            "assessment must be repeated.",
            fmt["missing"],
        )
        % fmt
    )


def describe(flag: AssessorFlag) -> Message:
    """The title and body of a flag's notice, in the active language."""
    assessor = flag.assessor
    threshold = settings.RCC_THRESHOLD
    done = flag.assessments_done
    grace_end = flag.valid_until + datetime.timedelta(days=settings.RCC_GRACE_DAYS)
    fmt = {
        "name": assessor.full_name,
        "met": assessor.met_number,
        "date": _date(flag.valid_until),
        "grace_end": _date(grace_end),
        "days": max(0, (flag.valid_until - flag.raised_on).days),
        "done": done,
        "threshold": threshold,
        "missing": max(0, threshold - done),
    }
    expiry = flag.kind == AssessorFlag.Kind.EXPIRY
    if expiry and flag.stage != "expired":
        title = _("Assessor certificate of %(name)s expires on %(date)s") % fmt
        lead = (
            ngettext(
                "The BNSP assessor certificate of %(name)s (%(met)s) is valid until %(date)s: "
                "%(days)s day left.",
                "The BNSP assessor certificate of %(name)s (%(met)s) is valid until %(date)s: "
                "%(days)s days left.",
                fmt["days"],
            )
            % fmt
        )
        step = _expiry_next_step(fmt)
    elif expiry:
        title = _("Assessor certificate of %(name)s has expired") % fmt
        lead = (
            _(
                "The BNSP assessor certificate of %(name)s (%(met)s) expired on %(date)s: they "
                "may not be assigned to assessments held after that date."
            )
            % fmt
        )
        if fmt["missing"] == 0 and flag.raised_on <= grace_end:
            step = _("Next step: register for RCC before %(grace_end)s.") % fmt
        else:
            step = _retrain()
    elif flag.stage == Outcome.ELIGIBLE:
        title = _("%(name)s is eligible for RCC") % fmt
        lead = (
            _(
                "%(name)s (%(met)s) has done %(done)s of the %(threshold)s assessments required "
                "in the current certificate's validity, which ends on %(date)s."
            )
            % fmt
        )
        step = (
            _(
                "Next step: register for RCC (recognition of current competency) before "
                "%(date)s, to renew the certificate without repeating the training."
            )
            % fmt
        )
    elif flag.stage == Outcome.AT_RISK:
        title = (
            ngettext(
                "%(name)s: %(missing)s assessment missing for RCC",
                "%(name)s: %(missing)s assessments missing for RCC",
                fmt["missing"],
            )
            % fmt
        )
        lead = (
            ngettext(
                "%(name)s (%(met)s) has done %(done)s of the %(threshold)s assessments required "
                "for RCC, with %(days)s day left until the certificate expires on %(date)s.",
                "%(name)s (%(met)s) has done %(done)s of the %(threshold)s assessments required "
                "for RCC, with %(days)s days left until the certificate expires on %(date)s.",
                fmt["days"],
            )
            % fmt
        )
        step = (
            ngettext(
                "Next step: assess at least %(missing)s more time before %(date)s; otherwise the "
                "full assessor training and assessment must be repeated.",
                "Next step: assess at least %(missing)s more times before %(date)s; otherwise "
                "the full assessor training and assessment must be repeated.",
                fmt["missing"],
            )
            % fmt
        )
    else:  # must retrain
        title = _("%(name)s must retrain as an assessor") % fmt
        lead = (
            _(
                "The BNSP assessor certificate of %(name)s (%(met)s) expired on %(date)s and can "
                "no longer be renewed by RCC (%(done)s of %(threshold)s assessments done)."
            )
            % fmt
        )
        step = _retrain()
    return Message(title=title[:TITLE_LENGTH], body=f"{lead}\n\n{step}")


def _admins(assessor_ids) -> dict[int, list[User]]:
    """{assessor id: active admins of the LSPs they serve}: two queries."""
    through = Assessor.lsps.through.objects.filter(
        assessor_id__in=assessor_ids,
        lsp__roles__kind=Role.Kind.LSP_ADMIN,
        lsp__roles__user__is_active=True,
    ).values_list("assessor_id", "lsp__roles__user_id")
    pairs = set(through)
    users = User.objects.in_bulk({user_id for _assessor, user_id in pairs})
    admins: dict[int, list[User]] = {}
    for assessor_id, user_id in sorted(pairs):
        admins.setdefault(assessor_id, []).append(users[user_id])
    return admins


def _flags(flag_ids):
    return AssessorFlag.objects.filter(pk__in=flag_ids).select_related("assessor__user")


def _accounts(flag, admins) -> list[User]:
    """The users told about a flag: the assessor's own account and their LSPs' admins, once."""
    users = {}
    own = flag.assessor.user
    if own is not None and own.is_active:
        users[own.pk] = own
    for admin in admins.get(flag.assessor_id, ()):
        users.setdefault(admin.pk, admin)
    return list(users.values())


def _in_language(flag, language, cache) -> Message:
    key = (flag.pk, language)
    if key not in cache:
        with translation.override(language):
            cache[key] = describe(flag)
    return cache[key]


def notify_flags(flag_ids) -> None:
    """In-app notifications for new flags (none twice: one per user and flag), and their
    e-mails queued after the commit, one task per flag. A fixed number of queries per `CHUNK`
    flags (flags, admins, their accounts, the inserts)."""
    flag_ids = list(flag_ids)
    for start in range(0, len(flag_ids), CHUNK):
        _notify(flag_ids[start : start + CHUNK])


def _notify(flag_ids) -> None:
    flags = list(_flags(flag_ids))
    if not flags:
        return
    admins = _admins({f.assessor_id for f in flags})
    texts: dict = {}
    rows = []
    for flag in flags:
        url = reverse("assessor_detail", args=[flag.assessor_id])
        for user in _accounts(flag, admins):
            message = _in_language(flag, user.language, texts)
            rows.append(
                Notification(
                    user=user,
                    title=message.title,
                    body=message.body,
                    url=url,
                    source=SOURCE % flag.pk,
                )
            )
    Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    for flag in flags:
        # Robust: a broker that is down must not undo the check; the flag stays un-notified
        # and a later daily run queues it again (`requeue_unnotified`).
        transaction.on_commit(_queuer(flag.pk), robust=True)


def _queuer(flag_id: int):
    def queue():
        queue_emails(flag_id)

    return queue


def queue_emails(flag_id: int) -> None:
    from ..tasks import send_flag_emails

    send_flag_emails.delay(flag_id)


# --- e-mails --------------------------------------------------------------------------------------
def recipients(flag, admins) -> list[Recipient]:
    """One address each: the assessor's own (in their account's language, else Indonesian), then
    their LSPs' admins (each in their language)."""
    found: dict[str, Recipient] = {}
    assessor = flag.assessor
    own = assessor.user
    email = assessor.email or (own.email if own is not None else "")
    if email:
        language = own.language if own is not None else settings.LANGUAGE_CODE
        found[email.lower()] = Recipient(email, language, assessor.full_name)
    for admin in admins.get(flag.assessor_id, ()):
        if admin.email and admin.email.lower() not in found:
            found[admin.email.lower()] = Recipient(admin.email, admin.language, str(admin))
    return list(found.values())


def flag_email(flag, recipient: Recipient, texts, connection) -> mail.EmailMessage:
    message = _in_language(flag, recipient.language, texts)
    context = {
        "title": message.title,
        "body": message.body,
        "recipient_name": recipient.name,
        "assessor": flag.assessor,
        "link": settings.SITE_URL + reverse("assessor_detail", args=[flag.assessor_id]),
    }
    with translation.override(recipient.language):
        subject = render_to_string("assessors/email/flag_subject.txt", context)
        body = render_to_string("assessors/email/flag_body.txt", context)
    return mail.EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[recipient.email],
        connection=connection,
    )


def deliver_flag_emails(flag_id: int) -> int:
    """Send a flag's e-mails once; returns how many were sent (0 if already sent or gone).

    A mail server that fails raises (the task retries): `notified_at` stays empty until all the
    flag's e-mails went out."""
    flag = _flags([flag_id]).filter(notified_at=None).first()
    if flag is None:
        return 0
    admins = _admins([flag.assessor_id])
    connection = mail.get_connection(fail_silently=False)
    texts: dict = {}
    messages = [flag_email(flag, r, texts, connection) for r in recipients(flag, admins)]
    sent = connection.send_messages(messages) if messages else 0
    AssessorFlag.objects.filter(pk=flag.pk, notified_at=None).update(notified_at=timezone.now())
    return sent or 0


def requeue_unnotified(*, older_than=datetime.timedelta(days=1), limit=5000) -> int:
    """Queue again the e-mails of flags whose sending gave up (raised before `older_than`, so
    a task still retrying is left alone). Returns how many were queued."""
    stale = AssessorFlag.objects.filter(
        notified_at=None, created_at__lt=timezone.now() - older_than
    ).order_by("pk")
    queued = 0
    for flag_id in stale.values_list("pk", flat=True)[:limit]:
        try:
            queue_emails(flag_id)
        except Exception as error:  # broker down, or (run eagerly) the mail server still down
            logger.warning("E-mails of assessor flag %s not queued: %r", flag_id, error)
        else:
            queued += 1
    return queued
