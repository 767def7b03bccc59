"""The plan of the demo's history: past years of certification at the three demo LSPs.

`DEMO_HISTORY_YEARS` years (default 4) before the demo's year; 0 plans no history.

`plan(ctx)` decides, from what the database holds (the demo LSPs, schemes, TUKs, assessors with
their certificates and technical scope), every history session: its scheme, days, assessors,
funding and asesi, with who is BK in which units and whose certificate is later revoked. The
plan is a pure function of the day and of that data, so a second run on the same day plans the
same history (and `dashboards.demo` then writes nothing).

The rules it keeps, so that the history reads like work the LSPs really did:
- each session takes the LSP's own TUK (mandiri) and one or two of its assessors who have the
  scheme in their technical scope and held an assessor certificate (current or earlier) over
  every day of it, are not booked in another session (the history's or any other) those days,
  and assess at most the LSP's daily limit of asesi (`max_candidates_per_assessor_day`) a day;
- assessors at risk today (current certificate valid, under `RCC_AT_RISK_DAYS` left) are kept out
  of sessions inside that certificate's window: the history must not lift them over the RCC
  threshold, or the assessor watch would have nobody at risk to show;
- the history ends `GAP_DAYS` before the first session of `assessments/demo_sessions.py`, so the
  two never book the same assessor and their certificate numbers never interleave in a year;
- the asesi are graduates of the LSP's schools (new demo students, marked by an e-mail address at
  the demo's domain), in class XII of the school year of the session, and BK asesi enrol again in
  the LSP's next session of the scheme.

Years with fewer certified assessors have fewer sessions, as in the demo's registry: the first
history year is thin, the last ones full (about 250–300 asesi a year across the province).
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings

from assessments.demo_sessions import DECIDED_AFTER
from assessments.demo_sessions import SESSIONS as DEMO_SESSIONS
from assessments.demo_students import (
    FEMALE_FIRST,
    FEMALE_LAST,
    FEMALE_MIDDLE,
    MALE_FIRST,
    MALE_LAST,
    MALE_MIDDLE,
    PHONE_PREFIXES,
    STREETS,
    TOWNS,
    planned_students,
)
from lsp.demo import EMAIL_DOMAIN, LSPS

SEED = "kompeten-riwayat"
CODE = "UJK-{lsp}-{year}-{number:02d}"
CODE_PATTERN = r"^UJK-[A-Z]{3}-[0-9]{4}-[0-9]{2}$"
LSP_CODES = dict(zip((lsp.name for lsp in LSPS), ("SMD", "BPN", "BTG"), strict=True))
# When SMKs certify: before the final exams (February, April) and after the internships
# (September, November). A session starts on the first working day from a window on which
# certified assessors are free, at most `SEARCH_DAYS` later; each scheme takes `PER_YEAR` windows.
WINDOWS = ((2, 3), (4, 14), (9, 8), (11, 3))
SEARCH_DAYS = 28
STAGGER_DAYS = 5  # the LSP's schemes start a few days apart
PER_YEAR = 2
DAYS = 2  # days a session lasts
GAP_DAYS = 14
# Fresh asesi per session, growing year by year: the last history year takes the last pair.
SIZES = ((12, 18), (14, 20), (16, 22), (18, 24))
BK_RATE = (0.05, 0.2)  # of a session's asesi, drawn per session
RETAKE_BK_RATE = 0.1
REVOKE_RATE = 0.012  # of the certificates
REVOKE_REASONS = (
    "Identitas pemegang tidak sesuai dokumen kependudukan; sertifikat diterbitkan ulang "
    "setelah perbaikan data.",
    "Hasil audit internal LSP menemukan bukti portofolio yang tidak autentik.",
)
HOST_WEIGHT = 3  # the host school sends the most asesi
NIK_SEQUENCE = 1001  # the demo's students use 0001–0600 and its assessors 0701–0740
EMAIL = "alumni.{nisn}@" + EMAIL_DOMAIN


@dataclass(frozen=True)
class Alumnus:
    """A graduate of a demo school, assessed in class XII."""

    nisn: str
    nik: str
    full_name: str
    sex: str
    birth_place: str
    birth_date: datetime.date
    address: str
    phone: str
    npsn: str
    concentration: str
    class_name: str
    school_year: str
    graduation_year: int

    @property
    def email(self) -> str:
        return EMAIL.format(nisn=self.nisn)


@dataclass(frozen=True)
class Asesi:
    nisn: str
    bk_units: tuple[int, ...] = ()  # positions of the scheme's units found BK
    revoked: int | None = None  # the certificate is revoked this many days after it is issued


@dataclass
class PlannedSession:
    lsp: str
    code: str
    concentration: str
    start: datetime.date
    end: datetime.date
    assessors: tuple[int, ...]  # assessor ids
    banper: bool
    asesi: list[Asesi] = field(default_factory=list)

    @property
    def decided_on(self) -> datetime.date:
        return self.end + datetime.timedelta(days=DECIDED_AFTER)


@dataclass(frozen=True)
class AssessorFacts:
    """What the plan needs to know of a demo assessor."""

    pk: int
    name: str
    lsp_ids: frozenset[int]
    scheme_ids: frozenset[int]
    certificates: tuple[tuple[datetime.date, datetime.date], ...]  # (issued, valid until)

    def certified(self, start: datetime.date, end: datetime.date) -> bool:
        return any(issued <= start and end <= until for issued, until in self.certificates)

    def protected(self, day: datetime.date, today: datetime.date) -> bool:
        """At risk today, and `day` falls in the current certificate's window."""
        if not self.certificates:
            return False
        issued, until = max(self.certificates)
        at_risk_until = today + datetime.timedelta(days=settings.RCC_AT_RISK_DAYS)
        return today <= until < at_risk_until and issued <= day <= until


@dataclass
class PlanInput:
    today: datetime.date
    lsp_ids: dict[str, int]  # LSP name: id
    capacity: dict[str, int]  # LSP name: asesi per assessor per day
    schemes: dict[tuple[str, str], int]  # (LSP name, concentration): scheme id
    unit_counts: dict[int, int]  # scheme id: units
    assessors: list[AssessorFacts]
    schools: dict[str, list[tuple[str, str, int]]]  # LSP name: [(NPSN, regency code, weight)]
    concentrations: dict[str, set[str]]  # NPSN: its concentrations
    booked: dict[int, set[datetime.date]]  # assessor id: days in sessions outside the history


@dataclass
class Plan:
    sessions: list[PlannedSession]
    alumni: dict[str, Alumnus]  # NISN: the graduate

    def years(self) -> list[int]:
        return sorted({s.start.year for s in self.sessions})


def history_years(today: datetime.date) -> list[int]:
    """The years before the demo's: `DEMO_HISTORY_YEARS` of them (0: no history)."""
    return list(range(today.year - settings.DEMO_HISTORY_YEARS, today.year))


def last_day(today: datetime.date) -> datetime.date:
    """The history ends before the demo's own sessions (`assessments/demo_sessions.py`)."""
    first = min(seed.start for seed in DEMO_SESSIONS)
    return today + datetime.timedelta(days=first - GAP_DAYS)


def plan(data: PlanInput) -> Plan:
    """Every history session, oldest first, and the graduates they assess."""
    booked = {pk: set(days) for pk, days in data.booked.items()}
    retakers: dict[tuple[str, str], list[str]] = {}
    maker = _AlumniMaker(data)
    sessions = []
    ending = last_day(data.today)
    years = history_years(data.today)
    for year in years:
        position = max(0, len(SIZES) - (len(years) - years.index(year)))
        for lsp in LSP_CODES:
            keys = sorted(key for key in data.schemes if key[0] == lsp)
            for offset, key in enumerate(keys):
                taken = 0
                for month, day in WINDOWS:
                    if taken == PER_YEAR:
                        break
                    window = datetime.date(year, month, day)
                    window += datetime.timedelta(days=offset * STAGGER_DAYS)
                    found = _place(data, key, window, ending, booked)
                    if found is None:
                        continue
                    start, assessors = found
                    stream = f"{lsp}:{key[1]}:{start}"  # the session's random stream; coded below
                    session = PlannedSession(
                        lsp=lsp,
                        code=stream,
                        concentration=key[1],
                        start=start,
                        end=start + datetime.timedelta(days=DAYS - 1),
                        assessors=tuple(a.pk for a in assessors),
                        banper=year <= data.today.year - 2 and _rng(stream).random() < 0.5,
                    )
                    _fill(session, data, key, position, retakers, maker)
                    for assessor in assessors:
                        booked.setdefault(assessor.pk, set()).update(_days(session))
                    sessions.append(session)
                    taken += 1
    # Each LSP numbers its sessions of a year by date: UJK-SMD-2024-01, -02 …
    sessions.sort(key=lambda s: (s.start, s.lsp, s.concentration))
    numbers: Counter = Counter()
    for session in sessions:
        year = session.start.year
        numbers[(session.lsp, year)] += 1
        number = numbers[(session.lsp, year)]
        session.code = CODE.format(lsp=LSP_CODES[session.lsp], year=year, number=number)
    return Plan(sessions=sessions, alumni=maker.made)


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _days(session: PlannedSession) -> set[datetime.date]:
    return {session.start + datetime.timedelta(days=n) for n in range(DAYS)}


def _place(data, key, window, ending, booked):
    """The first working day from the window with certified, free assessors: (day, assessors)."""
    lsp, _concentration = key
    scheme_id, lsp_id = data.schemes[key], data.lsp_ids[lsp]
    for shift in range(SEARCH_DAYS + 1):
        start = window + datetime.timedelta(days=shift)
        end = start + datetime.timedelta(days=DAYS - 1)
        if start.weekday() > 5 - DAYS or end + datetime.timedelta(days=DECIDED_AFTER) >= ending:
            continue
        days = {start + datetime.timedelta(days=n) for n in range(DAYS)}
        free = [
            a
            for a in data.assessors
            if lsp_id in a.lsp_ids
            and scheme_id in a.scheme_ids
            and a.certified(start, end)
            and not a.protected(start, data.today)
            and not booked.get(a.pk, set()) & days
        ]
        if free:
            free.sort(key=lambda a: a.name)
            _rng(lsp, key[1], start).shuffle(free)
            return start, free[:2]
    return None


def _fill(session, data, key, position, retakers, maker) -> None:
    """The session's asesi: last session's BK asesi of the scheme again, then new graduates."""
    rng = _rng(session.code)
    room = len(session.assessors) * DAYS * data.capacity[session.lsp]
    again = retakers.pop(key, [])[:room]
    fresh = min(rng.randint(*SIZES[position]), room - len(again))
    nisns = again + [maker.make(session, rng).nisn for _ in range(fresh)]
    units = data.unit_counts[data.schemes[key]]
    bk_rate = rng.uniform(*BK_RATE)
    for nisn in nisns:
        rate = RETAKE_BK_RATE if nisn in again else bk_rate
        bk = ()
        if units and rng.random() < rate:
            bk = tuple(sorted(rng.sample(range(units), min(units, rng.choice((1, 1, 2))))))
        revoked = rng.randint(30, 200) if not bk and rng.random() < REVOKE_RATE else None
        session.asesi.append(Asesi(nisn, bk, revoked))
    retakers[key] = [a.nisn for a in session.asesi if a.bk_units]


class _AlumniMaker:
    """New graduates, numbered in the order the plan needs them (so always the same ones)."""

    def __init__(self, data: PlanInput):
        self.data = data
        self.made: dict[str, Alumnus] = {}
        self.taken = {s.nisn for s in planned_students()}
        self.index = 0

    def make(self, session: PlannedSession, rng: random.Random) -> Alumnus:
        schools = [
            (npsn, regency, weight)
            for npsn, regency, weight in self.data.schools[session.lsp]
            if session.concentration in self.data.concentrations[npsn]
        ]
        npsn, regency, _weight = rng.choices(schools, weights=[w for *_, w in schools])[0]
        # Class XII in the school year of the session: July starts a school year.
        first_year = session.start.year - (session.start.month < 7)
        birth = datetime.date(first_year - 17, 1, 1) + datetime.timedelta(
            days=rng.randrange(365 + 180)
        )
        sex = rng.choice("LP")
        male = sex == "L"
        names = [rng.choice(MALE_FIRST if male else FEMALE_FIRST)]
        if rng.random() < 0.4:
            names.append(rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE))
        names.append(rng.choice(MALE_LAST if male else FEMALE_LAST))
        nisn = self._nisn(birth)
        sequence = NIK_SEQUENCE + len(self.made)
        town = TOWNS[regency]
        alumnus = Alumnus(
            nisn=nisn,
            nik=(
                f"{regency}{rng.randint(1, 10):02d}{birth.day + (0 if male else 40):02d}"
                f"{birth.month:02d}{birth.year % 100:02d}{sequence:04d}"
            ),
            full_name=" ".join(dict.fromkeys(names)),
            sex=sex,
            birth_place=town,
            birth_date=birth,
            address=f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}, {town}",
            phone=rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            npsn=npsn,
            concentration=session.concentration,
            class_name=f"XII {session.concentration} {rng.randint(1, 3)}",
            school_year=f"{first_year}/{first_year + 1}",
            graduation_year=first_year + 1,
        )
        self.made[nisn] = alumnus
        return alumnus

    def _nisn(self, birth: datetime.date) -> str:
        """The birth year's last three digits and a serial no demo student has."""
        while True:
            self.index += 1
            # 7919 is prime to the 9,000,000 serials: every index gives another serial.
            serial = 1_000_000 + (self.index * 7919) % 9_000_000
            nisn = f"{birth.year % 1000:03d}{serial:07d}"
            if nisn not in self.taken and nisn not in self.made:
                return nisn
