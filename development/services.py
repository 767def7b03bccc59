"""Who is a teacher, what Kompeten already knows they did, and the verification of a claim."""

import datetime
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessors.models import Assessor, AssessorCertificate
from lsp.models import School

from .models import Activity, ActivityKind, Teacher
from .rules import Semester, max_points, min_points


# --- Teachers -------------------------------------------------------------------------------------
def assessor_of(user) -> Assessor | None:
    if not user.is_authenticated:
        return None
    return Assessor.objects.filter(user=user).select_related("home_school").first()


def own_teacher(user) -> Teacher | None:
    """The user's teacher record, if they have one yet."""
    if not user.is_authenticated:
        return None
    return Teacher.objects.select_related("school", "assessor").filter(user=user).first()


@transaction.atomic
def teacher_of_assessor(assessor: Assessor) -> Teacher | None:
    """The assessor as a teacher of their home school (created on first need); None without one."""
    teacher = Teacher.objects.filter(assessor=assessor).first()
    if teacher is None and assessor.user_id:
        teacher = Teacher.objects.filter(user_id=assessor.user_id).first()
    if teacher is None:
        if assessor.home_school_id is None:
            return None
        return Teacher.objects.create(
            full_name=assessor.full_name,
            school_id=assessor.home_school_id,
            assessor=assessor,
            user_id=assessor.user_id,
        )
    changed = []
    if teacher.assessor_id is None:
        teacher.assessor = assessor
        changed.append("assessor")
    if teacher.user_id is None and assessor.user_id:
        teacher.user_id = assessor.user_id
        changed.append("user")
    if changed:
        teacher.save(update_fields=changed)
    return teacher


def add_school_assessors(schools) -> int:
    """Make every assessor teaching at these schools a teacher; the number added."""
    missing = Assessor.objects.filter(home_school__in=schools).exclude(
        Exists(Teacher.objects.filter(assessor=OuterRef("pk")))
    )
    added = 0
    for assessor in missing.order_by("pk"):
        if teacher_of_assessor(assessor) is not None:
            added += 1
    return added


def assessors_without_teacher(schools) -> int:
    return (
        Assessor.objects.filter(home_school__in=schools)
        .exclude(Exists(Teacher.objects.filter(assessor=OuterRef("pk"))))
        .count()
    )


# --- Accounts for teachers who are not assessors --------------------------------------------------
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread on paper


def suggest_username(full_name: str) -> str:
    """`budi.santoso` from "Budi Santoso, S.Pd.", numbered when taken (`budi.santoso2`)."""
    User = get_user_model()
    base = slugify(full_name.split(",")[0]).replace("-", ".")[:140] or "guru"
    names = User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    taken = {name.lower() for name in names}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def initial_password() -> str:
    """A one-time password to read out or write down: `xxxx-xxxx-xxxx`."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


@transaction.atomic
def give_account(teacher: Teacher, user):
    """Save the new (unsaved) `user` with a generated password and link it to the teacher.

    The password is returned once, to be shown once: only its hash is kept. Both saves are in
    the audit trail (the account's creation, and the teacher's record gaining it)."""
    locked = Teacher.objects.select_for_update().get(pk=teacher.pk)
    if locked.user_id is not None or locked.assessor_id is not None:
        raise ValueError("This teacher already has an account or is an assessor.")
    user.full_name = user.full_name or teacher.full_name
    password = initial_password()
    validate_password(password, user)  # the site's password rules hold for it too
    user.set_password(password)
    user.save()
    teacher.user = user
    teacher.save(update_fields=["user"])
    return password


# --- Suggestions from Kompeten's own records ------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    source: str  # "certificate-<pk>" / "session-<pk>": what the claim form links as evidence
    title: str
    organiser: str
    start_date: datetime.date
    end_date: datetime.date
    kind: ActivityKind | None
    evidence_label: str


def suggestions(assessor: Assessor | None, teacher: Teacher | None, semester: Semester):
    """The assessor's certificates (training, RCC) issued and sessions they assessed (verdicts
    submitted) ending in the semester, not yet claimed: three queries."""
    if assessor is None:
        return []
    kinds = {}
    for kind in ActivityKind.objects.filter(is_active=True).exclude(suggested_from=""):
        kinds.setdefault(kind.suggested_from, kind)
    claimed = Activity.objects.filter(teacher=teacher) if teacher else Activity.objects.none()
    found = []
    certificates = AssessorCertificate.objects.filter(
        assessor=assessor, issued_on__gte=semester.start, issued_on__lte=semester.end
    ).exclude(pk__in=claimed.exclude(assessor_certificate=None).values("assessor_certificate"))
    for certificate in certificates.order_by("issued_on"):
        rcc = certificate.kind == AssessorCertificate.Kind.RCC
        found.append(
            Suggestion(
                source=f"certificate-{certificate.pk}",
                title=_("RCC of the competency assessor certificate")
                if rcc
                else _("Competency assessor training"),
                organiser="BNSP",
                start_date=certificate.issued_on,
                end_date=certificate.issued_on,
                kind=kinds.get(ActivityKind.Source.ASSESSOR_CERTIFICATE),
                evidence_label=_("Assessor certificate %(number)s")
                % {"number": certificate.number},
            )
        )
    Assignment = apps.get_model("assessments", "SessionAssessor")
    assignments = (
        Assignment.objects.filter(
            assessor=assessor,
            submitted_at__isnull=False,
            session__end_date__gte=semester.start,
            session__end_date__lte=semester.end,
        )
        .exclude(session__in=claimed.exclude(session=None).values("session"))
        .select_related("session__lsp", "session__scheme")
        .order_by("session__end_date")
    )
    for assignment in assignments:
        session = assignment.session
        found.append(
            Suggestion(
                source=f"session-{session.pk}",
                title=_("Competency assessment: %(scheme)s") % {"scheme": session.scheme.title},
                organiser=session.lsp.name,
                start_date=session.start_date,
                end_date=session.end_date,
                kind=kinds.get(ActivityKind.Source.ASSESSMENT),
                evidence_label=_("Assessment report (FR.AK.05) of %(code)s")
                % {"code": session.code},
            )
        )
    return found


def claimable_source(assessor: Assessor | None, source: str):
    """The certificate or session behind a suggestion's key, only if it is the assessor's own."""
    if assessor is None or not source:
        return None
    prefix, _sep, pk = source.partition("-")
    if not pk.isdigit():
        return None
    if prefix == "certificate":
        return AssessorCertificate.objects.filter(assessor=assessor, pk=pk).first()
    if prefix == "session":
        Session = apps.get_model("assessments", "AssessmentSession")
        return (
            Session.objects.filter(
                pk=pk, assignments__assessor=assessor, assignments__submitted_at__isnull=False
            )
            .select_related("lsp", "scheme")
            .first()
        )
    return None


# --- Verification ---------------------------------------------------------------------------------
def verify(activity: Activity, user) -> None:
    activity.status = Activity.Status.VERIFIED
    activity.rejection_reason = ""
    activity.verified_by = user
    activity.verified_at = timezone.now()
    activity.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])


def reject(activity: Activity, user, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give the reason for the rejection."))
    activity.status = Activity.Status.REJECTED
    activity.rejection_reason = reason
    activity.verified_by = user
    activity.verified_at = timezone.now()
    activity.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])


# --- Summaries ------------------------------------------------------------------------------------
def progress(points: int) -> dict:
    """What the progress bar and the 'missing' line show for a semester's total."""
    low, high = min_points(), max_points()
    return {
        "points": points,
        "min": low,
        "max": high,
        "missing": max(low - points, 0),
        "reached": points >= low,
        "at_cap": points >= high,
        "percent": min(round(100 * points / high), 100) if high else 0,
        "min_percent": round(100 * low / high) if high else 0,
    }


def school_summary(schools, semester: Semester):
    """Per school: teachers, how many are below the minimum, how many at the cap. One query."""
    teachers = Teacher.objects.filter(school__in=schools).with_points(semester)
    rows = (
        teachers.order_by()
        .values("school")
        .annotate(
            teachers=Count("pk"),
            below=Count("pk", filter=Q(points__lt=min_points())),
            at_cap=Count("pk", filter=Q(points__gte=max_points())),
        )
    )
    by_school = {row["school"]: row for row in rows}
    result = []
    for school in School.objects.filter(pk__in=schools).select_related("regency"):
        row = by_school.get(school.pk, {"teachers": 0, "below": 0, "at_cap": 0})
        result.append({"school": school, **{k: row[k] for k in ("teachers", "below", "at_cap")}})
    return sorted(result, key=lambda r: (r["school"].regency.name, r["school"].name))
