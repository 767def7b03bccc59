from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..access import scope_of


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """A batch holds the uploaded rows (students' personal data): only its LSP's admins."""
        scope = scope_of(user)
        return self if scope.superuser else self.filter(lsp_id__in=scope.admin_lsp_ids)

    editable_by = for_user


class ImportBatch(models.Model):
    """An uploaded spreadsheet, parsed and checked, waiting to be committed all or nothing.

    The preview and the commit read the same stored rows, so what the admin saw is what is
    written; a batch is committed at most once.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("previewed")
        COMMITTED = "committed", _("committed")

    kind = models.CharField(_("kind"), max_length=30)
    lsp = models.ForeignKey("lsp.Lsp", models.CASCADE, related_name="+", verbose_name=_("LSP"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    # What the rows are imported into, e.g. {"school": 12} or {"scheme": 3}.
    target = models.JSONField(default=dict)
    # [{"number": 5, "values": {...}, "errors": {"field": "message"}, "action": "create"}, ...]
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list, help_text="Errors about the whole file.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    committed_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["lsp", "kind", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.filename}"

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.get("errors") for row in self.rows)
