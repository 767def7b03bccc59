"""The data set of `bench/dashboards.py`: provinces of SMKs with five years of certification.

`Builder.province(province, regencies, schools=…, verdicts=…)` adds one province: its schools
spread over the regencies, an LSP-P1 per ten schools (the host and nine network schools), two
schemes per LSP (8 to 12 units each), a hundred assessors per LSP (BNSP certificates spread over
active, expiring and expired; technical scopes; a logbook for some), a TUK per school, BANPER
programmes (Direktorat SMK, kept by each LSP for its schools) and a provincial programme with
school quotas, and sessions over the last five calendar years until the unit verdicts reach the
number asked. Each session serves one school's students of one scheme: most decided K, some BK
(at least one unit BK), about one BK in ten re-assessed after a granted appeal in the next session
of the same school and scheme (round 2); certificates for every K (a few revoked). The current
year's sessions run from 1 January to a month ahead: those still ahead are open (no verdicts),
those of the last two weeks await the decision (verdicts, no decision).

The small tables go through `bulk_create` here; the sessions are then written to a plan table
(`bench_plan`, by COPY) from which `bench/_dashboards_bulk.py` writes candidates, enrolments,
appeals, unit verdicts and certificates with `INSERT … SELECT`, so five million verdicts take
minutes. Every run builds the same data (a seeded generator, and hashes of ids in the SQL).
PostgreSQL only (`hashint8`, arrays, `jsonb`, COPY).
"""

import contextlib
import datetime
import io
import math
import random
import time
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from bench import _dashboards_bulk as bulk

SCHOOLS_PER_LSP = 10
SCHEMES_PER_LSP = 2
ASSESSORS_PER_LSP = 100
YEARS = 5
BANPER_SCHOOLS_PER_TEN = 6  # schools of each LSP with a BANPER quota each year
PROVINCIAL_SHARE = 0.2  # of the others, those with a quota of the provincial programme
AWAITING_DAYS = 14  # sessions that ended this recently await their decision
AHEAD_DAYS = 30  # the current year's sessions run up to this far ahead
REGENCY_WEIGHTS = (3, 2, 4, 2, 2, 1, 1, 5, 6, 2)  # towns draw more schools than the interior


@dataclass
class Stats:
    schools: int = 0
    lsps: int = 0
    schemes: int = 0
    assessors: int = 0
    sessions: int = 0
    programmes: int = 0
    rows: dict = field(default_factory=dict)


class Builder:
    """Adds provinces to the (empty, throwaway) database; numbers stay unique across calls."""

    def __init__(self, today: datetime.date, seed: int = 8):
        from lsp.models import Concentration, FundingSource, User

        self.today = today
        self.first_year = today.year - YEARS + 1
        self.rng = random.Random(seed)
        self.concentrations = list(Concentration.objects.order_by("pk"))
        sources = {s.code: s for s in FundingSource.objects.all()}
        self.banper = next(s for s in sources.values() if s.is_banper)
        self.school_budget = next(s for s in sources.values() if s.is_default)
        self.provincial = sources["3"]
        self.self_funded = sources["4"]
        self.industry = sources["5"]
        self.recorder = User.objects.create_user("bench-asesor", full_name="Asesor Bench")
        self.blocks = 0
        self.seconds = {}  # step → seconds, over every province added
        self.counters = dict.fromkeys(("lsp", "scheme", "assessor"), 0)
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        with connection.cursor() as cursor:
            columns = ", ".join(f"{name} {kind}" for name, kind in bulk.PLAN_COLUMNS)
            cursor.execute(f"CREATE UNLOGGED TABLE bench_plan ({columns})")

    @contextlib.contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0) + time.perf_counter() - start

    def _next(self, name: str) -> int:
        self.counters[name] += 1
        return self.counters[name]

    # --- the province ----------------------------------------------------------------------------
    def province(self, province, regencies, *, schools: int, verdicts: int) -> Stats:
        """Add one province of `schools` SMKs whose sessions hold about `verdicts` unit verdicts."""
        self.blocks += 1
        stats = Stats()
        with self.step("small_tables"), transaction.atomic():
            lsps = self._institutions(province, regencies, schools, stats)
            self._assessors(lsps, stats)
            sessions = self._sessions(province, lsps, verdicts, stats)
            self._plan(sessions)
        stats.rows = bulk.fill(self.blocks, self.recorder.pk, self.step)
        return stats

    def _institutions(self, province, regencies, count, stats):
        from assessments.models import Scheme, SchemeUnit, Unit
        from lsp.models import Lsp, Role, School, Tuk, User

        weights = [REGENCY_WEIGHTS[n % len(REGENCY_WEIGHTS)] for n in range(len(regencies))]
        picks = self.rng.choices(regencies, weights=weights, k=count)
        schools = School.objects.bulk_create(
            School(
                npsn=f"3{self.blocks:02d}{n:05d}",
                name=f"SMK {'Negeri' if n % 3 else 'Swasta'} {n} {regency.name}",
                status=School.Status.PUBLIC if n % 3 else School.Status.PRIVATE,
                regency=regency,
            )
            for n, regency in enumerate(picks, 1)
        )
        stats.schools = len(schools)
        lsps = []
        for start in range(0, len(schools), SCHOOLS_PER_LSP):
            members = schools[start : start + SCHOOLS_PER_LSP]
            n = self._next("lsp")
            lsps.append(
                _Lsp(
                    Lsp(
                        name=f"LSP P1 {members[0].name}",
                        kind=Lsp.Kind.P1,
                        province=province,
                        host_school=members[0],
                        licence_number=f"BNSP-LSP-{n:04d}-ID",
                        licence_valid_until=self.today + datetime.timedelta(days=400 + n % 700),
                        signatory_name=f"Ketua LSP {n}",
                        signatory_title="Ketua LSP",
                    ),
                    members,
                )
            )
        Lsp.objects.bulk_create([item.lsp for item in lsps])
        stats.lsps = len(lsps)
        Lsp.network_schools.through.objects.bulk_create(
            Lsp.network_schools.through(lsp_id=item.lsp.pk, school_id=school.pk)
            for item in lsps
            for school in item.schools[1:]
        )
        admins = User.objects.bulk_create(
            User(username=f"bench-admin-{item.lsp.pk}", full_name=f"Admin {item.lsp.name}")
            for item in lsps
        )
        Role.objects.bulk_create(
            Role(user=user, kind=Role.Kind.LSP_ADMIN, lsp=item.lsp)
            for user, item in zip(admins, lsps, strict=True)
        )
        tuks = Tuk.objects.bulk_create(
            Tuk(
                lsp=item.lsp,
                code=f"TUK-{school.npsn}",
                name=f"TUK {school.name}",
                kind=Tuk.Kind.MANDIRI,
                regency=school.regency,
                verified_on=datetime.date(self.first_year - 1, 1, 1),
                verified_until=self.today + datetime.timedelta(days=365),
            )
            for item in lsps
            for school in item.schools
        )
        tuk_of = {tuk.code: tuk for tuk in tuks}
        for user, item in zip(admins, lsps, strict=True):
            item.admin = user
            item.tuks = {s.pk: tuk_of[f"TUK-{s.npsn}"] for s in item.schools}

        # Schemes of 8 to 12 units, each serving a concentration, with their own units.
        units, links = [], []
        for item in lsps:
            for _ in range(SCHEMES_PER_LSP):
                n = self._next("scheme")
                concentration = self.concentrations[n % len(self.concentrations)]
                scheme = Scheme(
                    lsp=item.lsp,
                    code=f"SKM/BNSP/{n:05d}/1/{self.first_year}/{province.code}",
                    title=f"Skema Okupasi {concentration.abbreviation} {n}",
                    kind=Scheme.Kind.KKNI,
                    kkni_level=2,
                    concentration=concentration,
                    kbli_code="62019",
                    kbji_code="3512",
                )
                item.schemes.append(scheme)
        Scheme.objects.bulk_create([s for item in lsps for s in item.schemes])
        stats.schemes = sum(len(item.schemes) for item in lsps)
        for item in lsps:
            number = 0
            for scheme in item.schemes:
                size = 8 + scheme.pk % 5
                scheme.unit_count = size
                for order in range(size):
                    number += 1
                    unit = Unit(
                        lsp=item.lsp,
                        code=f"J.620100.{number:03d}.02",
                        title=f"Unit kompetensi {number} {scheme.title}",
                        title_en=f"Unit of competency {number}",
                    )
                    units.append(unit)
                    links.append((scheme, unit, order))
        Unit.objects.bulk_create(units)
        SchemeUnit.objects.bulk_create(
            SchemeUnit(scheme=scheme, unit=unit, order=order) for scheme, unit, order in links
        )
        School.concentrations.through.objects.bulk_create(
            School.concentrations.through(school_id=school.pk, concentration_id=concentration_id)
            for item in lsps
            for school in item.schools
            for concentration_id in {s.concentration_id for s in item.schemes}
        )
        return lsps

    def _assessors(self, lsps, stats):
        from assessors.models import Assessor, AssessorCertificate, LogbookEntry, TechnicalScope

        rng, today = self.rng, self.today
        people = []
        for item in lsps:
            for i in range(ASSESSORS_PER_LSP):
                n = self._next("assessor")
                people.append(
                    (
                        item,
                        Assessor(
                            full_name=f"Asesor {n:05d}",
                            nik=f"{item.lsp.province.code}{50_000_000 + n:014d}",
                            met_number=f"MET.{n // 1_000_000:03d}.{n % 1_000_000:06d} 2020",
                            email=f"asesor{n}@example.id",
                            home_school=item.schools[i % len(item.schools)],
                        ),
                    )
                )
        Assessor.objects.bulk_create([a for _item, a in people])
        stats.assessors = len(people)
        through = Assessor.lsps.through
        serves = [through(assessor_id=a.pk, lsp_id=item.lsp.pk) for item, a in people]
        # One in ten also serves the next LSP of the province.
        serves += [
            through(assessor_id=a.pk, lsp_id=lsps[(lsps.index(item) + 1) % len(lsps)].lsp.pk)
            for n, (item, a) in enumerate(people)
            if n % 10 == 0 and len(lsps) > 1
        ]
        through.objects.bulk_create(serves)
        certificates, scopes, entries = [], [], []
        for n, (item, assessor) in enumerate(people):
            # The current certificate runs out anywhere from 200 days ago to three years ahead:
            # about 15 % expired, 8 % expiring within 90 days, the rest active.
            until = today + datetime.timedelta(days=rng.randint(-200, 1095))
            issued = until - datetime.timedelta(days=3 * 365)
            certificates.append(
                AssessorCertificate(
                    assessor=assessor,
                    number=f"{assessor.pk:06d}/BNSP/B/{issued.year}",
                    issued_on=issued,
                    valid_until=until,
                    kind=AssessorCertificate.Kind.RCC
                    if n % 3 == 0
                    else AssessorCertificate.Kind.INITIAL,
                )
            )
            if n % 3 == 0:  # renewed by RCC: the initial certificate ran out a day after
                certificates.append(
                    AssessorCertificate(
                        assessor=assessor,
                        number=f"{assessor.pk:06d}/BNSP/A/{issued.year - 3}",
                        issued_on=issued - datetime.timedelta(days=3 * 365 - 1),
                        valid_until=issued + datetime.timedelta(days=1),
                    )
                )
            schemes = item.schemes if n % 3 == 0 else [item.schemes[n % len(item.schemes)]]
            for scheme in schemes:
                scopes.append(
                    TechnicalScope(
                        assessor=assessor,
                        scheme=scheme,
                        certificate_number=f"KOMP/{assessor.pk:06d}/{scheme.pk}",
                        valid_until=until + datetime.timedelta(days=rng.randint(-100, 300)),
                    )
                )
            item.pool.setdefault(schemes[0].pk, []).append(assessor.pk)
            for scheme in schemes[1:]:
                item.pool.setdefault(scheme.pk, []).append(assessor.pk)
            if n % 4 == 0:  # assessments before Kompeten, in the current window
                for _ in range(rng.randint(2, 6)):
                    entries.append(
                        LogbookEntry(
                            assessor=assessor,
                            date=issued + datetime.timedelta(days=rng.randrange(365)),
                            lsp=item.lsp,
                            scheme_name=item.schemes[0].title,
                            asesi_count=rng.randint(10, 30),
                        )
                    )
        AssessorCertificate.objects.bulk_create(certificates, batch_size=5000)
        TechnicalScope.objects.bulk_create(scopes, batch_size=5000)
        LogbookEntry.objects.bulk_create(entries, batch_size=5000)

    # --- sessions ---------------------------------------------------------------------------------
    def _dates(self, year: int) -> tuple[datetime.date, datetime.date]:
        first = datetime.date(year, 1, 1)
        if year < self.today.year:
            return first, datetime.date(year, 12, 31)
        last = min(self.today + datetime.timedelta(days=AHEAD_DAYS), datetime.date(year, 12, 31))
        return first, last

    def _sessions(self, province, lsps, verdicts, stats):
        from assessments.models import AssessmentSession
        from lsp.models import FundingProgramme, FundingQuota

        rng, today = self.rng, self.today
        schools = [(item, school) for item in lsps for school in item.schools]
        # The first rounds reach the number asked; round 2 adds under 1 % to it.
        planned, counted, n = [], 0, 0
        while counted < verdicts:
            year = self.first_year + n % YEARS
            item, school = schools[rng.randrange(len(schools))]
            scheme = rng.choice(item.schemes)
            first, last = self._dates(year)
            start = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            students = rng.randint(20, 40)
            days = 1 if students <= 30 else 2
            pool = item.pool[scheme.pk]
            assessors = rng.sample(
                pool, min(len(pool), math.ceil(students / (bulk.PER_DAY * days)))
            )
            end = start + datetime.timedelta(days=days - 1)
            if start > today:
                status = AssessmentSession.Status.OPEN
            elif end >= today - datetime.timedelta(days=AWAITING_DAYS):
                status = AssessmentSession.Status.AWAITING_DECISION
            elif end.year < today.year:
                status = AssessmentSession.Status.REPORTED
            else:
                status = AssessmentSession.Status.DECIDED
            planned.append(_Session(item, school, scheme, start, end, students, assessors, status))
            if status != AssessmentSession.Status.OPEN:
                counted += students * scheme.unit_count
            n += 1
        planned.sort(key=lambda s: (s.start, s.school.pk))

        # Funding: BANPER programmes per LSP and year, and a provincial programme per year.
        programmes, quotas = {}, {}
        keeper = lsps[0]
        for year in range(self.first_year, today.year + 1):
            for item in lsps:
                programmes[item.lsp.pk, year] = FundingProgramme(
                    name=f"BANPER Sertifikasi Kompetensi Siswa SMK {year}",
                    year=year,
                    funder=FundingProgramme.Funder.DIRECTORATE,
                    kind=self.banper,
                    province=province,
                    lsp=item.lsp,
                    reference=f"SK Dir. SMK {item.lsp.pk}/{year}",
                )
            programmes["province", year] = FundingProgramme(
                name=f"Sertifikasi Kompetensi Siswa SMK Provinsi {year}",
                year=year,
                funder=FundingProgramme.Funder.PROVINCE,
                kind=self.provincial,
                province=province,
                lsp=keeper.lsp,
                reference=f"Pergub {province.code}/{year}",
            )
        FundingProgramme.objects.bulk_create(programmes.values())
        stats.programmes = len(programmes)
        for position, (item, school) in enumerate(schools):
            for year in range(self.first_year, today.year + 1):
                if (position + year) % 10 < BANPER_SCHOOLS_PER_TEN:
                    quotas[school.pk, year] = [
                        programmes[item.lsp.pk, year],
                        rng.randint(3, 10) * 10,
                        0,
                    ]
                elif rng.random() < PROVINCIAL_SHARE:
                    quotas[school.pk, year] = [
                        programmes["province", year],
                        rng.randint(2, 6) * 10,
                        0,
                    ]

        sessions = []
        counters = {}
        for plan in planned:
            quota = quotas.get((plan.school.pk, plan.start.year))
            programme, funding = None, self.school_budget
            if quota and quota[2] + plan.students <= quota[1]:
                programme, funding = quota[0], quota[0].kind
                quota[2] += plan.students
            elif rng.random() < 0.1:
                funding = self.self_funded
            elif rng.random() < 0.05:
                funding = self.industry
            number = counters[plan.item.lsp.pk, plan.start.year] = (
                counters.get((plan.item.lsp.pk, plan.start.year), 0) + 1
            )
            decided = plan.status in (
                AssessmentSession.Status.DECIDED,
                AssessmentSession.Status.REPORTED,
            )
            plan.decided_at = (
                datetime.datetime.combine(
                    plan.end + datetime.timedelta(days=3), datetime.time(10), tzinfo=self.zone
                )
                if decided
                else None
            )
            plan.session = AssessmentSession(
                lsp=plan.item.lsp,
                scheme=plan.scheme,
                tuk=plan.item.tuks[plan.school.pk],
                code=f"JDW/{plan.start.year}/{number:04d}",
                start_date=plan.start,
                end_date=plan.end,
                funding=funding,
                programme=programme,
                status=plan.status,
                decided_at=plan.decided_at,
                decided_by=plan.item.admin if decided else None,
            )
            sessions.append(plan.session)
        AssessmentSession.objects.bulk_create(sessions, batch_size=2000)
        stats.sessions = len(sessions)
        FundingQuota.objects.bulk_create(
            FundingQuota(
                programme=programme, school_id=school_id, quota=quota, amount_per_student=450_000
            )
            for (school_id, _year), (programme, quota, _used) in quotas.items()
        )
        return planned

    def _plan(self, planned):
        """The sessions as rows of `bench_plan`, for the bulk SQL (COPY)."""
        from assessments.models import AssessmentSession, SessionAssessor

        later = {}
        for plan in reversed(planned):  # sorted by date: the next of each school and scheme
            key = (plan.school.pk, plan.scheme.pk)
            plan.next = later.get(key)
            later[key] = plan.session.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT greatest((SELECT max(id) FROM assessments_candidate),"
                " (SELECT max(id) FROM assessments_enrolment))"
            )
            next_id = (cursor.fetchone()[0] or 0) + 1
        buffer = io.StringIO()
        assignments = []
        for plan in planned:
            assessed = plan.status != AssessmentSession.Status.OPEN
            submitted = datetime.datetime.combine(plan.end, datetime.time(16), tzinfo=self.zone)
            school_year = plan.start.year if plan.start.month >= 7 else plan.start.year - 1
            row = (
                self.blocks,
                plan.session.pk,
                plan.school.pk,
                plan.item.lsp.pk,
                plan.scheme.pk,
                plan.scheme.unit_count,
                plan.scheme.concentration_id,
                plan.scheme.concentration.abbreviation,
                plan.school.regency.name,
                f"{school_year}/{school_year + 1}",
                school_year + 1,
                next_id,
                plan.students,
                plan.start.isoformat(),
                "t" if assessed else "f",
                "t" if plan.decided_at else "f",
                submitted.isoformat() if assessed else r"\N",
                plan.decided_at.isoformat() if plan.decided_at else r"\N",
                plan.item.admin.pk,
                "{" + ",".join(map(str, plan.assessors)) + "}",
                plan.next if plan.next else r"\N",
                "t" if plan.session.programme_id else "f",
            )
            buffer.write("\t".join(map(str, row)) + "\n")
            next_id += plan.students
            assignments += [
                SessionAssessor(
                    session=plan.session,
                    assessor_id=assessor,
                    impartiality_declared_at=submitted - datetime.timedelta(days=7),
                    submitted_at=submitted if assessed else None,
                )
                for assessor in plan.assessors
            ]
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert("COPY bench_plan FROM STDIN", buffer)
        SessionAssessor.objects.bulk_create(assignments, batch_size=5000)

    def analyze(self):
        """Gather planner statistics and mark the pages all-visible (for index-only scans), as
        autovacuum would in production after a load."""
        with self.step("analyze"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def finish(self):
        """Drop the plan table (the last province is added)."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_plan")


@dataclass
class _Lsp:
    lsp: object
    schools: list
    schemes: list = field(default_factory=list)
    pool: dict = field(default_factory=dict)  # scheme id → assessor ids with it in their scope
    admin: object = None
    tuks: dict = field(default_factory=dict)


@dataclass
class _Session:
    item: _Lsp
    school: object
    scheme: object
    start: datetime.date
    end: datetime.date
    students: int
    assessors: list
    status: str
    decided_at: datetime.datetime | None = None
    session: object = None
    next: int | None = None
