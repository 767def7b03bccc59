"""Demo data: the demo assessors as teachers of their home schools, with activities this semester.

Runs after assessors/demo.py. Every activity is looked up by its teacher and title and saved only
where a value differs, so a second run on the same day writes nothing. Dates fall in the current
semester, up to the demo's day. The mix: a quarter of the teachers at the cap (a 3–6-month
programme and more), a quarter above the minimum with one claim rejected, a quarter below the
minimum with a claim awaiting verification (`asesor1` among them, so a verification moves the
total), a quarter with nothing yet.
"""

import datetime

from django.apps import apps as django_apps
from django.db import transaction

from assessors.demo import NIKS
from assessors.models import Assessor
from lsp.demo import DemoSummary, _upsert
from lsp.models import User

from .models import Activity, ActivityKind, Teacher
from .reference import load as load_kinds
from .rules import Semester
from .services import teacher_of_assessor

VERIFIER = "admin.lsp1"
PENDING, VERIFIED, REJECTED = Activity.Status.values

# (kind code, title, organiser, days before the end, length in days, status)
AT_CAP = (
    (
        "program-jangka-menengah",
        "Pendidikan Guru Penggerak Angkatan 11",
        "Kemendikbudristek",
        5,
        120,
        VERIFIED,
    ),
    ("seminar-lokakarya", "Lokakarya Kurikulum Merdeka SMK", "Disdikbud Kaltim", 20, 1, VERIFIED),
    (
        "narasumber",
        "Narasumber berbagi praktik baik TEFA",
        "Komunitas Guru SMK Kaltim",
        12,
        1,
        PENDING,
    ),
)
REACHED = (
    ("magang", "Magang industri jaringan di PT Telkom Akses", "PT Telkom Akses", 30, 21, VERIFIED),
    (
        "pelatihan-bersertifikat",
        "Bimtek asesmen berbasis kompetensi",
        "BBPPMPV BOE",
        10,
        3,
        VERIFIED,
    ),
    (
        "narasumber",
        "Narasumber komunitas belajar sekolah",
        "SMK Negeri 1 Samarinda",
        3,
        1,
        VERIFIED,
    ),
    ("penghargaan", "Guru berprestasi tingkat kota", "Pemerintah Kota", 8, 1, REJECTED),
)
BELOW = (
    (
        "seminar-lokakarya",
        "Seminar nasional pendidikan vokasi",
        "Universitas Mulawarman",
        25,
        1,
        VERIFIED,
    ),
    (
        "peserta-komunitas",
        "Berbagi praktik baik asesmen diagnostik",
        "Komunitas belajar sekolah",
        14,
        1,
        VERIFIED,
    ),
    (
        "pelatihan-mandiri",
        "Pelatihan mandiri: pembelajaran berdiferensiasi",
        "Platform Merdeka Mengajar",
        6,
        14,
        PENDING,
    ),
)
PLANS = (AT_CAP, REACHED, BELOW, ())
REJECTION = "Piagam belum dilampirkan; unggah piagamnya."
FOR_ACCOUNT = {"asesor1": BELOW}


def build_demo(*, today: datetime.date) -> DemoSummary:
    summary = DemoSummary(totals={})
    with transaction.atomic():
        load_kinds(django_apps)
        kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
        verifier = User.objects.filter(username=VERIFIER).first()
        semester = Semester.of(today)
        assessors = (
            Assessor.objects.filter(nik__in=NIKS, home_school__isnull=False)
            .select_related("user")
            .order_by("nik")
        )
        for index, assessor in enumerate(assessors):
            before = Teacher.objects.filter(assessor=assessor).exists()
            teacher = teacher_of_assessor(assessor)
            summary.created += not before
            username = assessor.user.username if assessor.user else None
            plan = FOR_ACCOUNT.get(username, PLANS[index % len(PLANS)])
            for row in plan:
                _seed_activity(teacher, row, kinds, verifier, semester, today, summary)
        teachers = Teacher.objects.filter(assessor__nik__in=NIKS)
        summary.totals["teachers"] = teachers.count()
        summary.totals["development activities"] = Activity.objects.filter(
            teacher__in=teachers
        ).count()
    return summary


def delete_demo() -> int:
    return Teacher.objects.filter(assessor__nik__in=NIKS).delete()[0]


def _seed_activity(teacher, row, kinds, verifier, semester, today, summary) -> None:
    code, title, organiser, before_end, length, status = row
    kind = kinds.get(code)
    if kind is None:  # a superuser removed the kind: the demo does without it
        return
    end = max(min(today, semester.end) - datetime.timedelta(days=before_end), semester.start)
    start = end - datetime.timedelta(days=length - 1)  # may begin in the previous semester
    values = {
        "kind": kind,
        "organiser": organiser,
        "start_date": start,
        "end_date": end,
        "points": kind.points,
        "status": status,
        "rejection_reason": REJECTION if status == REJECTED else "",
        "verified_by": verifier if status != PENDING else None,
    }
    activity, created = _upsert(
        Activity, summary=summary, lookup={"teacher": teacher, "title": title}, values=values
    )
    if status != PENDING and activity.verified_at is None:
        activity.verified_at = datetime.datetime.combine(end, datetime.time(9), tzinfo=datetime.UTC)
        activity.save(update_fields=["verified_at"])
