"""Personal API tokens: a user makes one on their tokens page, sees its secret once, revokes it.

Only the SHA-256 of the secret is stored; a request authenticates with
`Authorization: Bearer <secret>` and then acts as the token's user, with the user's roles (an LSP
admin's token sees that LSP, a Disdikbud viewer's token reads its province).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.models import AuditedModel

PREFIX = "kpt_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's own tokens: nobody else, not even their LSP's admin, sees or revokes them."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def editable_by(self, user):
        return self.for_user(user)

    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(AuditedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. Dapodik sync.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, shown on the tokens page to tell tokens apart.
    key_prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    audit_secret_fields = ("key_hash",)
    audit_ignored_fields = ("last_used", "created_at")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_active_name_once",
                violation_error_message=_("You already have an active token with this name."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def audit_scope(self):
        lsp_ids = set(self.user.roles.exclude(lsp=None).values_list("lsp_id", flat=True))
        return lsp_ids, None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """A new token and its secret: the secret is returned once and never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_secret(secret), key_prefix=secret[:10]
        )
        return token, secret

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
