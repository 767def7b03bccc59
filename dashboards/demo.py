"""Demo history: four past years of decided sessions, so the dashboards have something to show.

Runs last (dashboards is the top layer), on the demo LSPs, schemes, TUKs and assessors of the
modules before it. `demo_history.plan` decides the sessions; this module writes them the way the
services would have, in bulk (the rules that check dates refuse the past, and thousands of rows
saved one by one would each commit an audit entry): sessions reported to BNSP, each assessor's
assignment submitted with the FR.AK.05 notes (and an impartiality statement where they teach an
asesi's school), the asesi spread over assessors and days by `assign_evenly`, their unit
verdicts (K, some BK), the decision (the recommendation, by the LSP's demo admin), then the
certificates of the K asesi: numbered in date order by the issuing service (`next_sequence`,
gap-free per LSP and year) and filled in by its `copy_enrolment`, without PDFs (they render on
demand); a few are revoked by `revoking.revoke`. BANPER sessions of the older years draw on a
BANPER programme of their LSP and year, with a quota for each of its schools (sized as
`assessments/demo_funding.py` sizes its own); the year before this one has that module's BANPER
programme, whose quotas are not ours to fill, so its history sessions are school-funded. The
self-assessments (FR.APL.02) of the history are not written. Finally `facts.rebuild()`.

Marked as demo data: the sessions by their codes (`UJK-SMD-2023-01`) and notes, the graduates by
their e-mail address at the demo's domain, the programmes by their name and notes.

A second run on the same day finds the history as planned (codes, days, assessors, asesi, funding)
and writes nothing. On another day, or after hand changes to those, it deletes the history and
writes it again. `delete_demo` removes it all, and gives the certificate sequences back the
numbers the history's certificates took.
"""

import datetime
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessments.demo import SCHEMES
from assessments.demo_funding import AMOUNT_PER_STUDENT, EMPTY_QUOTA, SPARE
from assessments.demo_sessions import (
    BK_NOTE,
    DECISION_NOTES,
    IMPARTIALITY,
    METHODS,
    METHODS_FIRST_UNIT,
    REPORT_NOTES,
)
from assessments.demo_students import MALE_FIRST, MALE_LAST
from assessments.models import (
    AssessmentSession,
    Candidate,
    Enrolment,
    Scheme,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from assessments.services.sessions import assign_evenly, span
from assessors.demo import NIKS
from assessors.models import Assessor, AssessorCertificate, TechnicalScope
from certificates.models import Certificate, CertificateSequence
from certificates.services.issuing import copy_enrolment, next_sequence
from certificates.services.revoking import revoke
from lsp.demo import ACCOUNTS, LSPS, SCHOOLS, TUKS, DemoSummary
from lsp.models import (
    Concentration,
    FundingProgramme,
    FundingQuota,
    FundingSource,
    Lsp,
    Role,
    School,
    Tuk,
    User,
)

from . import demo_history
from .demo_history import EMAIL, Plan, PlanInput
from .models import Fact
from .services import facts

PROGRAMME_NAME = "BANPER Uji Kompetensi Siswa SMK"
PROGRAMME_NOTES = "Data demo: riwayat program BANPER untuk dasbor."
SESSION_NOTES = "Data demo: riwayat sertifikasi untuk dasbor."
STATUS = AssessmentSession.Status.REPORTED


def build_demo(*, today: datetime.date) -> DemoSummary:
    summary = DemoSummary(totals={})
    with transaction.atomic():
        ctx = _context(today)
        data = _plan_input(ctx)
        history = demo_history.plan(data) if data is not None else Plan([], {})
        if _signature(history) != _found_signature():
            summary.deleted += delete_history()
            summary.created += _write(history, ctx)
        sessions = history_sessions()
        summary.totals["history sessions"] = sessions.count()
        summary.totals["history certificates"] = Certificate.objects.filter(
            session__in=sessions
        ).count()
        facts.rebuild()
    return summary


def delete_demo() -> int:
    with transaction.atomic():
        return delete_history()


# --- What is there --------------------------------------------------------------------------------
def history_sessions():
    return AssessmentSession.objects.filter(
        lsp__name__in=[lsp.name for lsp in LSPS], code__regex=demo_history.CODE_PATTERN
    )


def history_programmes():
    return FundingProgramme.objects.filter(
        lsp__name__in=[lsp.name for lsp in LSPS], name=PROGRAMME_NAME
    )


def history_students():
    prefix, domain = EMAIL.split("{nisn}")
    return Candidate.objects.filter(email__startswith=prefix, email__endswith=domain)


def _signature(history: Plan) -> dict:
    return {
        (s.lsp, s.code): (s.start, s.end, tuple(sorted(s.assessors)), len(s.asesi), s.banper)
        for s in history.sessions
    }


def _found_signature() -> dict:
    sessions = list(
        history_sessions().values_list("pk", "lsp__name", "code", "start_date", "end_date")
    )
    ids = [row[0] for row in sessions]
    assessors = defaultdict(list)
    for session_id, assessor_id in (
        SessionAssessor.objects.filter(session_id__in=ids)
        .order_by("assessor_id")
        .values_list("session_id", "assessor_id")
    ):
        assessors[session_id].append(assessor_id)
    enrolled = Counter(
        Enrolment.objects.filter(session_id__in=ids).values_list("session_id", flat=True)
    )
    banper = set(history_sessions().filter(programme__isnull=False).values_list("pk", flat=True))
    return {
        (lsp, code): (start, end, tuple(assessors[pk]), enrolled[pk], pk in banper)
        for pk, lsp, code, start, end in sessions
    }


# --- Reading the demo -----------------------------------------------------------------------------
@dataclass
class _Context:
    today: datetime.date
    lsps: dict[str, Lsp]
    schemes: dict[tuple[str, str], Scheme]
    units: dict[int, list]
    tuks: dict[str, Tuk]
    assessors: dict[int, Assessor]
    admins: dict[str, User]
    banper: FundingSource | None
    school_funded: FundingSource | None


def _context(today: datetime.date) -> _Context:
    lsps = {lsp.name: lsp for lsp in Lsp.objects.filter(name__in=[s.name for s in LSPS])}
    by_code = Scheme.objects.in_bulk([s.code for s in SCHEMES], field_name="code")
    schemes = {
        (s.lsp, s.concentration): by_code[s.code]
        for s in SCHEMES
        if s.code in by_code and s.lsp in lsps
    }
    mandiri = {t.lsp: t.name for t in TUKS if t.kind == Tuk.Kind.MANDIRI}
    tuks = {
        tuk.lsp.name: tuk
        for tuk in Tuk.objects.filter(lsp__in=lsps.values()).select_related("lsp")
        if mandiri.get(tuk.lsp.name) == tuk.name
    }
    admin_of = {a.username: a.lsp for a in ACCOUNTS if a.kind == Role.Kind.LSP_ADMIN}
    funding = FundingSource.objects.all()
    return _Context(
        today=today,
        lsps=lsps,
        schemes=schemes,
        units={s.pk: list(s.ordered_units()) for s in schemes.values()},
        tuks=tuks,
        assessors=Assessor.objects.filter(nik__in=NIKS).select_related("home_school").in_bulk(),
        admins={admin_of[u.username]: u for u in User.objects.filter(username__in=list(admin_of))},
        banper=funding.filter(is_banper=True).order_by("code").first(),
        school_funded=funding.filter(is_banper=False).order_by("-is_default", "code").first(),
    )


def _plan_input(ctx: _Context) -> PlanInput | None:
    """What the plan needs; None when the demo lacks its LSPs, schemes, TUKs, admins or
    funding sources."""
    lsps = {name: lsp for name, lsp in ctx.lsps.items() if name in ctx.tuks and name in ctx.admins}
    schemes = {key: scheme.pk for key, scheme in ctx.schemes.items() if key[0] in lsps}
    if not schemes or ctx.school_funded is None:
        return None
    assessors = list(ctx.assessors)
    served = defaultdict(set)
    for assessor_id, lsp_id in Assessor.lsps.through.objects.filter(
        assessor__in=assessors
    ).values_list("assessor_id", "lsp_id"):
        served[assessor_id].add(lsp_id)
    scopes = defaultdict(set)
    in_scope = TechnicalScope.objects.filter(assessor__in=assessors)
    for assessor_id, scheme_id in in_scope.values_list("assessor_id", "scheme_id"):
        scopes[assessor_id].add(scheme_id)
    certificates = defaultdict(list)
    for row in (
        AssessorCertificate.objects.filter(assessor__in=assessors)
        .order_by("issued_on", "pk")
        .values_list("assessor_id", "issued_on", "valid_until")
    ):
        certificates[row[0]].append((row[1], row[2]))
    registry = [
        demo_history.AssessorFacts(
            pk=a.pk,
            name=a.full_name,
            lsp_ids=frozenset(served[a.pk]),
            scheme_ids=frozenset(scopes[a.pk]),
            certificates=tuple(certificates[a.pk]),
        )
        for a in sorted(ctx.assessors.values(), key=lambda a: (a.full_name, a.pk))
    ]
    npsns = [s.npsn for s in SCHOOLS]
    present = set(School.objects.filter(npsn__in=npsns).values_list("npsn", flat=True))
    regency = {s.npsn: s.regency for s in SCHOOLS}
    schools = {
        lsp.name: [
            (npsn, regency[npsn], demo_history.HOST_WEIGHT if npsn == lsp.host else 1)
            for npsn in (lsp.host, *lsp.network)
            if npsn in present
        ]
        for lsp in LSPS
        if lsp.name in lsps
    }
    booked = defaultdict(set)
    others = SessionAssessor.objects.filter(assessor__in=assessors).exclude(
        session__in=history_sessions()
    )
    for assessor_id, start, end in others.values_list(
        "assessor_id", "session__start_date", "session__end_date"
    ):
        booked[assessor_id].update(span(start, end))
    return PlanInput(
        today=ctx.today,
        lsp_ids={name: lsp.pk for name, lsp in lsps.items()},
        capacity={name: lsp.max_candidates_per_assessor_day for name, lsp in lsps.items()},
        schemes=schemes,
        unit_counts={pk: len(units) for pk, units in ctx.units.items()},
        assessors=registry,
        schools=schools,
        concentrations={s.npsn: set(s.concentrations) for s in SCHOOLS},
        booked=dict(booked),
    )


# --- Writing --------------------------------------------------------------------------------------
def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _write(history: Plan, ctx: _Context) -> int:
    """Write the planned history; returns the rows created."""
    if not history.sessions:
        return 0
    plans = history.sessions
    candidates = _write_students(history)
    programmes, created = _write_programmes(ctx, plans, candidates)
    sessions = _write_sessions(ctx, plans, programmes)
    created += len(candidates) + len(sessions)
    enrolments = _write_enrolments(ctx, plans, sessions, candidates)
    created += sum(len(rows) for rows in enrolments.values())
    created += _write_assignments(ctx, plans, sessions, enrolments)
    created += _write_verdicts(ctx, plans, sessions, enrolments)
    created += _write_certificates(ctx, plans, sessions, enrolments)
    return created


def _write_students(history: Plan) -> dict[str, Candidate]:
    schools = School.objects.in_bulk({a.npsn for a in history.alumni.values()}, field_name="npsn")
    concentrations = Concentration.objects.in_bulk(
        {a.concentration for a in history.alumni.values()}, field_name="abbreviation"
    )
    rows = [
        Candidate(
            full_name=a.full_name,
            nisn=a.nisn,
            nik=a.nik,
            birth_place=a.birth_place,
            birth_date=a.birth_date,
            sex=a.sex,
            address=a.address,
            phone=a.phone,
            email=a.email,
            school=schools[a.npsn],
            concentration=concentrations[a.concentration],
            level=Candidate.Level.XII,
            class_name=a.class_name,
            school_year=a.school_year,
            graduation_year=a.graduation_year,
        )
        for a in history.alumni.values()
    ]
    Candidate.objects.bulk_create(rows, batch_size=500)
    return {c.nisn: c for c in rows}


def _write_programmes(ctx: _Context, plans, candidates) -> tuple[dict, int]:
    """A BANPER programme per LSP and year with BANPER sessions, a quota for each school."""
    students = defaultdict(lambda: defaultdict(set))  # (lsp, year): {school id: NISNs}
    for plan in plans:
        if plan.banper:
            for asesi in plan.asesi:
                school_id = candidates[asesi.nisn].school_id
                students[(plan.lsp, plan.start.year)][school_id].add(asesi.nisn)
    if ctx.banper is None:
        return {}, 0
    programmes, quotas = {}, []
    for (lsp_name, year), by_school in sorted(students.items()):
        lsp = ctx.lsps[lsp_name]
        programme = FundingProgramme.objects.create(
            lsp=lsp,
            year=year,
            name=PROGRAMME_NAME,
            funder=FundingProgramme.Funder.DIRECTORATE,
            kind=ctx.banper,
            province_id=lsp.province_id,
            reference=f"{200 + lsp.pk}/D5/KU/{year}",
            notes=PROGRAMME_NOTES,
        )
        programmes[(lsp_name, year)] = programme
        for school_id in School.objects.of_lsps([lsp.pk]).values_list("pk", flat=True):
            count = len(by_school.get(school_id, ()))
            quota = math.ceil((count + SPARE) / 10) * 10 if count else EMPTY_QUOTA
            quotas.append(
                FundingQuota(
                    programme=programme,
                    school_id=school_id,
                    quota=quota,
                    amount_per_student=AMOUNT_PER_STUDENT,
                )
            )
    FundingQuota.objects.bulk_create(quotas)
    return programmes, len(programmes) + len(quotas)


def _write_sessions(ctx: _Context, plans, programmes) -> dict[str, AssessmentSession]:
    rows = []
    for plan in plans:
        programme = programmes.get((plan.lsp, plan.start.year)) if plan.banper else None
        rows.append(
            AssessmentSession(
                lsp=ctx.lsps[plan.lsp],
                scheme=ctx.schemes[(plan.lsp, plan.concentration)],
                tuk=ctx.tuks[plan.lsp],
                code=plan.code,
                start_date=plan.start,
                end_date=plan.end,
                funding=ctx.banper if programme else ctx.school_funded,
                programme=programme,
                status=STATUS,
                notes=SESSION_NOTES,
                decided_at=_at(plan.decided_on, 10),
                decided_by=ctx.admins[plan.lsp],
                decision_notes=DECISION_NOTES,
            )
        )
    AssessmentSession.objects.bulk_create(rows)
    # Scheduled a month ahead (created_at is auto_now_add: set afterwards, one date a session).
    for row in rows:
        scheduled = _at(row.start_date - datetime.timedelta(days=30), 9)
        AssessmentSession.objects.filter(pk=row.pk).update(
            created_at=scheduled, updated_at=row.decided_at
        )
    return {row.code: row for row in rows}


def _write_enrolments(ctx, plans, sessions, candidates) -> dict[str, list[Enrolment]]:
    """Each session's asesi, spread over its assessors and days by `assign_evenly`."""
    enrolments = {}
    for plan in plans:
        session = sessions[plan.code]
        assessors = [ctx.assessors[pk] for pk in plan.assessors]
        people = [candidates[a.nisn] for a in plan.asesi]
        planned, left = assign_evenly(session, people, assessors)
        assert not left, plan.code  # the plan keeps within the LSP's daily limit
        asesi = {candidates[a.nisn].pk: a for a in plan.asesi}
        units = ctx.units[session.scheme_id]
        for enrolment in planned:
            _decided_values(enrolment, session, asesi[enrolment.candidate.pk], units)
        enrolments[plan.code] = planned
    Enrolment.objects.bulk_create([e for rows in enrolments.values() for e in rows], batch_size=500)
    return enrolments


def _decided_values(enrolment: Enrolment, session, asesi, units) -> None:
    """What the application, the assessment, the submission and the decision write."""
    candidate, day = enrolment.candidate, enrolment.assessment_date
    applied = _at(session.start_date - datetime.timedelta(days=21), 9)
    under_18 = candidate.birth_date + relativedelta(years=18) > applied.date()
    enrolment.purpose = Enrolment.Purpose.CERTIFICATION
    enrolment.guardian_name = _guardian(candidate) if under_18 else ""
    enrolment.guardian_consent = under_18
    enrolment.applied_at = applied
    enrolment.eligibility = Enrolment.Eligibility.ELIGIBLE
    enrolment.proceed = True
    enrolment.agreed_methods = sorted({*METHODS_FIRST_UNIT, *METHODS})
    enrolment.agreed_at = _at(day, 8)
    enrolment.submitted_at = _at(day, 16)
    if asesi.bk_units:
        codes = ", ".join(units[i].code for i in asesi.bk_units)
        enrolment.feedback = (
            f"Belum kompeten pada unit {codes}. Ikuti latihan ulang, lalu daftar asesmen "
            "berikutnya."
        )
        enrolment.decision = Verdict.BK
    else:
        enrolment.feedback = "Kompeten pada semua unit. Pertahankan dan terus kembangkan."
        enrolment.decision = Verdict.K
    enrolment.decided_at = session.decided_at


def _guardian(candidate: Candidate) -> str:
    rng = random.Random(candidate.nisn)
    return f"{rng.choice(MALE_FIRST)} {rng.choice(MALE_LAST)}"


def _write_assignments(ctx, plans, sessions, enrolments) -> int:
    rows = []
    for plan in plans:
        session = sessions[plan.code]
        for pk in plan.assessors:
            assessor = ctx.assessors[pk]
            own = [e for e in enrolments[plan.code] if e.assessor_id == pk]
            conflict = any(e.conflict_of_interest for e in own)
            rows.append(
                SessionAssessor(
                    session=session,
                    assessor=assessor,
                    impartiality_declared_at=(
                        _at(session.start_date - datetime.timedelta(days=7), 9)
                        if conflict
                        else None
                    ),
                    impartiality_note=(
                        IMPARTIALITY.format(school=assessor.home_school.name) if conflict else ""
                    ),
                    report_notes=REPORT_NOTES if own else "",
                    submitted_at=_at(max(e.assessment_date for e in own), 16) if own else None,
                )
            )
    SessionAssessor.objects.bulk_create(rows)
    return len(rows)


def _write_verdicts(ctx, plans, sessions, enrolments) -> int:
    """Every unit of every asesi, as `record_verdict` writes it, at the time of the assessment."""
    rows, times = [], {}
    for plan in plans:
        units = ctx.units[sessions[plan.code].scheme_id]
        asesi = {a.nisn: a for a in plan.asesi}
        for enrolment in enrolments[plan.code]:
            bk = asesi[enrolment.candidate.nisn].bk_units
            assessor = ctx.assessors[enrolment.assessor_id]
            recorder = assessor.user_id or ctx.admins[plan.lsp].pk
            times[enrolment.pk] = _at(enrolment.assessment_date, 11)
            rows += [
                UnitVerdict(
                    enrolment=enrolment,
                    unit=unit,
                    verdict=Verdict.BK if i in bk else Verdict.K,
                    methods=METHODS_FIRST_UNIT if i == 0 else METHODS,
                    notes=BK_NOTE if i in bk else "",
                    recorded_by_id=recorder,
                )
                for i, unit in enumerate(units)
            ]
    UnitVerdict.objects.bulk_create(rows, batch_size=1000)
    # recorded_at is auto_now: the assessment's day afterwards, one update per day.
    by_time = defaultdict(list)
    for enrolment_id, when in times.items():
        by_time[when].append(enrolment_id)
    for when, ids in by_time.items():
        UnitVerdict.objects.filter(enrolment_id__in=ids).update(recorded_at=when)
    return len(rows)


def _write_certificates(ctx, plans, sessions, enrolments) -> int:
    """A certificate for every K asesi, numbered in date order by the issuing service's own
    sequence and copy (no PDF); then the few planned revocations, by the revoking service."""
    planned = []
    for plan in plans:
        session = sessions[plan.code]
        session.lsp, session.scheme = ctx.lsps[plan.lsp], ctx.schemes[plan.lsp, plan.concentration]
        asesi = {a.nisn: a for a in plan.asesi}
        for enrolment in enrolments[plan.code]:
            if enrolment.decision == Verdict.K:
                enrolment.session = session
                revoked = asesi[enrolment.candidate.nisn].revoked
                name = enrolment.candidate.full_name
                planned.append((plan.decided_on, plan.code, name, enrolment, revoked))
    planned.sort(key=lambda row: row[:3])
    rows, revoking = [], []
    for on, _code, _name, enrolment, revoked in planned:
        sequence = next_sequence(enrolment.session.lsp_id, on.year)
        rows.append(copy_enrolment(enrolment, issued_on=on, sequence=sequence, year=on.year))
        if revoked is not None and on + datetime.timedelta(days=revoked) < ctx.today:
            revoking.append((rows[-1], on + datetime.timedelta(days=revoked)))
    # In bulk: one audited save per certificate would commit an audit entry each, afterwards.
    Certificate.objects.bulk_create(rows, batch_size=500)
    for number, (certificate, day) in enumerate(revoking):
        admin = ctx.admins.get(certificate.lsp_name)
        if admin is None:
            continue
        reason = demo_history.REVOKE_REASONS[number % len(demo_history.REVOKE_REASONS)]
        revoke(admin, certificate, reason)
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=_at(day, 10))
    return len(rows)


# --- Deleting -------------------------------------------------------------------------------------
def delete_history() -> int:
    """Delete the history: certificates (their numbers given back), verdicts, enrolments,
    sessions, programmes and graduates.

    What the history bulk-wrote goes the same way, without an audit entry per row (thousands of
    them); the sessions and programmes go through the ORM, with anything else pointing at them.
    """
    sessions = history_sessions()
    certificates = Certificate.objects.filter(session__in=sessions)
    taken = set(certificates.values_list("lsp_id", "year"))
    files = list(certificates.exclude(pdf="").values_list("pdf", flat=True))
    certificates.exclude(replaced_by=None).update(replaced_by=None)  # a replacement protects
    deleted = _raw_delete(certificates)
    _give_back_numbers(taken)
    storage = Certificate._meta.get_field("pdf").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
    enrolments = Enrolment.objects.filter(session__in=sessions)
    # Anything added by hand (an appeal, an upload, a second round) goes through the ORM.
    by_hand = enrolments.filter(
        Q(appeals__isnull=False)
        | Q(evidence__isnull=False)
        | Q(previous__isnull=False)
        | Q(reassessments__isnull=False)
    ).distinct()
    for model in (UnitVerdict, SelfAssessment):
        deleted += _raw_delete(model.objects.filter(enrolment__session__in=sessions))
    rounds = sorted(set(by_hand.values_list("round", flat=True)), reverse=True)
    deleted += sum(by_hand.filter(round=n).delete()[0] for n in rounds)
    deleted += _raw_delete(enrolments)
    deleted += _raw_delete(SessionAssessor.objects.filter(session__in=sessions))
    deleted += _raw_delete(Fact.objects.filter(session__in=sessions))
    deleted += sessions.delete()[0]
    programmes = history_programmes()
    deleted += _raw_delete(FundingQuota.objects.filter(programme__in=programmes))
    deleted += programmes.delete()[0]
    students = history_students()
    deleted += _raw_delete(students.filter(enrolments=None, certificates=None))
    return deleted


def _raw_delete(queryset) -> int:
    """One DELETE, no per-row signal (the rows were bulk-written, without them)."""
    return queryset._raw_delete(queryset.db)


def _give_back_numbers(taken) -> None:
    """Each sequence the history used goes back to the last number still on a certificate."""
    for lsp_id, year in taken:
        last = Certificate.objects.filter(lsp_id=lsp_id, year=year).aggregate(n=Max("sequence"))
        sequences = CertificateSequence.objects.filter(lsp_id=lsp_id, year=year)
        if last["n"] is None:
            sequences.delete()
        else:
            sequences.update(last=last["n"])
