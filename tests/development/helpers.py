"""Small builders for the development tests (kept here, not in tests/factories.py)."""

import datetime

from development.models import Activity, ActivityKind, Teacher
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def teacher(school=None, *, user=None, name="Guru Uji", assessor=None):
    return Teacher.objects.create(
        full_name=name,
        school=school or factories.SchoolFactory(),
        user=user,
        assessor=assessor,
    )


def kind(code="seminar-lokakarya"):
    return ActivityKind.objects.get(code=code)


def activity(teacher, *, code="seminar-lokakarya", end, start=None, status="verified", **kw):
    if isinstance(end, str):
        end = datetime.date.fromisoformat(end)
    if isinstance(start, str):
        start = datetime.date.fromisoformat(start)
    return Activity.objects.create(
        teacher=teacher,
        kind=kind(code),
        title=kw.pop("title", f"Kegiatan {code} {end}"),
        organiser=kw.pop("organiser", "Disdikbud"),
        start_date=start or end,
        end_date=end,
        status=status,
        rejection_reason="Tidak ada bukti" if status == "rejected" else "",
        **kw,
    )
