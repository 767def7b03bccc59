"""The semester rule: boundaries, the cap, only verified activities, the semester of the end."""

import datetime

import pytest

from development.models import Activity, ActivityKind, Teacher
from development.rules import Semester, capped
from tests.development.helpers import activity, teacher

pytestmark = pytest.mark.django_db

H1, H2 = Semester(2026, 1), Semester(2026, 2)


@pytest.mark.parametrize(
    ("day", "semester"),
    [
        ("2026-01-01", H1),
        ("2026-06-30", H1),
        ("2026-07-01", H2),
        ("2026-12-31", H2),
        ("2027-01-01", Semester(2027, 1)),
    ],
)
def test_semester_of_a_day(day, semester):
    assert Semester.of(datetime.date.fromisoformat(day)) == semester


def test_semester_dates_keys_and_neighbours():
    assert (H1.start, H1.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert (H2.start, H2.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    assert Semester.parse("2026-2") == H2 and H2.key == "2026-2"
    assert H1.previous == Semester(2025, 2) and H2.next == Semester(2027, 1)
    for bad in ("2026-3", "2026", "", None, "abcd-1", "1900-1"):
        with pytest.raises(ValueError):
            Semester.parse(bad)


def test_reference_kinds_loaded_with_the_platform_points():
    points = dict(ActivityKind.objects.values_list("code", "points"))
    assert points == {
        "pelatihan-mandiri": 8,
        "observasi-sejawat": 8,
        "penggerak-komunitas": 36,
        "narasumber": 8,
        "peserta-komunitas": 4,
        "program-jangka-menengah": 128,
        "pelatihan-bersertifikat": 8,
        "magang": 24,
        "seminar-lokakarya": 4,
        "penghargaan": 12,
    }
    assert ActivityKind.objects.get(code="penghargaan").evidence == "Piagam"


def _sql_points(t, semester):
    return Teacher.objects.with_points(semester).get(pk=t.pk).points


def test_only_verified_activities_count():
    t = teacher()
    activity(t, code="magang", end="2026-03-10", status="verified")
    activity(t, code="magang", end="2026-03-11", status="pending")
    activity(t, code="magang", end="2026-03-12", status="rejected")
    assert t.points_in(H1) == 24 == _sql_points(t, H1)
    row = Teacher.objects.with_points(H1).get(pk=t.pk)
    assert (row.raw_points, row.pending_points) == (24, 24)


def test_boundaries_count_in_the_semester_of_the_last_day():
    t = teacher()
    activity(t, code="narasumber", end="2026-06-30")  # last day of H1
    activity(t, code="magang", start="2026-06-20", end="2026-07-01")  # spans: counts in H2
    activity(t, code="seminar-lokakarya", end="2026-12-31")  # last day of H2
    activity(t, code="penghargaan", end="2027-01-01")  # next year
    assert t.points_in(H1) == 8 == _sql_points(t, H1)
    assert t.points_in(H2) == 28 == _sql_points(t, H2)
    assert t.points_in(Semester(2027, 1)) == 12
    assert list(
        Activity.objects.in_semester(H2).order_by("end_date").values_list("points", flat=True)
    ) == [24, 4]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ((), 0),
        (("magang", "peserta-komunitas", "narasumber"), 36),
        (("program-jangka-menengah",), 128),
        (("program-jangka-menengah", "seminar-lokakarya"), 128),
        (("program-jangka-menengah", "program-jangka-menengah"), 128),
    ],
)
def test_the_total_is_capped_the_same_in_python_and_sql(codes, expected):
    t = teacher()
    for n, code in enumerate(codes):
        activity(t, code=code, end=datetime.date(2026, 2, 1 + n))
    assert t.points_in(H1) == expected == _sql_points(t, H1)


def test_min_and_cap_are_settings(settings):
    settings.DEVELOPMENT_MAX_POINTS = 100
    t = teacher()
    activity(t, code="program-jangka-menengah", end="2026-02-01")
    assert capped(128) == 100 == t.points_in(H1) == _sql_points(t, H1)


def test_points_are_fixed_when_recorded():
    t = teacher()
    a = activity(t, code="magang", end="2026-02-01")
    ActivityKind.objects.filter(code="magang").update(points=30)
    a.refresh_from_db()
    assert a.points == 24 and t.points_in(H1) == 24


def test_a_rejection_needs_a_reason_and_the_end_follows_the_start():
    from django.db import IntegrityError, transaction

    t = teacher()
    a = activity(t, end="2026-02-01", status="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=a.pk).update(status="rejected", rejection_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=a.pk).update(start_date=datetime.date(2026, 2, 2))
