"""Recognition (RCC): at least `RCC_THRESHOLD` assessments within the current certificate's window.

An assessment is a session in which the assessor's verdicts were submitted (the assignment's
`submitted_at`; a re-assessment round counts in its session), dated by the session's first day,
or an entry of the assessor's logbook (assessments before Kompeten, or for another LSP).

The outcome on a date, checked in this order (DOMAIN.md):
must retrain (certificate expired, after a grace period) → eligible for RCC (threshold reached) →
at risk (below the threshold, fewer than `RCC_AT_RISK_DAYS` left) → on track.

`outcome_of()` is the rule; `annotate_recognition()` the same rule in SQL, used by
`Assessor.objects.with_recognition(on)` for lists, the daily job, dashboards and the API;
`Assessor.recognition(on)` gives one assessor's logbook with the same answer.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from lsp.files import RandomName, document_validator
from lsp.models import AuditedModel


class Outcome(models.TextChoices):
    MUST_RETRAIN = "must_retrain", _("Must retrain")
    ELIGIBLE = "eligible", _("Eligible for RCC")
    AT_RISK = "at_risk", _("At risk")
    ON_TRACK = "on_track", _("On track")
    NONE = "none", _("No certificate")


def threshold() -> int:
    return settings.RCC_THRESHOLD


def outcome_of(valid_until: datetime.date | None, done: int, on: datetime.date) -> str:
    """The recognition rule for one certificate window on a date."""
    if valid_until is None:
        return Outcome.NONE
    if valid_until + datetime.timedelta(days=settings.RCC_GRACE_DAYS) < on:
        return Outcome.MUST_RETRAIN
    if done >= threshold():
        return Outcome.ELIGIBLE
    if valid_until < on + datetime.timedelta(days=settings.RCC_AT_RISK_DAYS):
        return Outcome.AT_RISK
    return Outcome.ON_TRACK


def _count(queryset) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values("assessor").annotate(n=Count("pk")).values("n"),
            output_field=models.IntegerField(),
        ),
        0,
    )


def annotate_recognition(queryset, on: datetime.date):
    """Annotate `window_start`, `window_end`, `current_certificate_id`, `assessments_done` and
    `outcome` (see `outcome_of`): a fixed number of subqueries, whatever the number of rows."""
    from .registry import AssessorCertificate

    newest = AssessorCertificate.objects.filter(assessor=OuterRef("pk")).order_by(
        "-issued_on", "-pk"
    )
    # The current certificate joined once (a subquery per use would repeat it a dozen times).
    queryset = queryset.annotate(
        window_certificate=FilteredRelation(
            "certificates", condition=Q(certificates__pk=Subquery(newest.values("pk")[:1]))
        )
    ).annotate(
        window_start=F("window_certificate__issued_on"),
        window_end=F("window_certificate__valid_until"),
        current_certificate_id=F("window_certificate__pk"),
    )
    # The assignments live in the layer above (assessments); reached by the reverse relation.
    assignment = queryset.model._meta.get_field("assignments").related_model
    sessions = assignment.objects.filter(
        assessor=OuterRef("pk"),
        submitted_at__isnull=False,
        session__start_date__gte=OuterRef("window_start"),
        session__start_date__lte=OuterRef("window_end"),
    ).filter(session__start_date__lte=on)
    logged = LogbookEntry.objects.filter(
        assessor=OuterRef("pk"),
        date__gte=OuterRef("window_start"),
        date__lte=OuterRef("window_end"),
    ).filter(date__lte=on)
    return queryset.annotate(
        assessments_done=_count(sessions) + _count(logged),
    ).annotate(outcome=outcome_case("window_end", "assessments_done", on))


def outcome_case(window_end: str, done: str, on: datetime.date) -> Case:
    """`outcome_of` in SQL, over a window's end and its count (fields or annotations:
    `annotate_recognition` works them out, `Standing` keeps them)."""
    grace = datetime.timedelta(days=settings.RCC_GRACE_DAYS)
    return Case(
        When(**{f"{window_end}__isnull": True}, then=Value(Outcome.NONE)),
        When(**{f"{window_end}__lt": on - grace}, then=Value(Outcome.MUST_RETRAIN)),
        When(**{f"{done}__gte": threshold()}, then=Value(Outcome.ELIGIBLE)),
        When(
            **{f"{window_end}__lt": on + datetime.timedelta(days=settings.RCC_AT_RISK_DAYS)},
            then=Value(Outcome.AT_RISK),
        ),
        default=Value(Outcome.ON_TRACK),
        output_field=models.CharField(),
    )


@dataclass
class Counted:
    """One counted assessment, as the logbook on the assessor's page lists it."""

    date: datetime.date
    source: str  # "session" or "logbook"
    lsp: str
    scheme: str
    tuk: str
    asesi: int
    url: str = ""


@dataclass
class Recognition:
    on: datetime.date
    window_start: datetime.date | None
    window_end: datetime.date | None
    threshold: int
    counted: list[Counted] = field(default_factory=list)
    outcome: str = Outcome.NONE

    @property
    def done(self) -> int:
        return len(self.counted)

    @property
    def missing(self) -> int:
        return max(0, self.threshold - self.done)

    @property
    def days_left(self) -> int | None:
        return (self.window_end - self.on).days if self.window_end else None

    def get_outcome_display(self) -> str:
        return Outcome(self.outcome).label


def recognition_of(assessor, on: datetime.date) -> Recognition:
    """One assessor's counted assessments in the current window and the outcome on `on`."""
    current = assessor.current_certificate
    if current is None:
        return Recognition(on, None, None, threshold())
    start, end = current.issued_on, current.valid_until
    last = min(end, on)
    counted = [
        Counted(
            date=a.session.start_date,
            source="session",
            lsp=a.session.lsp.name,
            scheme=a.session.scheme.title,
            tuk=a.session.tuk.name,
            asesi=a.asesi,
            url=a.session.get_absolute_url(),
        )
        for a in assessor.assignments.filter(
            submitted_at__isnull=False,
            session__start_date__gte=start,
            session__start_date__lte=last,
        )
        .select_related("session__lsp", "session__scheme", "session__tuk")
        .annotate(
            asesi=Count(
                "session__enrolments", filter=Q(session__enrolments__assessor_id=assessor.pk)
            )
        )
    ]
    counted += [
        Counted(
            date=e.date,
            source="logbook",
            lsp=e.lsp.name if e.lsp_id else e.lsp_name,
            scheme=e.scheme_name,
            tuk=e.tuk_name,
            asesi=e.asesi_count,
        )
        for e in assessor.logbook.filter(date__gte=start, date__lte=last).select_related("lsp")
    ]
    counted.sort(key=lambda c: c.date)
    result = Recognition(on, start, end, threshold(), counted)
    result.outcome = outcome_of(end, result.done, on)
    return result


class LogbookEntry(AuditedModel):
    """An assessment done outside Kompeten (before it, or for another LSP): it counts toward RCC."""

    assessor = models.ForeignKey(
        "assessors.Assessor", models.CASCADE, related_name="logbook", verbose_name=_("assessor")
    )
    date = models.DateField(_("date of the assessment"))
    lsp = models.ForeignKey(
        "lsp.Lsp",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("LSP"),
    )
    lsp_name = models.CharField(_("LSP (if not in Kompeten)"), max_length=200, blank=True)
    scheme_name = models.CharField(_("scheme"), max_length=300)
    tuk_name = models.CharField(_("TUK"), max_length=200, blank=True)
    asesi_count = models.PositiveSmallIntegerField(_("number of asesi"))
    evidence = models.FileField(
        _("evidence (surat tugas or berita acara)"),
        upload_to=RandomName("logbook"),
        validators=[document_validator],
        blank=True,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_ignored_fields = ("created_at",)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("logbook entry")
        verbose_name_plural = _("logbook entries")
        indexes = [models.Index(fields=["assessor", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lsp__isnull=True, lsp_name=""),
                name="logbook_names_its_lsp",
                violation_error_message=_("Choose the LSP or write its name."),
            )
        ]

    def __str__(self):
        return f"{self.date} · {self.scheme_name}"

    def audit_scope(self):
        return set(self.assessor.lsps.values_list("pk", flat=True)), None


class AssessorFlag(models.Model):
    """Raised once per current certificate and reason by the daily check; a renewal starts afresh.

    kind "expiry": stage "90", "60", "30" (days before) or "expired";
    kind "outcome": stage "eligible", "at_risk" or "must_retrain".
    """

    class Kind(models.TextChoices):
        EXPIRY = "expiry", _("Certificate expiry")
        OUTCOME = "outcome", _("Recognition (RCC)")

    assessor = models.ForeignKey(
        "assessors.Assessor", models.CASCADE, related_name="flags", verbose_name=_("assessor")
    )
    certificate = models.ForeignKey(
        "assessors.AssessorCertificate",
        models.CASCADE,
        related_name="flags",
        verbose_name=_("certificate"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=15)
    raised_on = models.DateField(_("raised on"))
    valid_until = models.DateField(_("certificate valid until"))
    assessments_done = models.PositiveSmallIntegerField(_("assessments done"), default=0)
    run = models.UUIDField(editable=False)
    notified_at = models.DateTimeField(_("e-mails sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name = _("assessor flag")
        verbose_name_plural = _("assessor flags")
        constraints = [
            # The claim: two runs (or two workers) raise a flag once.
            models.UniqueConstraint(
                fields=["certificate", "kind", "stage"], name="assessorflag_once"
            )
        ]
        indexes = [
            models.Index(fields=["assessor", "-raised_on"]),
            models.Index(fields=["run"]),
            models.Index(fields=["kind", "stage", "-raised_on"]),
        ]

    def __str__(self):
        return f"{self.assessor_id} {self.kind}:{self.stage}"

    def get_stage_display(self) -> str:
        if self.kind == self.Kind.OUTCOME:
            return Outcome(self.stage).label
        if self.stage == "expired":
            return str(_("Expired"))
        return str(_("Expires within %(days)s days")) % {"days": self.stage}
