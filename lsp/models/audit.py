from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..access import scope_of


class AuditedModel(models.Model):
    """Every create, update and delete of a subclass is written to the audit trail (lsp/audit.py).

    The values as loaded are kept so that an update records exactly which fields changed.
    """

    # Fields whose values never go into the trail (their change is still recorded).
    audit_secret_fields: tuple[str, ...] = ()
    # Fields not worth a trail entry of their own.
    audit_ignored_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def audit_scope(self) -> tuple[set[int], int | None]:
        """(ids of the LSPs whose admins see this change, id of the province)."""
        raise NotImplementedError


class AuditEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            pk__in=AuditEntry.lsps.through.objects.filter(lsp_id__in=scope.admin_lsp_ids).values(
                "auditentry_id"
            )
        )


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, models.SET_NULL, null=True, blank=True, verbose_name=_("record type")
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=255)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    lsps = models.ManyToManyField("lsp.Lsp", blank=True, related_name="+")
    province = models.ForeignKey(
        "lsp.Province", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"
