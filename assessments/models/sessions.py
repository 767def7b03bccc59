"""One certification, from the schedule to the decision: sessions, enrolments, the BNSP forms.

- AssessmentSession (jadwal): LSP, scheme, TUK, dates, assessors, funding, status.
- Enrolment: one asesi in one session, assigned to one assessor on one of its days; it carries the
  application (FR.APL.01), the eligibility check, the agreement (FR.AK.01), the submission of the
  verdicts, the feedback (FR.AK.03) and the decision (pleno). A re-assessment after an appeal is a
  new enrolment (round 2) pointing at the first, so the history keeps both.
- SelfAssessment (FR.APL.02) per element, UnitVerdict (FR.AK.02) per unit, Evidence uploads,
  Appeal (FR.AK.04), SessionAssessor (the assignment, impartiality, FR.AK.05 notes).

The recommendation is K only when every unit of the scheme is K:
`Enrolment.compute_recommendation()` and `EnrolmentQuerySet.with_recommendation()` are that one
rule, in Python and in SQL.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.files import RandomName, document_validator
from lsp.models import AuditedModel

from .schemes import SchemeUnit


class Verdict(models.TextChoices):
    """The only verdicts: never pass/fail, never a score."""

    K = "K", _("Competent (K)")
    BK = "BK", _("Not yet competent (BK)")


class Method(models.TextChoices):
    """Assessment methods (FR.AK.01 / FR.AK.02)."""

    OBSERVATION = "observation", _("Observation (demonstration)")
    PORTFOLIO = "portfolio", _("Portfolio")
    THIRD_PARTY = "third_party", _("Third-party report")
    ORAL = "oral", _("Oral questions")
    WRITTEN = "written", _("Written questions")
    PROJECT = "project", _("Project")
    OTHER = "other", _("Other")


# --- Sessions -------------------------------------------------------------------------------------
class SessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins: their LSPs'. Assessors: the sessions they are assigned to. Viewers: province."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        assigned = SessionAssessor.objects.filter(assessor__user=user).values("session_id")
        return self.filter(
            Q(lsp_id__in=scope.admin_lsp_ids)
            | Q(lsp__province_id__in=scope.viewer_province_ids)
            | Q(pk__in=assigned)
        )

    def editable_by(self, user):
        scope = scope_of(user)
        return self if scope.superuser else self.filter(lsp_id__in=scope.admin_lsp_ids)

    def on(self, day: datetime.date):
        return self.filter(start_date__lte=day, end_date__gte=day)

    def overlapping(self, start: datetime.date, end: datetime.date):
        return self.filter(start_date__lte=end, end_date__gte=start)


class AssessmentSession(AuditedModel):
    """An assessment session (jadwal uji kompetensi)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for applications")
        ASSESSING = "assessing", _("In assessment")
        AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
        DECIDED = "decided", _("Decided")
        REPORTED = "reported", _("Reported to BNSP")

    lsp = models.ForeignKey(
        "lsp.Lsp", models.PROTECT, related_name="sessions", verbose_name=_("LSP")
    )
    scheme = models.ForeignKey(
        "assessments.Scheme", models.PROTECT, related_name="sessions", verbose_name=_("scheme")
    )
    tuk = models.ForeignKey("lsp.Tuk", models.PROTECT, related_name="sessions", verbose_name="TUK")
    code = models.CharField(
        _("schedule code"), max_length=50, help_text=_("The LSP's code for this schedule.")
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    funding = models.ForeignKey(
        "lsp.FundingSource",
        models.PROTECT,
        related_name="sessions",
        verbose_name=_("funding source"),
    )
    programme = models.ForeignKey(
        "lsp.FundingProgramme",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("funding programme"),
        help_text=_("The programme (e.g. BANPER) whose school quotas this session draws on."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    assessors = models.ManyToManyField(
        "assessors.Assessor",
        through="SessionAssessor",
        related_name="sessions",
        verbose_name=_("assessors"),
    )
    notes = models.TextField(_("notes"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_notes = models.TextField(_("decision notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    audit_ignored_fields = ("created_at", "updated_at")

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("assessment session")
        verbose_name_plural = _("assessment sessions")
        indexes = [
            models.Index(fields=["lsp", "-start_date"]),
            models.Index(fields=["lsp", "status", "-start_date"]),
            models.Index(fields=["scheme", "-start_date"]),
            models.Index(fields=["start_date", "end_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lsp", "code"],
                name="session_code_unique_per_lsp",
                violation_error_message=_("This LSP already has a session with this code."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_it_starts",
                violation_error_message=_("The last day cannot come before the first."),
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.scheme}"

    def get_absolute_url(self):
        return reverse("session_detail", args=[self.pk])

    def audit_scope(self):
        return {self.lsp_id}, None

    @property
    def days(self) -> list[datetime.date]:
        span = (self.end_date - self.start_date).days
        return [self.start_date + datetime.timedelta(days=n) for n in range(span + 1)]

    @property
    def is_locked(self) -> bool:
        """Decided (or reported): verdicts and enrolments no longer change, except by appeal."""
        return self.status in (self.Status.DECIDED, self.Status.REPORTED)


class SessionAssessor(AuditedModel):
    """An assessor assigned to a session, with their impartiality statement and FR.AK.05 notes."""

    session = models.ForeignKey(
        AssessmentSession, models.CASCADE, related_name="assignments", verbose_name=_("session")
    )
    assessor = models.ForeignKey(
        "assessors.Assessor",
        models.PROTECT,
        related_name="assignments",
        verbose_name=_("assessor"),
    )
    impartiality_declared_at = models.DateTimeField(
        _("impartiality declared at"), null=True, blank=True
    )
    impartiality_note = models.TextField(
        _("impartiality statement"),
        blank=True,
        help_text=_("Relationships with the asesi the assessor declares (e.g. teaches at their "
                    "school) and how impartiality is kept."),
    )  # fmt: skip
    report_notes = models.TextField(_("session report notes (FR.AK.05)"), blank=True)
    submitted_at = models.DateTimeField(_("verdicts submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("session assessor")
        verbose_name_plural = _("session assessors")
        constraints = [
            models.UniqueConstraint(fields=["session", "assessor"], name="session_assessor_once")
        ]
        indexes = [models.Index(fields=["assessor", "session"])]

    def __str__(self):
        return f"{self.assessor} @ {self.session}"

    def audit_scope(self):
        return {self.session.lsp_id}, None


# --- Enrolments -----------------------------------------------------------------------------------
class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Students' data: their LSP's admins, and the assessor each one is assigned to."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(session__lsp_id__in=scope.admin_lsp_ids) | Q(assessor__user=user))

    def editable_by(self, user):
        scope = scope_of(user)
        return self if scope.superuser else self.filter(session__lsp_id__in=scope.admin_lsp_ids)

    def with_recommendation(self):
        """Annotate `units_total`, `units_k`, `units_bk` and `recommendation` (K, BK or None).

        K only when every unit of the scheme has a K verdict; BK as soon as one unit is BK;
        None while a unit has no verdict yet.
        """
        units = (
            SchemeUnit.objects.filter(scheme=OuterRef("session__scheme"))
            .order_by()
            .values("scheme")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            units_total=Coalesce(Subquery(units), 0),
            units_k=Count("verdicts", filter=Q(verdicts__verdict=Verdict.K)),
            units_bk=Count("verdicts", filter=Q(verdicts__verdict=Verdict.BK)),
        ).annotate(
            recommendation=models.Case(
                models.When(units_bk__gt=0, then=models.Value(Verdict.BK)),
                models.When(
                    units_k=models.F("units_total"), units_total__gt=0, then=models.Value(Verdict.K)
                ),
                default=None,
                output_field=models.CharField(),
            )
        )

    def decided(self):
        return self.exclude(decision="")

    def final(self):
        """The enrolments that count in figures: a student re-assessed after an appeal (round 2)
        counts once, by the last round."""
        return self.filter(reassessments=None)

    def decided_between(self, start: datetime.date, end: datetime.date):
        """Counted by decision date: the competence rate's denominator."""
        return self.filter(decided_at__date__gte=start, decided_at__date__lte=end).decided()


class Enrolment(AuditedModel):
    """One asesi in one session (and one round of it)."""

    class Purpose(models.TextChoices):
        CERTIFICATION = "certification", _("Certification")
        RECERTIFICATION = "recertification", _("Re-certification")
        RPL = "rpl", _("Recognition of prior learning (RPL)")
        OTHER = "other", _("Other")

    class Eligibility(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")

    session = models.ForeignKey(
        AssessmentSession, models.CASCADE, related_name="enrolments", verbose_name=_("session")
    )
    candidate = models.ForeignKey(
        "assessments.Candidate",
        models.PROTECT,
        related_name="enrolments",
        verbose_name=_("student (asesi)"),
    )
    assessor = models.ForeignKey(
        "assessors.Assessor",
        models.PROTECT,
        related_name="enrolments",
        verbose_name=_("assessor"),
    )
    assessment_date = models.DateField(_("assessment day"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    previous = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reassessments",
        verbose_name=_("re-assessment of"),
    )
    conflict_of_interest = models.BooleanField(
        _("assessor teaches at the student's school"), default=False
    )
    # FR.APL.01
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.CERTIFICATION
    )
    purpose_other = models.CharField(_("other purpose"), max_length=200, blank=True)
    guardian_name = models.CharField(
        _("parent or guardian"),
        max_length=150,
        blank=True,
        help_text=_("For an asesi under 18: the parent or guardian who consents."),
    )
    guardian_consent = models.BooleanField(_("parent or guardian consents"), default=False)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    eligibility = models.CharField(
        _("eligibility"), max_length=15, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_reason = models.TextField(_("reason"), blank=True)
    # FR.APL.02: the assessor's recommendation to proceed
    proceed = models.BooleanField(_("assessment may proceed"), null=True, blank=True)
    # FR.AK.01
    agreed_methods = models.JSONField(_("agreed methods"), default=list, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    # FR.AK.02 submitted: the verdicts are locked
    submitted_at = models.DateTimeField(_("verdicts submitted at"), null=True, blank=True)
    # FR.AK.03
    feedback = models.TextField(_("feedback to the asesi"), blank=True)
    # The decision (pleno)
    decision = models.CharField(
        _("decision"), max_length=2, choices=Verdict.choices, blank=True, default=""
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    audit_ignored_fields = ("created_at",)

    class Meta:
        ordering = ["session", "candidate__full_name", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate", "round"],
                name="enrolment_once_per_round",
                violation_error_message=_("This student is already enrolled in this session."),
            )
        ]
        indexes = [
            models.Index(fields=["session", "assessor"]),
            models.Index(fields=["assessor", "assessment_date"]),
            models.Index(fields=["candidate", "-created_at"]),
            models.Index(fields=["decided_at", "decision"]),
        ]

    def __str__(self):
        return f"{self.candidate} · {self.session.code}"

    def get_absolute_url(self):
        return reverse("enrolment_detail", args=[self.pk])

    def audit_scope(self):
        return {self.session.lsp_id}, None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def compute_recommendation(self, unit_ids=None, verdicts=None) -> str | None:
        """K only if every unit of the scheme is K; BK if any is BK; None while incomplete.

        Pass the scheme's unit ids and this enrolment's verdicts when a page already has them.
        """
        if unit_ids is None:
            unit_ids = set(self.session.scheme.units.values_list("pk", flat=True))
        if verdicts is None:
            verdicts = dict(self.verdicts.values_list("unit_id", "verdict"))
        if any(v == Verdict.BK for v in verdicts.values()):
            return Verdict.BK
        if unit_ids and all(verdicts.get(u) == Verdict.K for u in unit_ids):
            return Verdict.K
        return None


class SelfAssessment(models.Model):
    """FR.APL.02: the asesi's own K/BK per element, and the evidence they point to."""

    enrolment = models.ForeignKey(
        Enrolment, models.CASCADE, related_name="self_assessments", verbose_name=_("enrolment")
    )
    element = models.ForeignKey(
        "assessments.Element", models.PROTECT, related_name="+", verbose_name=_("element")
    )
    answer = models.CharField(_("answer"), max_length=2, choices=Verdict.choices)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)

    class Meta:
        ordering = ["enrolment", "element"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "element"], name="self_assessment_once")
        ]

    def __str__(self):
        return f"{self.enrolment_id}:{self.element_id} {self.answer}"


class UnitVerdict(AuditedModel):
    """FR.AK.02: one unit's verdict for one enrolment, with the methods used."""

    enrolment = models.ForeignKey(
        Enrolment, models.CASCADE, related_name="verdicts", verbose_name=_("enrolment")
    )
    unit = models.ForeignKey(
        "assessments.Unit", models.PROTECT, related_name="verdicts", verbose_name=_("unit")
    )
    verdict = models.CharField(_("verdict"), max_length=2, choices=Verdict.choices)
    methods = models.JSONField(_("methods used"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["enrolment", "unit"]
        verbose_name = _("unit verdict")
        verbose_name_plural = _("unit verdicts")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "unit"], name="verdict_once_per_unit")
        ]
        indexes = [models.Index(fields=["unit", "verdict"])]

    def __str__(self):
        return f"{self.enrolment_id}:{self.unit_id} {self.verdict}"

    def audit_scope(self):
        return {self.enrolment.session.lsp_id}, None


class Evidence(models.Model):
    """An upload the asesi brings to the application (FR.APL.01's evidence checklist)."""

    enrolment = models.ForeignKey(
        Enrolment, models.CASCADE, related_name="evidence", verbose_name=_("enrolment")
    )
    description = models.CharField(_("description"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=RandomName("evidence"), validators=[document_validator]
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["enrolment", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.description


class Appeal(AuditedModel):
    """FR.AK.04: the asesi appeals the process; a granted appeal leads to a re-assessment."""

    class Ground(models.TextChoices):
        PROCEDURE = "procedure", _("The procedure was not followed")
        VALID = "valid", _("Not valid")
        RELIABLE = "reliable", _("Not reliable")
        FLEXIBLE = "flexible", _("Not flexible")
        FAIR = "fair", _("Not fair")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted: re-assessment")
        REJECTED = "rejected", _("Rejected")

    enrolment = models.ForeignKey(
        Enrolment, models.CASCADE, related_name="appeals", verbose_name=_("enrolment")
    )
    filed_on = models.DateField(_("filed on"))
    grounds = models.JSONField(_("grounds"), default=list)
    explanation = models.TextField(_("explanation"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_reason = models.TextField(_("reason for the outcome"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reassessment = models.OneToOneField(
        Enrolment,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="granted_by_appeal",
        verbose_name=_("re-assessment"),
    )

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self):
        return f"{self.enrolment} ({self.get_outcome_display()})"

    def audit_scope(self):
        return {self.enrolment.session.lsp_id}, None
