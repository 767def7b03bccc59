from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessorsConfig(AppConfig):
    name = "assessors"
    verbose_name = _("Assessors")

    def ready(self):
        from . import signals

        signals.connect()
