"""Competency certificates: issued once per competent asesi, numbered gap-free, verifiable.

What the certificate says (name, birth place and date, scheme, units, LSP, signatory) is copied
onto it when it is issued: later edits to the student or the scheme never change it. A mistake is
mended by reissuing; the old certificate then verifies as replaced and points to the new one.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.files import RandomName
from lsp.models import AuditedModel


class CertificateQuerySet(models.QuerySet):
    def for_user(self, user):
        """Their LSP's admins; the Disdikbud viewers of the LSP's province, read-only."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            Q(lsp_id__in=scope.admin_lsp_ids) | Q(lsp__province_id__in=scope.viewer_province_ids)
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return self if scope.superuser else self.filter(lsp_id__in=scope.admin_lsp_ids)


class Certificate(AuditedModel):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        REPLACED = "replaced", _("Replaced")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One certificate in force per enrolment (valid or revoked: see Meta); a reissue adds one
    # and the certificate it replaces keeps the enrolment, marked replaced.
    enrolment = models.ForeignKey(
        "assessments.Enrolment",
        models.PROTECT,
        related_name="certificates",
        related_query_name="certificate",
        verbose_name=_("enrolment"),
    )
    lsp = models.ForeignKey(
        "lsp.Lsp", models.PROTECT, related_name="certificates", verbose_name=_("LSP")
    )
    scheme = models.ForeignKey(
        "assessments.Scheme", models.PROTECT, related_name="certificates", verbose_name=_("scheme")
    )
    session = models.ForeignKey(
        "assessments.AssessmentSession",
        models.PROTECT,
        related_name="certificates",
        verbose_name=_("session"),
    )
    candidate = models.ForeignKey(
        "assessments.Candidate",
        models.PROTECT,
        related_name="certificates",
        verbose_name=_("student (asesi)"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("certificate number"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("reason"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    # A reissue: who asked for it and why (the certificate it replaces is `replaces`).
    reissued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reissued by"),
    )
    reissue_reason = models.TextField(_("reason for reissuing"), blank=True)
    blank_number = models.CharField(_("BNSP blank number"), max_length=40, blank=True)
    # Copied when issued: what the certificate says never changes afterwards.
    holder_name = models.CharField(_("name"), max_length=150)
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    scheme_code = models.CharField(_("scheme number"), max_length=80)
    scheme_title = models.CharField(_("scheme"), max_length=300)
    scheme_title_en = models.CharField(_("scheme in English"), max_length=300, blank=True)
    kkni_level = models.PositiveSmallIntegerField(_("KKNI level"), null=True, blank=True)
    units = models.JSONField(_("units"), default=list)  # [{"code", "title", "title_en"}]
    lsp_name = models.CharField(_("LSP"), max_length=200)
    lsp_name_en = models.CharField(_("LSP in English"), max_length=200, blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=100, blank=True)
    # The rendered PDF (private storage) and its SHA-256.
    pdf = models.FileField(upload_to=RandomName("certificates"), blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    audit_ignored_fields = ("created_at", "pdf", "sha256")

    class Meta:
        ordering = ["-issued_on", "-sequence"]
        verbose_name = _("competency certificate")
        verbose_name_plural = _("competency certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["lsp", "year", "sequence"], name="certificate_sequence_once"
            ),
            models.UniqueConstraint(fields=["lsp", "number"], name="certificate_number_once"),
            # Issuing twice never gives an enrolment two certificates; a replaced one steps aside.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=~Q(status="replaced"),
                name="certificate_in_force_once",
            ),
        ]
        indexes = [
            models.Index(fields=["lsp", "-issued_on"]),
            models.Index(fields=["session", "holder_name"]),
            models.Index(fields=["number"]),
            models.Index(fields=["issued_on"]),
        ]

    def __str__(self):
        return f"{self.number} · {self.holder_name}"

    def get_absolute_url(self):
        return reverse("certificate_detail", args=[self.pk])

    def get_verification_url(self):
        return reverse("certificate_verify", args=[self.public_id])

    def audit_scope(self):
        return {self.lsp_id}, None

    def state_on(self, on: datetime.date | None = None) -> str:
        """valid / expired / revoked / replaced: what the verification page says."""
        if self.status != self.Status.VALID:
            return self.status
        on = on or timezone.localdate()
        return "expired" if self.valid_until < on else "valid"


class CertificateSequence(models.Model):
    """The last number given per LSP and year: locked while a certificate takes the next."""

    lsp = models.ForeignKey("lsp.Lsp", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lsp", "year"], name="certificate_sequence_per_year")
        ]

    def __str__(self):
        return f"{self.lsp_id}/{self.year}: {self.last}"


class IssueJob(models.Model):
    """Issuing a session's certificates in the background: its progress survives a reload."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Finished with errors")

    session = models.ForeignKey(
        "assessments.AssessmentSession", models.CASCADE, related_name="issue_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["session", "-created_at"])]

    def __str__(self):
        return f"{self.session_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * (self.done + self.failed) / self.total)
