"""Funding programmes: BANPER and the other sources that pay for certification.

A programme (e.g. "BANPER Sertifikasi Kompetensi 2026") has a funder, a kind (one of BNSP's
funding-source codes, `FundingSource`) and the schools eligible for it, each with a quota of
students and an amount per student. A session funded by a programme points at it
(`AssessmentSession.programme`); enrolling a school's students beyond its quota is refused.

How much of each quota is used (enrolled, assessed, certified) is counted in the layers above,
where the enrolments live: `assessments.services.funding`.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..access import scope_of
from .audit import AuditedModel
from .geo import Province
from .institutions import Lsp, School, _schools_of_lsps


class FundingProgrammeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins: the programmes their LSP keeps or that fund one of its schools.
        Disdikbud viewers: their province's. Assessors: none."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        their_schools = School.objects.filter(_schools_of_lsps(scope.admin_lsp_ids))
        return self.filter(
            Q(lsp_id__in=scope.admin_lsp_ids)
            | Q(pk__in=FundingQuota.objects.filter(school__in=their_schools).values("programme"))
            | Q(province_id__in=scope.viewer_province_ids)
        )

    def editable_by(self, user):
        """Only the LSP that keeps a programme changes it."""
        scope = scope_of(user)
        return self if scope.superuser else self.filter(lsp_id__in=scope.admin_lsp_ids)

    def usable_by_lsp(self, lsp_id, year=None):
        """Programmes a session of this LSP may draw on: its own, or one funding its schools."""
        schools = School.objects.of_lsps([lsp_id])
        qs = self.filter(
            Q(lsp_id=lsp_id)
            | Q(pk__in=FundingQuota.objects.filter(school__in=schools).values("programme"))
        )
        return qs.filter(year=year) if year else qs


class FundingProgramme(AuditedModel):
    """A funding programme, e.g. BANPER Sertifikasi Kompetensi from Direktorat SMK."""

    class Funder(models.TextChoices):
        DIRECTORATE = "directorate", _("Directorate of SMK (Direktorat SMK)")
        PROVINCE = "province", _("Provincial government")
        SCHOOL = "school", _("School")
        INDUSTRY = "industry", _("Industry")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    funder = models.CharField(_("funder"), max_length=12, choices=Funder.choices)
    kind = models.ForeignKey(
        "lsp.FundingSource",
        models.PROTECT,
        related_name="programmes",
        verbose_name=_("kind"),
        help_text=_("BNSP's funding-source code the sessions it pays for report."),
    )
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="funding_programmes", verbose_name=_("province")
    )
    lsp = models.ForeignKey(
        Lsp,
        models.PROTECT,
        related_name="funding_programmes",
        verbose_name=_("kept by LSP"),
        help_text=_("The LSP whose admins keep this programme's record."),
    )
    reference = models.CharField(_("decree or agreement number"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    schools = models.ManyToManyField(
        School, through="FundingQuota", related_name="funding_programmes", verbose_name=_("schools")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FundingProgrammeQuerySet.as_manager()

    audit_ignored_fields = ("created_at", "updated_at")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        indexes = [
            models.Index(fields=["province", "-year", "name"]),
            models.Index(fields=["lsp", "-year", "name"]),
            models.Index(fields=["kind", "-year"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lsp", "year", "name"],
                name="funding_programme_unique_per_lsp_year",
                violation_error_message=_(
                    "This LSP already has a programme of this name and year."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    def get_absolute_url(self):
        return reverse("funding_programme_detail", args=[self.pk])

    def audit_scope(self):
        return {self.lsp_id}, self.province_id


class FundingQuotaQuerySet(models.QuerySet):
    def for_user(self, user):
        """The quota rows a user may see: every row of the programmes they see in full (kept by
        their LSP, or in their province as a viewer), and their own schools' rows of the others."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(
            Q(programme__lsp_id__in=scope.admin_lsp_ids)
            | Q(programme__province_id__in=scope.viewer_province_ids)
            | Q(school__in=School.objects.filter(_schools_of_lsps(scope.admin_lsp_ids)))
        )


class FundingQuota(AuditedModel):
    """One eligible school of a programme: how many of its students, at what amount each."""

    programme = models.ForeignKey(
        FundingProgramme, models.CASCADE, related_name="quotas", verbose_name=_("programme")
    )
    school = models.ForeignKey(
        School, models.PROTECT, related_name="funding_quotas", verbose_name=_("school")
    )
    quota = models.PositiveIntegerField(_("quota (students)"))
    amount_per_student = models.DecimalField(
        _("amount per student (Rp)"), max_digits=12, decimal_places=0, default=0
    )

    objects = FundingQuotaQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "school__name"]
        verbose_name = _("school quota")
        verbose_name_plural = _("school quotas")
        indexes = [models.Index(fields=["school", "programme"])]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "school"],
                name="funding_quota_unique_school",
                violation_error_message=_("This school already has a quota in this programme."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} · {self.school}: {self.quota}"

    def audit_scope(self):
        programme = FundingProgramme.objects.filter(pk=self.programme_id).values(
            "lsp_id", "province_id"
        ).first() or {"lsp_id": None, "province_id": None}
        return {programme["lsp_id"]} - {None}, programme["province_id"]

    @property
    def budget(self):
        return self.quota * self.amount_per_student
