"""The summary the dashboards read: `Fact`, kept current from the base tables.

One row per session × the students' school and vocational programme (and, for certificate
rows, per `valid_until`), holding counts: enrolled, assessed, K, BK, unit verdicts K/BK,
certificates issued and revoked. The dimensions every filter uses (year, province, regency,
school, LSP, scheme, programme, funding source and programme) are copied onto the row, so a
dashboard is a handful of GROUP BYs over a few thousand rows instead of joins over millions of
verdicts. `dashboards.services.facts` writes it (after each change, and fully every night);
`dashboards.services.figures` reads it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Dimensions are plain references: the summary never blocks deleting what it summarises (the
# session's own rows go with it; a nightly rebuild drops anything else stale).
_dim = {
    "on_delete": models.DO_NOTHING,
    "db_constraint": False,
    "db_index": False,
    "related_name": "+",
}

MEASURES = (
    "enrolled",
    "assessed",
    "competent",
    "not_competent",
    "units_k",
    "units_bk",
    "certificates",
    "revoked",
)


class Fact(models.Model):
    session = models.ForeignKey(
        "assessments.AssessmentSession",
        models.CASCADE,
        db_constraint=False,
        related_name="facts",
    )
    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey("lsp.Province", **_dim)
    regency = models.ForeignKey("lsp.Regency", **_dim)
    school = models.ForeignKey("lsp.School", **_dim)
    lsp = models.ForeignKey("lsp.Lsp", **_dim)
    scheme = models.ForeignKey("assessments.Scheme", **_dim)
    programme = models.ForeignKey("lsp.Programme", null=True, **_dim)
    funding = models.ForeignKey("lsp.FundingSource", **_dim)
    funding_programme = models.ForeignKey("lsp.FundingProgramme", null=True, **_dim)
    # Set on certificate rows only: whether a certificate is still valid depends on the day asked.
    valid_until = models.DateField(null=True)
    enrolled = models.PositiveIntegerField(default=0)
    assessed = models.PositiveIntegerField(default=0)
    competent = models.PositiveIntegerField(default=0)
    not_competent = models.PositiveIntegerField(default=0)
    units_k = models.PositiveIntegerField(default=0)
    units_bk = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)
    revoked = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        indexes = [
            # The province dashboard: every query filters on province and year (or a span of
            # years for the trend); the measures ride along so PostgreSQL answers from the index.
            models.Index(
                fields=["province", "year"],
                include=[
                    "regency",
                    "school",
                    "lsp",
                    "scheme",
                    "programme",
                    "funding_programme",
                    "valid_until",
                    *MEASURES,
                ],
                name="fact_province_year_cover",
            ),  # fmt: skip
            models.Index(fields=["lsp", "year"], name="fact_lsp_year"),
            models.Index(fields=["school", "year"], name="fact_school_year"),
            models.Index(fields=["regency", "year"], name="fact_regency_year"),
            models.Index(fields=["funding_programme", "school"], name="fact_funding_programme"),
        ]

    def __str__(self):
        return f"{self.year} · {self.session_id} · {self.school_id}"


class FundingUse(models.Model):
    """How much of a school's quota in a funding programme is used: enrolled, assessed and
    certified students, as `assessments.services.funding.with_use` counts them (the one rule),
    kept beside the facts so the dashboards need not count the enrolments on every view."""

    programme = models.ForeignKey("lsp.FundingProgramme", **_dim)
    school = models.ForeignKey("lsp.School", **_dim)
    enrolled = models.PositiveIntegerField(default=0)
    assessed = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("funding use")
        verbose_name_plural = _("funding use")
        constraints = [
            models.UniqueConstraint(fields=["programme", "school"], name="funding_use_unique"),
        ]

    def __str__(self):
        return f"{self.programme_id} · {self.school_id}: {self.enrolled}"
