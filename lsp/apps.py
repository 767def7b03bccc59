from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LspConfig(AppConfig):
    name = "lsp"
    verbose_name = _("Institutions and access")

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal handlers)
