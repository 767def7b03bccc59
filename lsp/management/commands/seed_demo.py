from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _


def demo_modules():
    """Each app's demo.py, in INSTALLED_APPS order: lower layers first, as they depend."""
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "demo")
    ]


class Command(BaseCommand):
    help = "Create (or refresh) the demo data of Kalimantan Timur. Refuses to run with DEBUG off."

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
        modules = demo_modules()
        today = timezone.localdate()
        try:
            with transaction.atomic():
                deleted = sum(m.delete_demo() for m in reversed(modules)) if reset else 0
                summaries = [m.build_demo(today=today) for m in modules]
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(
                _("Cannot reset: other records still use the demo data (%(error)s).")
                % {"error": error.args[0]}
            ) from error
        totals = ", ".join(f"{n} {name}" for s in summaries for name, n in s.totals.items())
        created = sum(s.created for s in summaries)
        changed = sum(s.changed for s in summaries)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {totals} "
                f"(created {created}, changed {changed}, deleted {deleted})."
            )
        )
        self._write_accounts([a for s in summaries for a in getattr(s, "accounts", [])])

    def _write_accounts(self, accounts):
        if not accounts:
            return
        width = max(len(a.username) for a in accounts)
        role_width = max(len(a.role) for a in accounts)
        self.stdout.write("")
        self.stdout.write(f"{'Username':<{width}}  {'Role':<{role_width}}  Password")
        for account in accounts:
            self.stdout.write(
                f"{account.username:<{width}}  {account.role:<{role_width}}  {account.password}"
            )
