"""Expiry stages, and telling LSP admins ahead that their licence or a TUK's verification ends.

`expiry_stage(valid_until, on)` is the rule for every expiring thing (assessor certificates, LSP
licences, TUK verifications): the latest of "90", "60", "30" (settings.EXPIRY_FLAG_DAYS) reached,
or "expired" after the last valid day; `expiry_stage_sql(field, on)` is the same in SQL.

`notify_institution_expiries(on)` is run by the daily check: one in-app notification per admin,
thing, end date and stage (the unique `source` makes a rerun add none; a renewal has a new end
date, so it starts afresh), and one e-mail each, queued after the commit.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Value, When
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from .models import Lsp, Notification, Role, Tuk


def expiry_stage(valid_until: datetime.date | None, on: datetime.date) -> str | None:
    if valid_until is None:
        return None
    if valid_until < on:
        return "expired"
    for days in sorted(settings.EXPIRY_FLAG_DAYS):  # nearest first: the latest stage wins
        if valid_until <= on + datetime.timedelta(days=days):
            return str(days)
    return None


def expiry_stage_sql(field: str, on: datetime.date) -> Case:
    whens = [When(**{f"{field}__lt": on}, then=Value("expired"))]
    for days in sorted(settings.EXPIRY_FLAG_DAYS):
        whens.append(
            When(**{f"{field}__lte": on + datetime.timedelta(days=days)}, then=Value(str(days)))
        )
    return Case(*whens, default=None, output_field=CharField())


def _message(kind: str, name: str, until: datetime.date, stage: str) -> tuple[str, str]:
    date = formats.date_format(until)
    if kind == "licence":
        if stage == "expired":
            return (
                _("The LSP licence of %(name)s has expired") % {"name": name},
                _("The BNSP licence ended on %(date)s. Renew it before scheduling sessions.")
                % {"date": date},
            )
        return (
            _("The LSP licence of %(name)s ends in %(days)s days") % {"name": name, "days": stage},
            _("The BNSP licence is valid until %(date)s. Prepare the renewal (re-licensing).")
            % {"date": date},
        )
    if stage == "expired":
        return (
            _("The verification of %(name)s has expired") % {"name": name},
            _("The TUK was verified until %(date)s; it cannot host an assessment until it is "
              "verified again.") % {"date": date},
        )  # fmt: skip
    return (
        _("The verification of %(name)s ends in %(days)s days") % {"name": name, "days": stage},
        _("The TUK is verified until %(date)s. Plan its re-verification before the next "
          "session there.") % {"date": date},
    )  # fmt: skip


def _due(on: datetime.date) -> list[tuple[str, int, int, str, datetime.date, str, str]]:
    """(kind, object id, LSP id, name, end date, stage, url) of everything at a stage on `on`."""
    due = []
    lsps = (
        Lsp.objects.annotate(stage=expiry_stage_sql("licence_valid_until", on))
        .exclude(stage=None)
        .values_list("pk", "name", "licence_valid_until", "stage")
    )
    for pk, name, until, stage in lsps:
        due.append(("licence", pk, pk, name, until, stage, reverse("lsp_detail", args=[pk])))
    tuks = (
        Tuk.objects.annotate(stage=expiry_stage_sql("verified_until", on))
        .exclude(stage=None)
        .values_list("pk", "lsp_id", "name", "verified_until", "stage")
    )
    for pk, lsp_id, name, until, stage in tuks:
        due.append(("tuk", pk, lsp_id, name, until, stage, reverse("tuk_detail", args=[pk])))
    return due


def notify_institution_expiries(on: datetime.date) -> int:
    """In-app notifications (and e-mails) to the LSP admins; returns how many were new."""
    due = _due(on)
    if not due:
        return 0
    admins: dict[int, list] = {}
    roles = Role.objects.filter(
        kind=Role.Kind.LSP_ADMIN, lsp_id__in={d[2] for d in due}, user__is_active=True
    ).select_related("user")
    for role in roles:
        admins.setdefault(role.lsp_id, []).append(role.user)
    wanted = []
    for kind, pk, lsp_id, name, until, stage, url in due:
        source = f"{kind}:{pk}:{until.isoformat()}:{stage}"
        for user in admins.get(lsp_id, []):
            with translation.override(user.language):
                title, body = _message(kind, name, until, stage)
            wanted.append(
                Notification(user=user, title=title, body=body, url=url, source=source[:60])
            )
    existing = set(
        Notification.objects.filter(
            source__in={n.source for n in wanted}, user__in={n.user_id for n in wanted}
        ).values_list("user_id", "source")
    )
    new = [n for n in wanted if (n.user_id, n.source) not in existing]
    with transaction.atomic():
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    pairs = {(n.user_id, n.source) for n in new}
    rows = Notification.objects.filter(
        source__in={n.source for n in new}, user__in={n.user_id for n in new}
    ).values_list("pk", "user_id", "source")
    created = [pk for pk, user_id, source in rows if (user_id, source) in pairs]
    from .tasks import send_notification_email

    for pk in created:
        transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk), robust=True)
    return len(new)
