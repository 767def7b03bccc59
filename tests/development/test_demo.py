"""The demo teachers: some below the minimum, some at the cap, asesor1 waiting on a verification;
a second run writes nothing."""

import pytest
from django.utils import timezone

from assessors import demo as assessors_demo
from development import demo
from development.models import Activity, Teacher
from development.rules import Semester, max_points, min_points
from lsp import demo as lsp_demo

pytestmark = pytest.mark.django_db


def test_demo_teachers_below_the_minimum_and_at_the_cap_and_idempotent():
    today = timezone.localdate()
    lsp_demo.build_demo(today=today)
    assessors_demo.build_demo(today=today)
    first = demo.build_demo(today=today)
    assert first.totals["teachers"] == 40 and first.totals["development activities"] > 50
    semester = Semester.of(today)
    points = dict(Teacher.objects.with_points(semester).values_list("full_name", "points"))
    assert sum(p < min_points() for p in points.values()) >= 10
    assert sum(p >= max_points() for p in points.values()) >= 5
    assert not Activity.objects.filter(end_date__gt=today).exists()

    asesor1 = Teacher.objects.get(user__username="asesor1")
    assert asesor1.points_in(semester) < min_points()
    assert asesor1.activities.filter(status="pending").exists()

    again = demo.build_demo(today=today)
    assert (again.created, again.changed, again.deleted) == (0, 0, 0)
    assert again.totals == first.totals
