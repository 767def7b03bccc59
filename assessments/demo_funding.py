"""Demo funding programmes: BANPER at the three demo LSPs, this year and last.

Each demo LSP keeps a BANPER programme for the current year and one for the previous year, with a
quota for each of its host and network schools. The demo's BANPER sessions draw on the programme
of their LSP and of the year they start in (their dates move with the day, so a session may change
programme at the turn of a year); the other demo sessions on none.

The quotas come from the demo's plan (`demo_sessions.planned_asesi`): each school's students in
the programme's sessions, plus room to spare, rounded up to tens; a school without students in
it gets `EMPTY_QUOTA`. One school is nearly full: the Samarinda school with the most students in
this year's programme has `NEARLY_FULL` places left, so an admin enrolling more of its students
into today's session meets the refusal.

Rows are found by natural keys (programme: LSP, year, name; quota: programme, school) and saved
only where a value differs: a second run on the same day writes nothing.
"""

import datetime
import math
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from lsp.demo import DemoSummary, _upsert
from lsp.models import FundingProgramme, FundingQuota, FundingSource, Lsp, School

from .demo_sessions import SESSIONS, SMD, demo_sessions, planned_asesi
from .models import Candidate

NAME = "BANPER Sertifikasi Kompetensi Siswa SMK"
REFERENCE = "{number}/D5/KU/{year}"  # the directorate's decree naming the recipient schools
NOTES = (
    "Bantuan pemerintah untuk uji kompetensi siswa SMK tingkat akhir melalui LSP-P1; "
    "laporan pertanggungjawaban memakai unduhan Excel halaman ini."
)
AMOUNT_PER_STUDENT = 550_000  # rupiah
SPARE = 10  # places beyond the planned students, before rounding up to tens
EMPTY_QUOTA = 20
NEARLY_FULL = 2  # places left at the nearly full school
NEARLY_FULL_LSP = SMD


def _year_of(seed, today: datetime.date) -> int:
    return (today + timedelta(seed.start)).year


def _planned_students(today: datetime.date) -> dict[tuple[str, int], dict[int, set[str]]]:
    """{(LSP name, year): {school id: NISNs}} of the planned BANPER sessions."""
    plan = planned_asesi()
    nisns = {a.nisn for seed in SESSIONS if seed.banper for a in plan[seed.code]}
    school_of = dict(Candidate.objects.filter(nisn__in=nisns).values_list("nisn", "school_id"))
    students: dict[tuple[str, int], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for seed in SESSIONS:
        if not seed.banper:
            continue
        for asesi in plan[seed.code]:
            if asesi.nisn in school_of:
                key = (seed.lsp, _year_of(seed, today))
                students[key][school_of[asesi.nisn]].add(asesi.nisn)
    return students


def _quotas(lsp: Lsp, year: int, today: datetime.date, planned) -> dict[int, int]:
    """{school id: quota} for the LSP's programme of that year."""
    students = planned.get((lsp.name, year), {})
    quotas = {}
    for school_id in School.objects.of_lsps([lsp.pk]).values_list("pk", flat=True):
        count = len(students.get(school_id, ()))
        quotas[school_id] = math.ceil((count + SPARE) / 10) * 10 if count else EMPTY_QUOTA
    if lsp.name == NEARLY_FULL_LSP and year == today.year and students:
        fullest = max(students, key=lambda pk: (len(students[pk]), -pk))
        if fullest in quotas:
            quotas[fullest] = len(students[fullest]) + NEARLY_FULL
    return quotas


def seed_funding(
    *, summary: DemoSummary, lsps: dict[str, Lsp], today: datetime.date | None
) -> None:
    today = today or timezone.localdate()
    banper = FundingSource.objects.filter(is_banper=True).order_by("code").first()
    if banper is None:
        return
    planned = _planned_students(today)
    programmes = {}
    for number, lsp in enumerate(sorted(lsps.values(), key=lambda lsp: lsp.name), start=1):
        for year in (today.year - 1, today.year):
            programme, created = _upsert(
                FundingProgramme,
                summary=summary,
                lookup={"lsp": lsp, "year": year, "name": NAME},
                values={
                    "funder": FundingProgramme.Funder.DIRECTORATE,
                    "kind": banper,
                    "province": lsp.province,
                    "reference": REFERENCE.format(number=100 + number, year=year),
                    "notes": NOTES,
                },
            )
            programmes[(lsp.name, year)] = programme
            for school_id, quota in _quotas(lsp, year, today, planned).items():
                _upsert(
                    FundingQuota,
                    summary=summary,
                    lookup={"programme": programme, "school_id": school_id},
                    values={"quota": quota, "amount_per_student": AMOUNT_PER_STUDENT},
                )
    _point_sessions(summary, programmes, today)
    summary.totals["funding programmes"] = demo_programmes().count()


def _point_sessions(summary: DemoSummary, programmes: dict, today: datetime.date) -> None:
    """Each demo BANPER session draws on its LSP's programme of its year; the others on none."""
    seeds = {(s.lsp, s.code): s for s in SESSIONS}
    for session in demo_sessions().select_related("lsp"):
        seed = seeds.get((session.lsp.name, session.code))
        if seed is None:
            continue
        wanted = programmes.get((seed.lsp, _year_of(seed, today))) if seed.banper else None
        if session.programme_id != (wanted.pk if wanted else None):
            session.programme = wanted
            session.save(update_fields=["programme", "updated_at"])
            summary.changed += 1


def demo_programmes():
    return FundingProgramme.objects.filter(lsp__name__in=[s.lsp for s in SESSIONS], name=NAME)


def delete_funding() -> int:
    """Delete the demo programmes (their quotas go with them); the sessions go first."""
    return demo_programmes().delete()[0]
