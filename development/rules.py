"""The semester rule of teachers' competency-development points, written once.

A semester runs January–June or July–December. An activity counts in the semester in which it
ends (an activity spanning two semesters counts once, in the later one), only once verified, and a
teacher's total in a semester is capped at `max_points()`; `min_points()` is what each teacher must
reach. Both are settings (defaults 32 and 128, Perdirjen GTK 7607/B.B1/HK.03/2023).

`Semester` gives the dates, `capped()` the cap; `ActivityQuerySet.counted_in()` and
`TeacherQuerySet.with_points()` apply the same rule in SQL (tests check they agree).
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def min_points() -> int:
    return settings.DEVELOPMENT_MIN_POINTS


def max_points() -> int:
    return settings.DEVELOPMENT_MAX_POINTS


def capped(total: int) -> int:
    """The points a semester's verified activities are worth: never above the cap."""
    return min(total or 0, max_points())


_KEY = re.compile(r"(\d{4})-([12])")


@dataclass(frozen=True, order=True)
class Semester:
    year: int
    half: int  # 1: January–June, 2: July–December

    @classmethod
    def of(cls, day: datetime.date) -> "Semester":
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def current(cls) -> "Semester":
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, key: str | None) -> "Semester":
        """A semester from its key (`2026-1`); ValueError for anything else."""
        match = _KEY.fullmatch((key or "").strip())
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise ValueError(key)
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> datetime.date:
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    @property
    def key(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def label(self) -> str:
        if self.half == 1:
            return _("January–June %(year)s") % {"year": self.year}
        return _("July–December %(year)s") % {"year": self.year}

    @property
    def previous(self) -> "Semester":
        return Semester(self.year - 1, 2) if self.half == 1 else Semester(self.year, 1)

    @property
    def next(self) -> "Semester":
        return Semester(self.year, 2) if self.half == 1 else Semester(self.year + 1, 1)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self):
        return str(self.label)


def semester_from_request(request) -> Semester:
    """The `?semester=` of a page, the current one when absent; bad input is refused (400)."""
    from django.core.exceptions import BadRequest

    key = request.GET.get("semester")
    if not key:
        return Semester.current()
    try:
        return Semester.parse(key)
    except ValueError:
        raise BadRequest(_("Unknown semester “%(key)s”.") % {"key": key[:20]}) from None
