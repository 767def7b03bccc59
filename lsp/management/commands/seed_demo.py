from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from ...demo import build_demo


class Command(BaseCommand):
    help = "Create (or refresh) demo data for Kalimantan Timur: schools, LSP-P1s, TUKs, accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data first, then rebuild it."
        )

    def handle(self, *args, reset=False, **options):
        # Demo accounts share a known password: never let them reach a production database.
        if not settings.DEBUG and not getattr(settings, "SEED_DEMO_ALLOWED", False):
            raise CommandError(
                _(
                    "seed_demo creates accounts with a published password and runs only with "
                    "DEBUG on (or SEED_DEMO_ALLOWED = True in the settings)."
                )
            )
        try:
            summary = build_demo(today=timezone.localdate(), reset=reset)
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(
                _("Cannot reset: other records still use the demo data (%(error)s).")
                % {"error": error.args[0]}
            ) from error
        totals = ", ".join(f"{count} {name}" for name, count in summary.totals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {totals} "
                f"(created {summary.created}, changed {summary.changed}, "
                f"deleted {summary.deleted})."
            )
        )
        self._write_accounts(summary.accounts)

    def _write_accounts(self, accounts):
        width = max(len(a.username) for a in accounts)
        role_width = max(len(a.role) for a in accounts)
        self.stdout.write("")
        self.stdout.write(f"{'Username':<{width}}  {'Role':<{role_width}}  Password")
        for account in accounts:
            self.stdout.write(
                f"{account.username:<{width}}  {account.role:<{role_width}}  {account.password}"
            )
