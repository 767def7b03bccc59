"""`python manage.py check_assessors [--date YYYY-MM-DD] [--no-notify]`: the daily check by hand.

The same service as the Celery beat entry (`assessors.tasks.check_assessors_daily`): raises the
flags due on the date, once each, and prints what it raised per kind and stage.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from assessors.models import AssessorFlag
from assessors.services.checks import ACTIONABLE, check_assessors


def stages() -> list[tuple[str, str]]:
    """Every (kind, stage) the check raises, in the order a reader expects: soonest last."""
    expiry = [str(days) for days in sorted(settings.EXPIRY_FLAG_DAYS, reverse=True)]
    return [(AssessorFlag.Kind.EXPIRY, stage) for stage in [*expiry, "expired"]] + [
        (AssessorFlag.Kind.OUTCOME, str(outcome)) for outcome in ACTIONABLE
    ]


def label(kind: str, stage: str) -> str:
    flag = AssessorFlag(kind=kind, stage=stage)
    return f"{AssessorFlag.Kind(kind).label}: {flag.get_stage_display()}"


def parse_date(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Invalid date “%(value)s”: write it as YYYY-MM-DD, e.g. 2025-06-30.")
            % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Check every assessor's certificate and recognition (RCC) on a date, raise the due "
        "flags once and notify the people concerned. The daily Celery job runs the same check."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="The date to check, YYYY-MM-DD (default: today, in the site's zone)."
        )
        parser.add_argument(
            "--no-notify",
            action="store_true",
            help="Raise the flags without sending e-mails or notifications.",
        )

    def handle(self, *args, date=None, no_notify=False, **options):
        on = parse_date(date)
        result = check_assessors(on, notify=not no_notify)
        self.stdout.write(
            _("Assessor check for %(date)s: %(scanned)s assessors scanned.")
            % {"date": on.isoformat(), "scanned": result.scanned}
        )
        known = stages()
        lines = [
            (label(kind, stage), result.raised.get(f"{kind}:{stage}", 0)) for kind, stage in known
        ]
        # Anything the service raised that this list does not know (a new setting) still shows.
        keys = {f"{kind}:{stage}" for kind, stage in known}
        lines += [(key, n) for key, n in sorted(result.raised.items()) if key not in keys]
        for text, n in lines:
            self.stdout.write(f"  {text}: {n}")
        total = _("Flags raised: %(total)s.") % {"total": result.total}
        if no_notify:
            total += " " + _("No one was notified (--no-notify).")
        elif result.total:
            total += " " + _("E-mails and notifications are on their way.")
        self.stdout.write(self.style.SUCCESS(total))
