import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import scope_of
from ..files import RandomName, image_validator
from ..validators import npsn_validator
from .audit import AuditedModel
from .geo import Province, Regency


class Programme(models.Model):
    """A program keahlian of Kurikulum Merdeka, e.g. Teknik Jaringan Komputer dan Telekomunikasi."""

    name = models.CharField(_("name"), max_length=150, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vocational programme")
        verbose_name_plural = _("vocational programmes")

    def __str__(self):
        return self.name


class Concentration(models.Model):
    """A konsentrasi keahlian inside a programme (e.g. Teknik Komputer dan Jaringan, "TKJ").

    Schemes usually serve a concentration; school files name classes by its abbreviation.
    """

    programme = models.ForeignKey(
        Programme, models.PROTECT, related_name="concentrations", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=150, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=12, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("concentration")
        verbose_name_plural = _("concentrations")

    def __str__(self):
        return f"{self.name} ({self.abbreviation})"


def _schools_of_lsps(lsp_ids):
    """Q for the host and network (jejaring) schools of the given LSPs."""
    return Q(pk__in=Lsp.objects.filter(pk__in=lsp_ids).values("host_school_id")) | Q(
        pk__in=Lsp.network_schools.through.objects.filter(lsp_id__in=lsp_ids).values("school_id")
    )


class SchoolQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            _schools_of_lsps(scope.staff_lsp_ids)
            | Q(regency__province_id__in=scope.viewer_province_ids)
        )

    def editable_by(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(_schools_of_lsps(scope.admin_lsp_ids))

    def of_lsps(self, lsp_ids):
        """The host and network schools of these LSPs: whose students they certify."""
        return self.filter(_schools_of_lsps(lsp_ids))


class School(AuditedModel):
    """A vocational high school (SMK), identified by its NPSN."""

    class Status(models.TextChoices):
        PUBLIC = "negeri", _("Public (negeri)")
        PRIVATE = "swasta", _("Private (swasta)")

    npsn = models.CharField(
        "NPSN",
        max_length=8,
        unique=True,
        validators=[npsn_validator],
        help_text=_("National school number: 8 digits."),
    )
    name = models.CharField(_("name"), max_length=150)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices)
    regency = models.ForeignKey(
        Regency, models.PROTECT, related_name="schools", verbose_name=_("regency/city")
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    concentrations = models.ManyToManyField(
        Concentration, blank=True, related_name="schools", verbose_name=_("concentrations")
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["status", "name"]),
            models.Index(fields=["regency", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("school_detail", args=[self.pk])

    def audit_scope(self):
        lsp_ids = set(Lsp.objects.certifying(self.pk).values_list("pk", flat=True))
        province_id = (
            Regency.objects.filter(pk=self.regency_id).values_list("province_id", flat=True).first()
        )
        return lsp_ids, province_id


class LspQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            Q(pk__in=scope.staff_lsp_ids) | Q(province_id__in=scope.viewer_province_ids)
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return self if scope.superuser else self.filter(pk__in=scope.admin_lsp_ids)

    def certifying(self, school_id):
        """The LSPs whose host or network school this is."""
        return self.filter(Q(host_school_id=school_id) | Q(network_schools=school_id)).distinct()

    def licence_expiring(self, on: datetime.date, within_days: int):
        return self.filter(
            licence_valid_until__gte=on,
            licence_valid_until__lte=on + datetime.timedelta(days=within_days),
        )


class ConflictRule(models.TextChoices):
    WARN = "warn", _("Warn")
    FORBID = "forbid", _("Forbid")
    OFF = "off", _("Do not check")


class Lsp(AuditedModel):
    """A certification body (Lembaga Sertifikasi Profesi), licensed by BNSP."""

    class Kind(models.TextChoices):
        P1 = "P1", _("LSP-P1 (first party, hosted by an SMK)")
        P2 = "P2", _("LSP-P2 (second party)")
        P3 = "P3", _("LSP-P3 (third party)")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=2, choices=Kind.choices, default=Kind.P1)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="lsps", verbose_name=_("province")
    )
    licence_number = models.CharField(_("BNSP licence number"), max_length=100, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    host_school = models.ForeignKey(
        School,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_lsps",
        verbose_name=_("host school"),
    )
    network_schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="network_lsps",
        verbose_name=_("network schools (jejaring)"),
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=RandomName("lsp/logo"), blank=True, validators=[image_validator]
    )
    signatory_name = models.CharField(_("signatory name"), max_length=150, blank=True)
    signatory_title = models.CharField(
        _("signatory title"), max_length=150, blank=True, help_text=_("e.g. Ketua LSP")
    )
    signatory_signature = models.ImageField(
        _("signature image"),
        upload_to=RandomName("lsp/signature"),
        blank=True,
        validators=[image_validator],
    )
    # Practice differs between LSPs: these are the LSP's own settings, with peers' defaults.
    max_candidates_per_assessor_day = models.PositiveSmallIntegerField(
        _("asesi per assessor per day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("At most this many students for one assessor on one session day."),
    )
    conflict_rule = models.CharField(
        _("assessor teaching the student's school"),
        max_length=10,
        choices=ConflictRule.choices,
        default=ConflictRule.WARN,
        help_text=_("Conflict of interest: an assessor who teaches at the student's school."),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How long after the decision an asesi may appeal (FR.AK.04)."),
    )

    objects = LspQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("LSP")
        verbose_name_plural = _("LSPs")
        indexes = [
            models.Index(fields=["province", "name"]),
            models.Index(fields=["licence_valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="P1") | Q(host_school__isnull=False),
                name="lsp_p1_has_host_school",
                violation_error_message=_("An LSP-P1 needs its host school."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("lsp_detail", args=[self.pk])

    def audit_scope(self):
        return {self.pk}, self.province_id

    def licence_is_valid_on(self, day: datetime.date) -> bool:
        return self.licence_valid_until is not None and day <= self.licence_valid_until

    def schools(self):
        """The host school and the network schools."""
        return School.objects.filter(_schools_of_lsps([self.pk]))


class TukQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            Q(lsp_id__in=scope.staff_lsp_ids) | Q(lsp__province_id__in=scope.viewer_province_ids)
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return self if scope.superuser else self.filter(lsp_id__in=scope.admin_lsp_ids)

    def usable_on(self, day: datetime.date):
        """TUKs verified on that day: the only ones that may host an assessment then."""
        return self.filter(verified_on__lte=day, verified_until__gte=day)

    def verification_expiring(self, on: datetime.date, within_days: int):
        return self.filter(
            verified_until__gte=on, verified_until__lte=on + datetime.timedelta(days=within_days)
        )


class Tuk(AuditedModel):
    """An assessment site (Tempat Uji Kompetensi). Usable on a date only if verified on it."""

    class Kind(models.TextChoices):
        SEWAKTU = "sewaktu", _("Ad hoc (sewaktu)")
        TEMPAT_KERJA = "tempat_kerja", _("Workplace (tempat kerja)")
        MANDIRI = "mandiri", _("Independent (mandiri)")
        JARAK_JAUH = "jarak_jauh", _("Remote (jarak jauh)")

    lsp = models.ForeignKey(Lsp, models.PROTECT, related_name="tuks", verbose_name=_("LSP"))
    code = models.CharField(_("code"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    address = models.TextField(_("address"), blank=True)
    regency = models.ForeignKey(
        Regency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tuks",
        verbose_name=_("regency/city"),
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_until = models.DateField(_("verified until"), null=True, blank=True)

    objects = TukQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("TUK")
        verbose_name_plural = _("TUKs")
        indexes = [
            models.Index(fields=["lsp", "name"]),
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["verified_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_until__isnull=True)
                | Q(verified_on__isnull=True)
                | Q(verified_until__gte=models.F("verified_on")),
                name="tuk_verified_until_after_on",
                violation_error_message=_("'Verified until' cannot be before 'verified on'."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tuk_detail", args=[self.pk])

    def audit_scope(self):
        return {self.lsp_id}, Lsp.objects.filter(pk=self.lsp_id).values_list(
            "province_id", flat=True
        ).first()

    def is_usable_on(self, day: datetime.date) -> bool:
        return (
            self.verified_on is not None
            and self.verified_until is not None
            and self.verified_on <= day <= self.verified_until
        )

    @property
    def usable_today(self) -> bool:
        return self.is_usable_on(timezone.localdate())
