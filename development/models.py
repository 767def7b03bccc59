"""Teachers' competency development: the kinds of activity, the teachers, their activities.

A *teacher* is a `Teacher` row: a teacher of one school, who may have a user account. An assessor
with a home school is a teacher of it (`services.teacher_of_assessor` creates the row, linked to
the assessor and their account); another teacher of the school is added by the LSP admin. The
points rule is in `rules.py`; here are the QuerySets that apply it in SQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lsp.access import scope_of
from lsp.files import RandomName, document_validator
from lsp.models import AuditedModel, Lsp, School

from .rules import Semester, capped, max_points


class ActivityKind(models.Model):
    """A kind of activity with its fixed points and the evidence it needs (reference data)."""

    class Source(models.TextChoices):
        NONE = "", _("—")
        ASSESSOR_CERTIFICATE = "assessor_certificate", _("Assessor training or RCC certificate")
        ASSESSMENT = "assessment", _("Assessment carried out as assessor")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    evidence = models.CharField(
        _("evidence required"), max_length=100, help_text=_("E.g. certificate, report, charter.")
    )
    duration = models.CharField(_("duration"), max_length=60, blank=True)
    suggested_from = models.CharField(
        _("suggested from Kompeten's records"),
        max_length=30,
        choices=Source.choices,
        blank=True,
        help_text=_("Records of this kind are offered to assessors as activities to claim."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")

    def __str__(self):
        return f"{self.name} ({self.points})"


# --- Teachers -------------------------------------------------------------------------------------
def _teachers_q(scope, prefix: str = "") -> Q:
    """Teachers an LSP admin works with (their LSPs' host and network schools), a viewer reads
    (the province's schools)."""
    schools = School.objects.of_lsps(scope.admin_lsp_ids).values("pk")
    return Q(**{f"{prefix}school__in": schools}) | Q(
        **{f"{prefix}school__regency__province_id__in": scope.viewer_province_ids}
    )


class TeacherQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins: their schools' teachers; viewers: the province's; a teacher: themself."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(_teachers_q(scope) | Q(user=user))

    def managed_by(self, user):
        """Teachers whose activities the user verifies: an admin's schools (never a viewer)."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        return self.filter(school__in=School.objects.of_lsps(scope.admin_lsp_ids).values("pk"))

    def editable_by(self, user):
        return self.managed_by(user)

    def with_points(self, semester: Semester):
        """Annotate `raw_points` (verified, ending in the semester), `points` (capped) and
        `pending_points`: two subqueries, whatever the number of teachers."""

        def total(**filters):
            rows = (
                Activity.objects.filter(
                    teacher=models.OuterRef("pk"),
                    end_date__gte=semester.start,
                    end_date__lte=semester.end,
                    **filters,
                )
                .order_by()
                .values("teacher")
                .annotate(n=models.Sum("points"))
                .values("n")
            )
            return Coalesce(models.Subquery(rows, output_field=models.IntegerField()), 0)

        return self.annotate(
            raw_points=total(status=Activity.Status.VERIFIED),
            pending_points=total(status=Activity.Status.PENDING),
        ).annotate(points=Least("raw_points", models.Value(max_points())))


class Teacher(AuditedModel):
    full_name = models.CharField(_("full name"), max_length=150)
    school = models.ForeignKey(
        School, models.PROTECT, related_name="teachers", verbose_name=_("school")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher",
        verbose_name=_("user account"),
    )
    assessor = models.OneToOneField(
        "assessors.Assessor",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher",
        verbose_name=_("assessor"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeacherQuerySet.as_manager()

    audit_ignored_fields = ("created_at",)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        indexes = [models.Index(fields=["school", "full_name"])]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("development_teacher", args=[self.pk])

    def audit_scope(self):
        lsp_ids = set(
            Lsp.objects.filter(
                Q(host_school_id=self.school_id) | Q(network_schools=self.school_id)
            ).values_list("pk", flat=True)
        )
        return lsp_ids, None

    def points_in(self, semester: Semester) -> int:
        """The rule in Python (the same as `with_points`): verified, ending in it, capped."""
        return capped(sum(a.points for a in self.activities.counted_in(semester)))


# --- Activities -----------------------------------------------------------------------------------
class ActivityQuerySet(models.QuerySet):
    def for_user(self, user):
        """The teacher's own; their schools' for an admin. Viewers see only the summaries."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        schools = School.objects.of_lsps(scope.admin_lsp_ids).values("pk")
        return self.filter(Q(teacher__school__in=schools) | Q(teacher__user=user))

    def editable_by(self, user):
        """A teacher changes their own until verified; an admin records for their schools'."""
        scope = scope_of(user)
        if scope.superuser:
            return self.exclude(status=Activity.Status.VERIFIED)
        schools = School.objects.of_lsps(scope.admin_lsp_ids).values("pk")
        return self.filter(Q(teacher__school__in=schools) | Q(teacher__user=user)).exclude(
            status=Activity.Status.VERIFIED
        )

    def verifiable_by(self, user):
        """The LSP admin of the teacher's school verifies; never the teacher themself."""
        scope = scope_of(user)
        if scope.superuser:
            return self.exclude(teacher__user=user)
        schools = School.objects.of_lsps(scope.admin_lsp_ids).values("pk")
        return self.filter(teacher__school__in=schools).exclude(teacher__user=user)

    def in_semester(self, semester: Semester):
        """Activities ending in the semester, whatever their status."""
        return self.filter(end_date__gte=semester.start, end_date__lte=semester.end)

    def counted_in(self, semester: Semester):
        """What counts toward the semester: verified, ending in it."""
        return self.in_semester(semester).filter(status=Activity.Status.VERIFIED)


class Activity(AuditedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    teacher = models.ForeignKey(
        Teacher, models.CASCADE, related_name="activities", verbose_name=_("teacher")
    )
    kind = models.ForeignKey(
        ActivityKind, models.PROTECT, related_name="activities", verbose_name=_("kind")
    )
    title = models.CharField(_("title"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=200)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(
        _("last day"), help_text=_("The activity counts in the semester in which it ends.")
    )
    points = models.PositiveSmallIntegerField(
        _("points"), help_text=_("The kind's points when the activity was recorded.")
    )
    evidence = models.FileField(
        _("evidence"),
        upload_to=RandomName("development-evidence"),
        validators=[document_validator],
        blank=True,
        help_text=_("The certificate, report or charter: PDF, JPEG or PNG."),
    )
    # Evidence held by Kompeten itself: the claim links the record instead of a file.
    assessor_certificate = models.ForeignKey(
        "assessors.AssessorCertificate",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_activities",
        verbose_name=_("assessor certificate"),
    )
    session = models.ForeignKey(
        "assessments.AssessmentSession",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="development_activities",
        verbose_name=_("assessment session"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    audit_ignored_fields = ("created_at", "updated_at")

    class Meta:
        ordering = ["-end_date", "-pk"]
        verbose_name = _("development activity")
        verbose_name_plural = _("development activities")
        indexes = [
            # A teacher's semester, and every teacher's total: by teacher, status, end date.
            models.Index(fields=["teacher", "status", "end_date"]),
            models.Index(fields=["teacher", "-end_date", "-id"], name="activity_teacher_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
                violation_error_message=_("The last day cannot come before the first."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="activity_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
            models.UniqueConstraint(
                fields=["teacher", "assessor_certificate"],
                condition=Q(assessor_certificate__isnull=False),
                name="activity_certificate_claimed_once",
                violation_error_message=_("This certificate is already claimed."),
            ),
            models.UniqueConstraint(
                fields=["teacher", "session"],
                condition=Q(session__isnull=False),
                name="activity_session_claimed_once",
                violation_error_message=_("This assessment is already claimed."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.teacher.get_absolute_url()}?semester={self.semester.key}#activity-{self.pk}"

    def audit_scope(self):
        return self.teacher.audit_scope()

    def save(self, *args, **kwargs):
        if self.points is None and self.kind_id:
            self.points = self.kind.points
        super().save(*args, **kwargs)

    @property
    def semester(self) -> Semester:
        return Semester.of(self.end_date)

    @property
    def counts(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence or self.assessor_certificate_id or self.session_id)
