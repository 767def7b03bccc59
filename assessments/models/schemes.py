from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.models import AuditedModel

from ..validators import unit_code_validator


class LspOwnedQuerySet(models.QuerySet):
    """Rows that belong to one LSP: read by its staff and its province's viewers, changed by its
    admins."""

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


class Unit(AuditedModel):
    """A unit of competency (unit kompetensi) from SKKNI, as an LSP uses it in its schemes."""

    lsp = models.ForeignKey("lsp.Lsp", models.PROTECT, related_name="units", verbose_name=_("LSP"))
    code = models.CharField(_("unit code"), max_length=40, validators=[unit_code_validator])
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)

    objects = LspOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit of competency")
        verbose_name_plural = _("units of competency")
        constraints = [
            models.UniqueConstraint(
                fields=["lsp", "code"],
                name="unit_code_unique_per_lsp",
                violation_error_message=_("This LSP already has a unit with this code."),
            )
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("unit_detail", args=[self.pk])

    def audit_scope(self):
        return {self.lsp_id}, None

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class Element(models.Model):
    """An element (elemen kompetensi) of a unit; its KUK say how it is judged."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="elements")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("element"), max_length=500)

    class Meta:
        ordering = ["unit", "number"]
        verbose_name = _("element")
        verbose_name_plural = _("elements")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="element_number_unique")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    """A performance criterion (kriteria unjuk kerja, KUK) of an element."""

    element = models.ForeignKey(Element, models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("performance criterion (KUK)"))

    class Meta:
        ordering = ["element", "number"]
        verbose_name = _("performance criterion (KUK)")
        verbose_name_plural = _("performance criteria (KUK)")
        constraints = [
            models.UniqueConstraint(fields=["element", "number"], name="criterion_number_unique")
        ]

    def __str__(self):
        return f"{self.element.number}.{self.number} {self.text}"


class Scheme(AuditedModel):
    """A certification scheme (skema sertifikasi): an ordered list of units."""

    class Kind(models.TextChoices):
        KKNI = "kkni", _("KKNI qualification")
        OKUPASI = "okupasi", _("Occupation (okupasi)")
        KLASTER = "klaster", _("Cluster (klaster)")

    lsp = models.ForeignKey(
        "lsp.Lsp", models.PROTECT, related_name="schemes", verbose_name=_("LSP")
    )
    code = models.CharField(
        _("scheme number"),
        max_length=80,
        unique=True,
        help_text=_("As registered at BNSP, e.g. SKM/BNSP/00010/1/2020/33"),
    )
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    kkni_level = models.PositiveSmallIntegerField(
        _("KKNI level"), null=True, blank=True, choices=[(n, str(n)) for n in range(1, 10)]
    )
    concentration = models.ForeignKey(
        "lsp.Concentration",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="schemes",
        verbose_name=_("concentration served"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The certificate number's parts (BNSP: KBLI(5) KBJI(4) level(1) sequence year).
    kbli_code = models.CharField(
        "KBLI", max_length=5, blank=True, help_text=_("5 digits, e.g. 62019 (for the number).")
    )
    kbji_code = models.CharField(
        "KBJI", max_length=4, blank=True, help_text=_("4 digits, e.g. 3512 (for the number).")
    )
    certificate_number_format = models.CharField(
        _("certificate number format"),
        max_length=80,
        blank=True,
        help_text=_(
            "Empty: the site's format. Fields: {kbli} {kbji} {level} {sequence} {year}, "
            "e.g. {kbli} {kbji} {level} {sequence:07d} {year}."
        ),
    )
    units = models.ManyToManyField(
        Unit, through="SchemeUnit", related_name="schemes", verbose_name=_("units")
    )

    objects = LspOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("certification scheme")
        verbose_name_plural = _("certification schemes")
        indexes = [
            models.Index(fields=["lsp", "is_active", "title"]),
            models.Index(fields=["kind", "title"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="kkni", kkni_level__isnull=False) | ~Q(kind="kkni"),
                name="scheme_kkni_has_level",
                violation_error_message=_("A KKNI scheme needs its level."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scheme_detail", args=[self.pk])

    def audit_scope(self):
        return {self.lsp_id}, None

    def ordered_units(self):
        return self.units.order_by("schemeunit__order", "code")


class SchemeUnit(models.Model):
    scheme = models.ForeignKey(Scheme, models.CASCADE)
    unit = models.ForeignKey(Unit, models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scheme", "order"]
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"], name="scheme_unit_once")]

    def __str__(self):
        return f"{self.scheme_id}:{self.unit_id}@{self.order}"

    def clean(self):
        if self.unit.lsp_id != self.scheme.lsp_id:
            raise ValidationError(_("A scheme uses only its own LSP's units."))
