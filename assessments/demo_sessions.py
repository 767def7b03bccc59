"""Demo assessment sessions: a year of certification at the three demo LSPs.

Each LSP has two or three past sessions, decided (the older ones reported to BNSP), with K or BK per
unit for every asesi, about one in seven BK in one or two units; one BK asesi of Balikpapan appealed
and was re-assessed K by another assessor (round 2), and BK asesi enrol again in a later session.
Samarinda also has a session in assessment today, where asesor1 has begun recording, and one
planned for next month. Dates are relative to the day, so that each session's TUK is verified and
its assessors certified and in scope on its days (`schedule_problems` finds nothing).

As in the other demo modules, rows are found by natural keys (session: LSP and code; enrolment:
session, student, round; verdict: enrolment, unit) and saved only where a value differs: a second
run on the same day writes nothing, a later day moves the dates along, and hand-made changes in the
demo sessions are undone. Who is enrolled and who is BK in which units come from a seeded random
stream. `assign_evenly` spreads the asesi; the hundreds of verdicts are bulk-written with what
`record_verdict`, `submit_verdicts` and `decide` write (recorded by the assessor's account, else the
LSP admin; the decision is the recommendation, by the LSP admin, who assessed none).
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, reduce
from operator import or_

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessors.demo import NIKS
from assessors.models import Assessor
from lsp.demo import ACCOUNTS, LSPS, TUKS, DemoSummary, _differs, _upsert
from lsp.models import FundingSource, Lsp, Role, Tuk, User

from .demo_students import MALE_FIRST, MALE_LAST, planned_students
from .models import (
    Appeal,
    AssessmentSession,
    Candidate,
    Element,
    Enrolment,
    Scheme,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from .services.sessions import assign_evenly, is_conflict

SMD, BPN, BTG = (lsp.name for lsp in LSPS)
Status = AssessmentSession.Status
PLANNED, ASSESSING, DECIDED, REPORTED = (
    Status.PLANNED, Status.ASSESSING, Status.DECIDED, Status.REPORTED,
)  # fmt: skip
DONE = (DECIDED, REPORTED)
SEED = 2026
LEVEL_ORDER = {"XIII": 0, "XII": 1, "XI": 2, "X": 3}  # the final year is certified first
BANPER, SCHOOL = True, False


@dataclass(frozen=True)
class _Session:
    lsp: str
    code: str
    concentration: str  # the demo scheme of the LSP serving it
    tuk: str  # TUK code (lsp/demo.py)
    start: int  # first day, in days from the demo's day (negative: in the past)
    assessors: tuple[str, ...]
    banper: bool
    status: str
    fresh: int = 0  # first-time asesi: the LSP's next students of that concentration
    bk: int = 0  # asesi found BK, in one or two units
    retakes: str = ""  # the earlier session whose BK asesi enrol again
    days: int = 2


SESSIONS = (
    _Session(SMD, "UJK-SMD-01", "AKL", "TUK-SMD-01", -190,
             ("Sri Wahyuni, S.Pd.", "Syamsul Bahri, S.Pd."), BANPER, REPORTED, fresh=20, bk=3),
    _Session(SMD, "UJK-SMD-02", "TKJ", "TUK-SMD-01", -75,
             ("Agus Setiawan, S.T.", "Andi Muhammad Fadli, S.Kom."), SCHOOL, DECIDED,
             fresh=22, bk=2),
    # Today: asesor1's session, with the BK asesi of UJK-SMD-01 back for another try.
    _Session(SMD, "UJK-SMD-03", "AKL", "TUK-SMD-01", 0,
             ("Agus Setiawan, S.T.", "Fitriani, S.E., M.Ak."), BANPER, ASSESSING,
             fresh=9, retakes="UJK-SMD-01"),
    _Session(SMD, "UJK-SMD-04", "TKJ", "TUK-SMD-03", 30,
             ("Agus Setiawan, S.T.", "Bambang Hermawan, S.T., M.T."), SCHOOL, PLANNED),
    _Session(BPN, "UJK-BPN-01", "AKL", "TUK-BPN-01", -280,
             ("Endang Sulastri, S.Pd.", "Heru Santoso, S.E., M.M."), BANPER, REPORTED,
             fresh=24, bk=4),
    _Session(BPN, "UJK-BPN-02", "BR", "TUK-BPN-01", -170,
             ("Eko Prasetyo, S.E.", "Rahmat Hidayat, S.Pd."), SCHOOL, REPORTED, fresh=20, bk=3),
    # At the refinery while its verification ran (it has lapsed since).
    _Session(BPN, "UJK-BPN-03", "AKL", "TUK-BPN-02", -50,
             ("Hj. Siti Aminah, S.Pd., M.M.", "Lilis Suryani, S.Pd."), BANPER, DECIDED,
             fresh=17, bk=2, retakes="UJK-BPN-01"),
    _Session(BTG, "UJK-BTG-01", "RPL", "TUK-BTG-01", -90,
             ("Rina Marlina, S.Kom.", "Fajar Nugroho, S.Kom."), SCHOOL, REPORTED, fresh=18, bk=3),
    _Session(BTG, "UJK-BTG-02", "TKJ", "TUK-BTG-01", -40,
             ("Ahmad Syarifuddin, S.T.", "La Ode Harun, S.T."), BANPER, DECIDED, fresh=24, bk=3),
)  # fmt: skip

# The appeal: the first BK asesi of this session, re-assessed by another assessor.
APPEAL_SESSION = "UJK-BPN-01"
REASSESSOR = "Nur Aisyah, S.Pd."
DECIDED_AFTER = 3  # days after the last session day
APPEAL_FILED_AFTER, APPEAL_GRANTED_AFTER, REASSESSED_AFTER = 5, 2, 7  # days after the previous

METHODS_FIRST_UNIT = ["oral", "written"]  # the safety / professional-practice unit
METHODS = ["observation", "oral"]
BK_NOTE = "Belum semua KUK ditunjukkan saat observasi; perlu latihan tambahan."
SELF_EVIDENCE = "Laporan praktik kerja lapangan dan hasil tugas praktik"
DECISION_NOTES = "Rapat pleno komite teknis LSP mengonfirmasi rekomendasi asesor."
IMPARTIALITY = (
    "Saya mengajar di {school}. Asesi dari sekolah itu saya nilai dengan instrumen dan kriteria "
    "yang sama, dan tidak ada hubungan keluarga dengan mereka."
)
REPORT_NOTES = "Asesmen berjalan sesuai jadwal; asesi BK telah menerima umpan balik."


@dataclass(frozen=True)
class _Asesi:
    nisn: str
    bk_units: tuple[int, ...] = ()  # positions in the scheme's units found BK


def _scheme_seeds() -> dict[tuple[str, str], object]:
    from .demo import SCHEMES  # assessments/demo.py imports this module: read it when called

    return {(s.lsp, s.concentration): s for s in SCHEMES}


@cache
def planned_asesi() -> dict[str, tuple[_Asesi, ...]]:
    """{session code: its first-round asesi}: the same on every run."""
    unit_count = {key: len(s.units) for key, s in _scheme_seeds().items()}
    lsp_of = {npsn: lsp.name for lsp in LSPS for npsn in (lsp.host, *lsp.network)}
    pools = defaultdict(list)
    for student in sorted(planned_students(), key=lambda s: (LEVEL_ORDER[s.level], s.nisn)):
        if student.npsn in lsp_of:
            pools[(lsp_of[student.npsn], student.concentration)].append(student.nisn)
    taken = Counter()
    plan: dict[str, tuple[_Asesi, ...]] = {}
    for seed in SESSIONS:
        key = (seed.lsp, seed.concentration)
        earlier = plan.get(seed.retakes, ())
        winner = appellant(earlier) if seed.retakes == APPEAL_SESSION else None
        retakers = [a.nisn for a in earlier if a.bk_units and a.nisn != winner]
        fresh = pools[key][taken[key] : taken[key] + seed.fresh]
        taken[key] += len(fresh)
        nisns = retakers + fresh
        rng = random.Random(f"{SEED}:{seed.code}")
        bk = set(rng.sample(range(len(nisns)), min(seed.bk, len(nisns))))
        units = unit_count.get(key, 0)
        plan[seed.code] = tuple(
            _Asesi(nisn, tuple(sorted(rng.sample(range(units), rng.choice((1, 1, 2))))))
            if index in bk and seed.status in DONE and units
            else _Asesi(nisn)
            for index, nisn in enumerate(nisns)
        )
    return plan


def appellant(asesi: tuple[_Asesi, ...]) -> str | None:
    return next((a.nisn for a in asesi if a.bk_units), None)


def demo_sessions():
    """The demo's sessions, by their natural keys (enrolments, verdicts, appeals cascade)."""
    return AssessmentSession.objects.filter(
        reduce(or_, (Q(lsp__name=s.lsp, code=s.code) for s in SESSIONS))
    )


def delete_sessions() -> int:
    """Delete the demo sessions; their enrolments, verdicts and appeals go with them."""
    sessions = demo_sessions()
    # The hundreds of verdicts and self-assessments were bulk-written without an audit entry
    # each; they go the same way (nothing depends on them), not one audited delete per row.
    deleted = 0
    for model in (UnitVerdict, SelfAssessment):
        rows = model.objects.filter(enrolment__session__in=sessions)
        deleted += rows._raw_delete(rows.db)
    later = Enrolment.objects.filter(session__in=sessions, round__gt=1)
    rounds = sorted(set(later.values_list("round", flat=True)), reverse=True)
    # A re-assessment protects the enrolment it repeats: the later rounds go first.
    deleted += sum(later.filter(round=number).delete()[0] for number in rounds)
    return deleted + sessions.delete()[0]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class _Context:
    today: datetime.date
    summary: DemoSummary
    lsps: dict[str, Lsp]
    schemes: dict[tuple[str, str], Scheme]
    units: dict[int, list]  # scheme id: its units, in order
    elements: dict[int, list[int]]  # unit id: element ids
    tuks: dict[tuple[str, str], Tuk]
    assessors: dict[str, Assessor]
    admins: dict[str, User]
    candidates: dict[str, Candidate]
    funding: dict[bool, FundingSource]
    starts: dict[tuple[int, str], datetime.date]  # sessions' first days before this run
    appellant: int | None  # the candidate id


def seed_sessions(
    *, summary: DemoSummary, lsps: dict[str, Lsp], today: datetime.date | None
) -> None:
    ctx = _load(summary, lsps, today or timezone.localdate())
    if ctx is not None:
        for seed in SESSIONS:
            _seed_session(seed, ctx)
    sessions = demo_sessions()
    summary.totals["sessions"] = sessions.count()
    summary.totals["enrolments"] = Enrolment.objects.filter(session__in=sessions).count()
    verdicts = UnitVerdict.objects.filter(enrolment__session__in=sessions)
    summary.totals["unit verdicts"] = verdicts.count()


def _load(summary: DemoSummary, lsps: dict[str, Lsp], today: datetime.date) -> _Context | None:
    banper = FundingSource.objects.filter(is_banper=True).order_by("code").first()
    school = FundingSource.objects.filter(is_banper=False).order_by("-is_default", "code").first()
    if banper is None or school is None:
        return None
    seeds = _scheme_seeds()
    by_code = Scheme.objects.in_bulk([s.code for s in seeds.values()], field_name="code")
    schemes = {key: by_code[s.code] for key, s in seeds.items() if s.code in by_code}
    units = {s.pk: list(s.ordered_units()) for s in schemes.values()}
    elements = defaultdict(list)
    unit_ids = [u.pk for scheme_units in units.values() for u in scheme_units]
    for pk, unit_id in Element.objects.filter(unit_id__in=unit_ids).values_list("pk", "unit_id"):
        elements[unit_id].append(pk)
    tuk_names = {t.code: (t.lsp, t.name) for t in TUKS}
    tuks = {
        (tuk.lsp.name, tuk.code): tuk
        for tuk in Tuk.objects.filter(lsp__in=lsps.values()).select_related("lsp")
        if tuk_names.get(tuk.code) == (tuk.lsp.name, tuk.name)
    }
    admin_names = {a.username: a.lsp for a in ACCOUNTS if a.kind == Role.Kind.LSP_ADMIN}
    admins = {
        admin_names[user.username]: user for user in User.objects.filter(username__in=admin_names)
    }
    nisns = [a.nisn for asesi in planned_asesi().values() for a in asesi]
    candidates = Candidate.objects.in_bulk(nisns, field_name="nisn")
    appellant_ = candidates.get(appellant(planned_asesi()[APPEAL_SESSION]))
    return _Context(
        today=today,
        summary=summary,
        lsps=lsps,
        schemes=schemes,
        units=units,
        elements=elements,
        tuks=tuks,
        assessors={
            a.full_name: a
            for a in Assessor.objects.filter(nik__in=NIKS).select_related("home_school")
        },
        admins=admins,
        candidates=candidates,
        funding={True: banper, False: school},
        starts={
            (lsp_id, code): start
            for lsp_id, code, start in demo_sessions().values_list("lsp_id", "code", "start_date")
        },
        appellant=appellant_.pk if appellant_ else None,
    )


# --- One session ----------------------------------------------------------------------------------
def _seed_session(seed: _Session, ctx: _Context) -> None:
    lsp = ctx.lsps.get(seed.lsp)
    scheme = ctx.schemes.get((seed.lsp, seed.concentration))
    tuk = ctx.tuks.get((seed.lsp, seed.tuk))
    admin = ctx.admins.get(seed.lsp)
    assessors = [ctx.assessors[n] for n in seed.assessors if n in ctx.assessors]
    if not (lsp and scheme and tuk and admin and assessors):
        return
    start = ctx.today + timedelta(seed.start)
    end = start + timedelta(seed.days - 1)
    decided = _at(end + timedelta(DECIDED_AFTER), 10) if seed.status in DONE else None
    session, created = _upsert(
        AssessmentSession,
        summary=ctx.summary,
        lookup={"lsp": lsp, "code": seed.code},
        values={
            "scheme": scheme,
            "tuk": tuk,
            "start_date": start,
            "end_date": end,
            "funding": ctx.funding[seed.banper],
            "status": seed.status,
            "decided_at": decided,
            "decided_by": admin if decided else None,
            "decision_notes": DECISION_NOTES if decided else "",
        },
    )
    session.lsp = lsp
    if created:  # scheduled a month ahead (a plain update: no audit entry, no auto_now)
        scheduled = _at(start - timedelta(30), 9)
        AssessmentSession.objects.filter(pk=session.pk).update(created_at=scheduled)
    old_start = ctx.starts.get((lsp.pk, seed.code), start)
    enrolments = _seed_enrolments(seed, ctx, session, assessors, admin, shift=start - old_start)
    second = _seed_appeal(ctx, enrolments, admin) if seed.code == APPEAL_SESSION else None
    if second is not None:  # the re-assessor joins the session, as grant_reassessment has it
        enrolments.append(second)
        assessors = [*assessors, second.assessor]
    _seed_assignments(seed, ctx, session, assessors, enrolments)


def _seed_enrolments(seed, ctx, session, assessors, admin, *, shift) -> list[Enrolment]:
    """The session's first-round enrolments, exactly as planned; their verdicts and APL.02."""
    asesi = planned_asesi()[seed.code]  # none for a planned session
    planned = {ctx.candidates[a.nisn].pk: a for a in asesi if a.nisn in ctx.candidates}
    allowed = {a.pk for a in assessors}
    existing = {}
    extra = defaultdict(list)  # round: enrolment ids
    for enrolment in session.enrolments.select_related("candidate").order_by("round", "pk"):
        key = enrolment.candidate_id
        if enrolment.round == 1 and key in planned and enrolment.assessor_id in allowed:
            existing[key] = enrolment
        elif not (enrolment.round == 2 and key == ctx.appellant and key in existing):
            extra[enrolment.round].append(enrolment.pk)
        # else: the appeal's round 2, seeded by _seed_appeal
    for number in sorted(extra, reverse=True):  # a re-assessment protects the round it repeats
        ctx.summary.deleted += Enrolment.objects.filter(pk__in=extra[number]).delete()[0]
    days = session.days
    for enrolment in existing.values():  # the session moved with the demo's day
        moved = enrolment.assessment_date + shift
        enrolment.assessment_date = min(max(moved, days[0]), days[-1])
    missing = [ctx.candidates[a.nisn] for pk, a in planned.items() if pk not in existing]
    new, _left = assign_evenly(session, missing, assessors) if missing else ([], [])
    by_pk = {a.pk: a for a in assessors}
    enrolments = sorted(
        [*existing.values(), *new],
        key=lambda e: (e.assessment_date, e.candidate.full_name, e.candidate_id),
    )
    first = next(
        (e for e in enrolments if by_pk[e.assessor_id].user_id and seed.status == ASSESSING), None
    )
    changed, fields = [], set()
    for enrolment in enrolments:
        values = _round1_values(
            seed, session, enrolment, planned[enrolment.candidate_id], ctx, by_pk, first=first
        )
        names = [n for n, v in values.items() if _differs(enrolment, n, v)]
        for name in names:
            setattr(enrolment, name, values[name])
        loaded = getattr(enrolment, "_audit_loaded", {})
        if enrolment.pk and (names or enrolment.assessment_date != loaded["assessment_date"]):
            changed.append(enrolment)
            fields.update(names, ["assessment_date"])
    if new:
        Enrolment.objects.bulk_create(new)
        Enrolment.objects.filter(pk__in=[e.pk for e in new]).update(created_at=new[0].applied_at)
        ctx.summary.created += len(new)
    if changed:
        Enrolment.objects.bulk_update(changed, sorted(fields))
        ctx.summary.changed += len(changed)
    units = ctx.units[session.scheme_id]
    wanted = {}
    for enrolment in enrolments:
        wanted.update(_round1_verdicts(seed, enrolment, planned, units, by_pk, admin, first))
    _sync_verdicts(ctx, wanted, UnitVerdict.objects.filter(enrolment__in=enrolments))
    _seed_self_assessments(ctx, enrolments, units)
    return enrolments


def _round1_values(seed, session, enrolment, asesi, ctx, by_pk, *, first) -> dict:
    candidate = enrolment.candidate
    applied = _at(session.start_date - timedelta(21 if seed.status in DONE else 14), 9)
    under_18 = candidate.birth_date + relativedelta(years=18) > applied.date()
    values = {
        "conflict_of_interest": is_conflict(by_pk[enrolment.assessor_id], candidate),
        "purpose": Enrolment.Purpose.CERTIFICATION,
        "guardian_name": _guardian(candidate) if under_18 else "",
        "guardian_consent": under_18,
        "applied_at": applied,
        "eligibility": Enrolment.Eligibility.ELIGIBLE,
        "proceed": True,
        "agreed_methods": [],
        "agreed_at": None,
        "submitted_at": None,
        "feedback": "",
        "decision": "",
        "decided_at": None,
    }
    day = enrolment.assessment_date
    if seed.status in DONE:
        values.update(
            agreed_methods=sorted({*METHODS_FIRST_UNIT, *METHODS}),
            agreed_at=_at(day, 8),
            submitted_at=_at(day, 16),
            feedback=_feedback(asesi, ctx.units[session.scheme_id]),
            decision=Verdict.BK if asesi.bk_units else Verdict.K,
            decided_at=session.decided_at,
        )
    elif enrolment is first:  # asesor1 agreed the plan and began recording
        values.update(agreed_methods=sorted({*METHODS_FIRST_UNIT, *METHODS}), agreed_at=_at(day, 8))
    return values


def _guardian(candidate: Candidate) -> str:
    rng = random.Random(candidate.nisn)
    return f"{rng.choice(MALE_FIRST)} {rng.choice(MALE_LAST)}"


def _feedback(asesi: _Asesi, units) -> str:
    if not asesi.bk_units:
        return "Kompeten pada semua unit. Pertahankan dan terus kembangkan di tempat kerja."
    codes = ", ".join(units[i].code for i in asesi.bk_units)
    return f"Belum kompeten pada unit {codes}. Ikuti latihan ulang, lalu daftar asesmen berikutnya."


def _round1_verdicts(seed, enrolment, planned, units, by_pk, admin, first) -> dict:
    """{(enrolment id, unit id): values} as record_verdict writes them."""
    assessor = by_pk[enrolment.assessor_id]
    recorder = assessor.user_id or admin.pk
    asesi = planned[enrolment.candidate_id]
    if seed.status in DONE:
        positions = range(len(units))
    elif enrolment is first:
        positions = range(min(2, len(units)))  # two units recorded so far
    else:
        return {}
    return {
        (enrolment.pk, units[i].pk): {
            "verdict": Verdict.BK if i in asesi.bk_units else Verdict.K,
            "methods": METHODS_FIRST_UNIT if i == 0 else METHODS,
            "notes": BK_NOTE if i in asesi.bk_units else "",
            "recorded_by_id": recorder,
            "_at": _at(enrolment.assessment_date, 10 + i),
        }
        for i in positions
    }


def _sync_verdicts(ctx: _Context, wanted: dict, current) -> None:
    """Leave exactly the wanted verdicts: create, save what differs, delete the rest."""
    existing = {(v.enrolment_id, v.unit_id): v for v in current}
    new, changed = [], []
    for key, values in wanted.items():
        row = {n: v for n, v in values.items() if n != "_at"}
        verdict = existing.get(key)
        if verdict is None:
            new.append(UnitVerdict(enrolment_id=key[0], unit_id=key[1], **row))
        elif any(_differs(verdict, n, v) for n, v in row.items()):
            for name, value in row.items():
                setattr(verdict, name, value)
            changed.append(verdict)
    if new:
        UnitVerdict.objects.bulk_create(new)
        # recorded_at is auto_now: set the time of the assessment afterwards, one update per time.
        by_time = defaultdict(list)
        for verdict in new:
            by_time[wanted[(verdict.enrolment_id, verdict.unit_id)]["_at"]].append(verdict.pk)
        for when, pks in by_time.items():  # never later than now (asesor1's two, this morning)
            UnitVerdict.objects.filter(pk__in=pks).update(recorded_at=min(when, timezone.now()))
        ctx.summary.created += len(new)
    if changed:
        UnitVerdict.objects.bulk_update(changed, ["verdict", "methods", "notes", "recorded_by"])
        ctx.summary.changed += len(changed)
    extra = [v.pk for key, v in existing.items() if key not in wanted]
    if extra:
        ctx.summary.deleted += UnitVerdict.objects.filter(pk__in=extra).delete()[0]


def _seed_self_assessments(ctx: _Context, enrolments: list[Enrolment], units) -> None:
    """FR.APL.02, filled in before the assessment: the asesi deem themselves K throughout."""
    rows = SelfAssessment.objects.filter(enrolment__in=enrolments)
    done = set(rows.values_list("enrolment_id", "element_id"))
    new = [
        SelfAssessment(enrolment=e, element_id=element, answer=Verdict.K, evidence=SELF_EVIDENCE)
        for e in enrolments
        for unit in units
        for element in ctx.elements[unit.pk]
        if (e.pk, element) not in done
    ]
    SelfAssessment.objects.bulk_create(new, batch_size=500)
    ctx.summary.created += len(new)


def _seed_assignments(seed, ctx, session, assessors, enrolments) -> None:
    """The session's assessors, exactly: impartiality where they teach an asesi, FR.AK.05 notes."""
    declared = _at(session.start_date - timedelta(7), 9)
    for assessor in assessors:
        own = [e for e in enrolments if e.assessor_id == assessor.pk]
        conflict = any(e.conflict_of_interest for e in own)
        note = IMPARTIALITY.format(school=assessor.home_school.name) if conflict else ""
        done = seed.status in DONE and own
        _upsert(
            SessionAssessor,
            summary=ctx.summary,
            lookup={"session": session, "assessor": assessor},
            values={
                "impartiality_declared_at": declared if conflict else None,
                "impartiality_note": note,
                "report_notes": REPORT_NOTES if done else "",
                "submitted_at": (_at(max(e.assessment_date for e in own), 16) if done else None),
            },
        )
    extra_rows = session.assignments.exclude(assessor__in=[a.pk for a in assessors])
    if extra_rows.exists():
        ctx.summary.deleted += extra_rows.delete()[0]


# --- The appeal -----------------------------------------------------------------------------------
def _seed_appeal(ctx: _Context, enrolments: list[Enrolment], admin: User) -> Enrolment | None:
    """FR.AK.04 granted: round 2 with another assessor on the BK units, decided K.

    Returns the round-2 enrolment; removes any other appeal in the demo sessions.
    """
    nisn = appellant(planned_asesi()[APPEAL_SESSION])
    reassessor = ctx.assessors.get(REASSESSOR)
    first = next((e for e in enrolments if e.candidate.nisn == nisn), None)
    appeals = Appeal.objects.filter(enrolment__session__in=demo_sessions())
    if not (first and reassessor and first.decision == Verdict.BK):
        if appeals.exists():
            ctx.summary.deleted += appeals.delete()[0]
        return None
    filed = timezone.localdate(first.decided_at) + timedelta(APPEAL_FILED_AFTER)
    granted = filed + timedelta(APPEAL_GRANTED_AFTER)
    day = granted + timedelta(REASSESSED_AFTER)
    second, _created = _upsert(
        Enrolment,
        summary=ctx.summary,
        lookup={"session": first.session, "candidate": first.candidate, "round": 2},
        values={
            "assessor": reassessor,
            "assessment_date": day,
            "previous": first,
            "purpose": first.purpose,
            "eligibility": Enrolment.Eligibility.ELIGIBLE,
            "conflict_of_interest": is_conflict(reassessor, first.candidate),
            "proceed": True,
            "agreed_methods": METHODS,
            "agreed_at": _at(day, 8),
            "submitted_at": _at(day, 16),
            "feedback": "Kompeten pada unit yang diases ulang.",
            "decision": Verdict.K,
            "decided_at": _at(day + timedelta(2), 10),
        },
    )
    second.assessor = reassessor
    with translation.override(settings.LANGUAGE_CODE):  # the note grant_reassessment writes
        note = _("Carried over from round %(round)s.") % {"round": first.round}
    wanted = {
        (second.pk, v.unit_id): {
            "verdict": Verdict.K,
            "methods": v.methods if v.verdict == Verdict.K else METHODS,
            "notes": note if v.verdict == Verdict.K else "",
            "recorded_by_id": (
                v.recorded_by_id if v.verdict == Verdict.K else reassessor.user_id or admin.pk
            ),
            "_at": _at(day, 10),
        }
        for v in first.verdicts.order_by("unit_id")
    }
    _sync_verdicts(ctx, wanted, second.verdicts.all())
    appeal, _created = _upsert(
        Appeal,
        summary=ctx.summary,
        lookup={"enrolment": first},
        values={
            "filed_on": filed,
            "grounds": [Appeal.Ground.PROCEDURE, Appeal.Ground.FAIR],
            "explanation": (
                "Listrik di ruang praktik padam sekitar 40 menit saat saya mengerjakan tugas, "
                "dan waktunya tidak diganti."
            ),
            "outcome": Appeal.Outcome.GRANTED,
            "outcome_reason": (
                "Berita acara TUK mencatat pemadaman listrik. Unit yang BK diases ulang oleh "
                "asesor lain."
            ),
            "decided_by": admin,
            "decided_at": _at(granted, 10),
            "reassessment": second,
        },
    )
    others = appeals.exclude(pk=appeal.pk)
    if others.exists():
        ctx.summary.deleted += others.delete()[0]
    return second
