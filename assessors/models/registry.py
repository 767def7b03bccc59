"""Assessors (asesor kompetensi), their BNSP certificates and their technical scope.

An assessor's status on a date is decided by the newest certificate's `valid_until` alone. The
rule is `status_on()` below; `AssessorQuerySet.with_status()` is the same rule in SQL, so lists,
filters, counts, the daily job and the dashboards all agree with the detail page.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Case, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.files import RandomName, document_validator
from lsp.models import AuditedModel, Lsp
from lsp.validators import nik_validator, phone_validator

from ..validators import met_number_validator

CERTIFICATE_YEARS = 3  # a BNSP assessor certificate, and a scheme's technical competency


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    WITHOUT = "without", _("No certificate")


def warning_days() -> int:
    return settings.EXPIRY_WARNING_DAYS


def status_on(valid_until: datetime.date | None, on: datetime.date, *, days: int) -> str:
    """The status rule. A certificate is valid through its `valid_until` day, expired after it."""
    if valid_until is None:
        return Status.WITHOUT
    if valid_until < on:
        return Status.EXPIRED
    if valid_until <= on + datetime.timedelta(days=days):
        return Status.EXPIRING
    return Status.ACTIVE


def status_case(valid_until: str, on: datetime.date, *, days: int | None = None) -> Case:
    """`status_on` in SQL, over the current certificate's `valid_until` (a field or annotation:
    `with_status` joins it, `with_recognition` has it as `window_end`)."""
    days = warning_days() if days is None else days
    return Case(
        When(**{f"{valid_until}__isnull": True}, then=Value(Status.WITHOUT)),
        When(**{f"{valid_until}__lt": on}, then=Value(Status.EXPIRED)),
        When(
            **{f"{valid_until}__lte": on + datetime.timedelta(days=days)},
            then=Value(Status.EXPIRING),
        ),
        default=Value(Status.ACTIVE),
        output_field=models.CharField(),
    )


def default_valid_until(issued_on: datetime.date) -> datetime.date:
    """Three years on; a certificate issued on 29 February runs to 28 February."""
    return issued_on + relativedelta(years=CERTIFICATE_YEARS)


# --- Assessors ------------------------------------------------------------------------------------
class AssessorQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins: their LSPs' assessors. Viewers: their province's. An assessor: their own."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        served = Assessor.lsps.through.objects.filter(
            Q(lsp_id__in=scope.admin_lsp_ids) | Q(lsp__province_id__in=scope.viewer_province_ids)
        )
        return self.filter(
            Q(pk__in=served.values("assessor_id"))
            | Q(home_school__regency__province_id__in=scope.viewer_province_ids)
            | Q(user=user)
        )

    def editable_by(self, user):
        """Any admin of an LSP the assessor serves; their own record is read-only to assessors."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        served = Assessor.lsps.through.objects.filter(lsp_id__in=scope.admin_lsp_ids)
        return self.filter(pk__in=served.values("assessor_id"))

    def serving(self, lsp_ids):
        served = Assessor.lsps.through.objects.filter(lsp_id__in=lsp_ids)
        return self.filter(pk__in=served.values("assessor_id"))

    def with_status(self, on: datetime.date | None = None, *, days: int | None = None):
        """Annotate `current_valid_until` and `status` (see `status_on`) for the date `on`."""
        on = on or timezone.localdate()
        days = warning_days() if days is None else days
        newest = AssessorCertificate.objects.filter(assessor=OuterRef("pk")).order_by(
            "-issued_on", "-pk"
        )
        # The current certificate joined once: a Subquery annotation would be repeated in every
        # branch of the CASE below.
        return self.annotate(
            status_certificate=FilteredRelation(
                "certificates", condition=Q(certificates__pk=Subquery(newest.values("pk")[:1]))
            )
        ).annotate(
            status_date=Value(on, output_field=models.DateField()),
            current_valid_until=F("status_certificate__valid_until"),
            status=status_case("current_valid_until", on, days=days),
        )

    def with_status_counts(self, on=None, *, days=None) -> dict[str, int]:
        """{status: count} for every status, zeros included: one query."""
        rows = (
            self.with_status(on, days=days)
            .order_by()
            .values("status")
            .annotate(n=models.Count("pk", distinct=True))
        )
        counts = dict.fromkeys(Status.values, 0)
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    def with_recognition(self, on: datetime.date | None = None):
        """Annotate the RCC count and outcome on `on` (see `recognition.py`)."""
        from .recognition import annotate_recognition

        return annotate_recognition(self, on or timezone.localdate())

    def with_standing(self, on: datetime.date | None = None):
        """What `with_status` and `with_recognition` annotate, from the kept counts (see
        `standing.py`): for pages that group every assessor of a province. Runs a query at
        once, to work out again the kept rows that do not hold for `on`."""
        from .standing import annotate_standing

        return annotate_standing(self, on or timezone.localdate())

    def valid_on(self, on: datetime.date):
        """Assessors whose current certificate covers the date: the only ones who may assess."""
        return self.with_status(on).filter(current_valid_until__gte=on)

    def may_assess(self, scheme, on: datetime.date):
        """Valid on the date and with the scheme in their technical scope, valid that day too."""
        scopes = TechnicalScope.objects.filter(scheme=scheme, valid_until__gte=on)
        return self.valid_on(on).filter(pk__in=scopes.values("assessor_id"))


class Assessor(AuditedModel):
    """An assessor (asesor kompetensi), usually a teacher, registered at BNSP."""

    full_name = models.CharField(_("full name"), max_length=150)
    nik = models.CharField("NIK", max_length=16, unique=True, validators=[nik_validator])
    met_number = models.CharField(
        _("MET registration number"),
        max_length=20,
        unique=True,
        validators=[met_number_validator],
        help_text=_("As on the BNSP assessor certificate, e.g. MET.000.002341 2019"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[phone_validator])
    home_school = models.ForeignKey(
        "lsp.School",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assessors",
        verbose_name=_("home school"),
        help_text=_("The school where the assessor teaches, if any."),
    )
    lsps = models.ManyToManyField(Lsp, related_name="assessors", verbose_name=_("LSPs served"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessor",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessorQuerySet.as_manager()

    audit_ignored_fields = ("created_at", "updated_at")

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")
        indexes = [
            models.Index(fields=["full_name"]),
            models.Index(fields=["home_school", "full_name"]),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("assessor_detail", args=[self.pk])

    def audit_scope(self):
        if not self.pk:
            return set(), None
        return set(self.lsps.values_list("pk", flat=True)), None

    @property
    def current_certificate(self) -> "AssessorCertificate | None":
        """The newest certificate; uses prefetched certificates when the list has them."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "certificates" in cache:
            return min(cache["certificates"], key=AssessorCertificate.newest_first, default=None)
        return self.certificates.order_by("-issued_on", "-pk").first()

    def status_on(self, on: datetime.date | None = None) -> str:
        """The status on a date; reads `with_status()`'s annotation when made for that date."""
        on = on or timezone.localdate()
        if getattr(self, "status_date", None) == on:
            valid_until = self.current_valid_until
        else:
            current = self.current_certificate
            valid_until = current.valid_until if current else None
        return status_on(valid_until, on, days=warning_days())

    def get_status_display(self, on=None) -> str:
        return Status(self.status_on(on)).label

    def get_outcome_label(self) -> str:
        """The label of the `outcome` annotated by `with_recognition()`."""
        from .recognition import Outcome

        return Outcome(self.outcome).label

    def recognition(self, on: datetime.date | None = None):
        """The counted assessments of the current window and the RCC outcome on `on`."""
        from .recognition import recognition_of

        return recognition_of(self, on or timezone.localdate())


# --- Certificates ---------------------------------------------------------------------------------
class AssessorCertificate(AuditedModel):
    """One BNSP assessor certificate. The history stays; the newest is the current one."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial")
        RCC = "rcc", _("RCC renewal")

    assessor = models.ForeignKey(
        Assessor, models.CASCADE, related_name="certificates", verbose_name=_("assessor")
    )
    number = models.CharField(_("certificate number"), max_length=100, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(
        _("valid until"), help_text=_("Empty: three years after the issue date.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    file = models.FileField(
        _("scan"),
        upload_to=RandomName("assessor-certificates"),
        validators=[document_validator],
        blank=True,
        help_text=_("PDF, JPEG or PNG."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_ignored_fields = ("created_at",)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("assessor certificate")
        verbose_name_plural = _("assessor certificates")
        indexes = [
            # The current certificate of each assessor: the status subquery walks this index.
            models.Index(fields=["assessor", "-issued_on", "-id"], name="assessorcert_newest"),
            models.Index(fields=["valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("issued_on")),
                name="assessorcert_valid_after_issue",
                violation_error_message=_("The end of validity must come after the issue date."),
            )
        ]

    def __str__(self):
        return self.number

    @staticmethod
    def newest_first(certificate) -> tuple:
        return (-certificate.issued_on.toordinal(), -(certificate.pk or 0))

    def save(self, *args, **kwargs):
        if self.valid_until is None and self.issued_on:
            self.valid_until = default_valid_until(self.issued_on)
        super().save(*args, **kwargs)

    def clean(self):
        if self.valid_until is None and self.issued_on:
            self.valid_until = default_valid_until(self.issued_on)
        super().clean()

    def audit_scope(self):
        return set(self.assessor.lsps.values_list("pk", flat=True)), None


# --- Technical scope ------------------------------------------------------------------------------
class TechnicalScopeQuerySet(models.QuerySet):
    def valid_on(self, on: datetime.date):
        return self.filter(valid_until__gte=on)


class TechnicalScope(AuditedModel):
    """A scheme the assessor may assess, backed by their own technical competency certificate."""

    assessor = models.ForeignKey(
        Assessor, models.CASCADE, related_name="scopes", verbose_name=_("assessor")
    )
    scheme = models.ForeignKey(
        "assessments.Scheme",
        models.CASCADE,
        related_name="assessor_scopes",
        verbose_name=_("scheme"),
    )
    certificate_number = models.CharField(_("competency certificate number"), max_length=100)
    valid_until = models.DateField(_("valid until"))

    objects = TechnicalScopeQuerySet.as_manager()

    class Meta:
        ordering = ["scheme__title", "pk"]
        verbose_name = _("technical scope")
        verbose_name_plural = _("technical scope")
        constraints = [
            models.UniqueConstraint(
                fields=["assessor", "scheme"],
                name="technicalscope_once_per_scheme",
                violation_error_message=_("This scheme is already in the assessor's scope."),
            )
        ]
        indexes = [models.Index(fields=["scheme", "valid_until"])]

    def __str__(self):
        return f"{self.assessor} · {self.scheme}"

    def is_valid_on(self, on: datetime.date) -> bool:
        return self.valid_until >= on

    def audit_scope(self):
        return set(self.assessor.lsps.values_list("pk", flat=True)), None
