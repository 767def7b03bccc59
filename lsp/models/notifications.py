from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Each user reads only their own notifications."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    editable_by = for_user

    def unread(self):
        return self.filter(read_at=None)


class Notification(models.Model):
    """An in-app message (the bell). Written in the recipient's language when it is raised."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What raised it (e.g. "assessorflag:12"): one notification per user and source.
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="notification_once_per_source")
        ]

    def __str__(self):
        return self.title
