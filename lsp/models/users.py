from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..access import scope_of
from .audit import AuditedModel
from .geo import Province
from .institutions import Lsp


class UserQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        if scope.is_empty:
            return self.filter(pk=user.pk) if user.is_authenticated else self.none()
        roles = Role.objects.filter(
            Q(lsp_id__in=scope.admin_lsp_ids)
            | Q(lsp__province_id__in=scope.viewer_province_ids)
            | Q(province_id__in=scope.viewer_province_ids)
        )
        return self.filter(Q(pk__in=roles.values("user_id")) | Q(pk=user.pk))

    def editable_by(self, user):
        """Users an LSP admin may change: only those whose every role lies within their LSPs.

        So no admin can take over an account that also works for another LSP or province.
        """
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not scope.admin_lsp_ids:
            return self.none()
        outside = Role.objects.filter(
            Q(lsp__isnull=True) | ~Q(lsp_id__in=scope.admin_lsp_ids)
        ).values("user_id")
        return self.filter(
            pk__in=Role.objects.filter(lsp_id__in=scope.admin_lsp_ids).values("user_id"),
            is_superuser=False,
        ).exclude(pk__in=outside)


class KompetenUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser, AuditedModel):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="id",
        help_text=_("The language of e-mails and notifications sent to this user."),
    )

    objects = KompetenUserManager()

    audit_secret_fields = ("password",)
    audit_ignored_fields = ("last_login",)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("user_detail", args=[self.pk])

    def audit_scope(self):
        lsp_ids = set(self.roles.exclude(lsp=None).values_list("lsp_id", flat=True))
        return lsp_ids, None


class Role(AuditedModel):
    """One scoped role of a user. A user may hold several (admin of X, assessor for X and Y, …)."""

    class Kind(models.TextChoices):
        LSP_ADMIN = "lsp_admin", _("LSP admin")
        ASSESSOR = "assessor", _("Assessor")
        VIEWER = "viewer", _("Disdikbud viewer")

    user = models.ForeignKey(User, models.CASCADE, related_name="roles", verbose_name=_("user"))
    kind = models.CharField(_("role"), max_length=10, choices=Kind.choices)
    lsp = models.ForeignKey(
        Lsp, models.CASCADE, null=True, blank=True, related_name="roles", verbose_name=_("LSP")
    )
    province = models.ForeignKey(
        Province,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("province"),
    )

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["lsp_admin", "assessor"], lsp__isnull=False, province__isnull=True)
                    | Q(kind="viewer", lsp__isnull=True, province__isnull=False)
                ),
                name="role_scope_matches_kind",
                violation_error_message=_(
                    "LSP admins and assessors belong to an LSP; viewers to a province."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "lsp"],
                condition=Q(lsp__isnull=False),
                name="role_unique_per_lsp",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "province"],
                condition=Q(province__isnull=False),
                name="role_unique_per_province",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.lsp or self.province}"

    def audit_scope(self):
        if self.lsp_id:
            return {self.lsp_id}, None
        return set(), self.province_id
