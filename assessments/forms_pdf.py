"""The BNSP forms of a session as PDFs (A4, Indonesian), through the shared helper `lsp.pdf`.

Per session: the attendance list (daftar hadir, one page per day and assessor), FR.AK.05 (the
assessment report, one part per assessor) and the official record (berita acara). Per enrolment:
FR.APL.01, FR.APL.02, FR.AK.01, FR.AK.02 and FR.AK.03.

The callers (views, jobs) decide who may print what and pass the enrolments that user may see;
this module only gathers the data, in a constant number of queries whatever the number of asesi,
and renders it. The recommendation is `Enrolment.compute_recommendation`: K only when every unit
is K.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from lsp import pdf

from .models import (
    AssessmentSession,
    Element,
    Enrolment,
    Method,
    SessionAssessor,
    UnitVerdict,
    Verdict,
)
from .services.scheduling import age_on, is_minor


@dataclass(frozen=True)
class Form:
    slug: str  # the URL part
    code: str  # the BNSP form number, or "" for the LSP's own documents
    title: str  # as printed (a lazy translation)
    template: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}" if self.code else str(self.title)


ATTENDANCE = Form("daftar-hadir", "", _("Attendance list"), "assessments/pdf/attendance.html")
AK05 = Form("fr-ak-05", "FR.AK.05", _("Assessment report"), "assessments/pdf/ak05.html")
RECORD = Form(
    "berita-acara",
    "",
    _("Official record of the competency assessment"),
    "assessments/pdf/record.html",
)
APL01 = Form(
    "fr-apl-01",
    "FR.APL.01",
    _("Application for competency certification"),
    "assessments/pdf/apl01.html",
)
APL02 = Form("fr-apl-02", "FR.APL.02", _("Self-assessment"), "assessments/pdf/apl02.html")
AK01 = Form(
    "fr-ak-01",
    "FR.AK.01",
    _("Assessment agreement and confidentiality"),
    "assessments/pdf/ak01.html",
)
AK02 = Form(
    "fr-ak-02", "FR.AK.02", _("Record of competency assessment"), "assessments/pdf/ak02.html"
)
AK03 = Form("fr-ak-03", "FR.AK.03", _("Assessment feedback and notes"), "assessments/pdf/ak03.html")

SESSION_FORMS = {f.slug: f for f in (ATTENDANCE, AK05, RECORD)}
ENROLMENT_FORMS = {f.slug: f for f in (APL01, APL02, AK01, AK02, AK03)}


def logo_url(lsp) -> str:
    """The logo through the PDF fetcher (media only), or nothing."""
    return f"media:{lsp.logo.name}" if lsp.logo else ""


def session_queryset():
    """What every document prints about its session: one query."""
    return AssessmentSession.objects.select_related(
        "lsp", "scheme", "tuk__regency", "funding", "decided_by"
    )


def enrolment_queryset():
    return Enrolment.objects.select_related(
        "session__lsp",
        "session__scheme",
        "session__tuk__regency",
        "session__funding",
        "candidate__school",
        "candidate__concentration",
        "assessor",
    )


def _common(form: Form, session: AssessmentSession) -> dict:
    return {
        "form": form,
        "session": session,
        "lsp": session.lsp,
        "scheme": session.scheme,
        "tuk": session.tuk,
        "logo_url": logo_url(session.lsp),
        "days": session.days,
    }


# --- per session ----------------------------------------------------------------------------------
@dataclass
class Row:
    """One asesi on a session document."""

    enrolment: Enrolment
    recommendation: str | None = None
    bk_codes: list[str] = field(default_factory=list)

    @property
    def candidate(self):
        return self.enrolment.candidate


@dataclass
class Part:
    """One part of a session document: one assessor (and, for attendance, one day)."""

    assessor: object
    rows: list[Row]
    assignment: SessionAssessor | None = None
    day: datetime.date | None = None

    @property
    def counts(self) -> Counter:
        return Counter(row.recommendation for row in self.rows)


def session_rows(
    session: AssessmentSession, enrolments, *, verdicts: bool, by_day: bool = False
) -> list[Row]:
    """The asesi in print order (assessor, name; day first when `by_day`); with their
    recommendation when asked.

    Queries: one for the enrolments, and with `verdicts` one for the scheme's units and one for
    every verdict (with its unit's code): the same three for 3 asesi or 300.
    """
    order_by = ["assessor__full_name", "assessor_id", "candidate__full_name", "pk"]
    if by_day:
        order_by.insert(0, "assessment_date")
    ordered = enrolments.select_related("candidate__school", "assessor").order_by(*order_by)
    if not verdicts:
        return [Row(e) for e in ordered]
    units = list(session.scheme.ordered_units().values_list("pk", flat=True))
    unit_ids = set(units)
    order = {pk: n for n, pk in enumerate(units)}
    given: dict[int, list[tuple]] = {}
    for enrolment_id, unit_id, verdict, code in (
        UnitVerdict.objects.filter(enrolment__in=enrolments.order_by().values("pk"))
        .order_by()
        .values_list("enrolment_id", "unit_id", "verdict", "unit__code")
    ):
        given.setdefault(enrolment_id, []).append((unit_id, verdict, code))
    rows = []
    for enrolment in ordered:
        mine = given.get(enrolment.pk, [])
        recommendation = enrolment.compute_recommendation(unit_ids, {u: v for u, v, _c in mine})
        bk = sorted((order.get(u, len(order)), code) for u, v, code in mine if v == Verdict.BK)
        rows.append(Row(enrolment, recommendation, [code for _n, code in bk]))
    return rows


def _assignments(session: AssessmentSession) -> dict[int, SessionAssessor]:
    return {a.assessor_id: a for a in session.assignments.select_related("assessor")}


def _by_assessor(rows: list[Row], assignments, only=None) -> list[Part]:
    """One part per assessor, in the session's order of assignment; assessors without asesi
    are left out unless `only` names them (an assessor's own report is printed even empty)."""
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        if only is None or row.enrolment.assessor_id == only:
            grouped.setdefault(row.enrolment.assessor_id, []).append(row)
    parts = []
    for assessor_id, assignment in assignments.items():
        if only is not None and assessor_id != only:
            continue
        if assessor_id in grouped or only is not None:
            parts.append(Part(assignment.assessor, grouped.pop(assessor_id, []), assignment))
    for assessor_rows in grouped.values():  # an asesi whose assessor is no longer assigned
        parts.append(Part(assessor_rows[0].enrolment.assessor, assessor_rows))
    return parts


def attendance_context(session, enrolments, *, assessor_id=None) -> dict:
    """Daftar hadir: one part per day and assessor, each a page to sign."""
    rows = session_rows(session, enrolments, verdicts=False, by_day=True)
    parts = []
    for (day, _assessor), group in groupby(
        rows, key=lambda r: (r.enrolment.assessment_date, r.enrolment.assessor_id)
    ):
        group = list(group)
        parts.append(Part(group[0].enrolment.assessor, group, day=day))
    if not parts:
        parts = [Part(None, [], day=day) for day in session.days]
    return {**_common(ATTENDANCE, session), "parts": parts, "enrolment_count": len(rows)}


def ak05_context(session, enrolments, *, assessor_id=None) -> dict:
    """FR.AK.05: per assessor, every asesi with K/BK and the codes of the BK units."""
    rows = session_rows(session, enrolments, verdicts=True)
    parts = _by_assessor(rows, _assignments(session), only=assessor_id)
    if not parts:
        parts = [Part(None, [])]
    return {**_common(AK05, session), "parts": parts, "enrolment_count": len(rows)}


def record_context(session, enrolments, *, assessor_id=None) -> dict:
    """Berita acara: who, where, when, how many asesi, how many K and BK."""
    rows = session_rows(session, enrolments, verdicts=True)
    parts = _by_assessor(rows, _assignments(session), only=assessor_id)
    counts = Counter(row.recommendation for row in rows)
    decisions = Counter(row.enrolment.decision for row in rows if row.enrolment.decision)
    return {
        **_common(RECORD, session),
        "parts": parts,
        "rows": rows,
        "enrolment_count": len(rows),
        "k_count": counts[Verdict.K],
        "bk_count": counts[Verdict.BK],
        "pending_count": counts[None],
        "decided_k": decisions[Verdict.K],
        "decided_bk": decisions[Verdict.BK],
        "decided": bool(decisions),
    }


SESSION_CONTEXTS = {
    ATTENDANCE.slug: attendance_context,
    AK05.slug: ak05_context,
    RECORD.slug: record_context,
}


def session_context(kind: str, session, enrolments, *, assessor_id=None) -> dict:
    """The data of a session form; `assessor_id` limits it to that assessor's asesi."""
    if assessor_id is not None:
        enrolments = enrolments.filter(assessor_id=assessor_id)
    return SESSION_CONTEXTS[kind](session, enrolments, assessor_id=assessor_id)


# --- per enrolment --------------------------------------------------------------------------------
@dataclass
class UnitLine:
    unit: object
    verdict: UnitVerdict | None
    methods: set[str]


def enrolment_context(kind: str, enrolment: Enrolment) -> dict:
    """Everything the five forms of one asesi print; a handful of queries (one asesi)."""
    session = enrolment.session
    candidate = enrolment.candidate
    units = list(
        session.scheme.ordered_units().prefetch_related(
            Prefetch(
                "elements", queryset=Element.objects.order_by("number").prefetch_related("criteria")
            )
        )
    )
    verdicts = {v.unit_id: v for v in enrolment.verdicts.all()}
    answers = {s.element_id: s for s in enrolment.self_assessments.all()}
    recommendation = enrolment.compute_recommendation(
        {u.pk for u in units}, {u: v.verdict for u, v in verdicts.items()}
    )
    for unit in units:  # FR.APL.02 prints each element with the asesi's own answer
        for element in unit.elements.all():
            element.answer = answers.get(element.pk)
    lines = []
    for unit in units:
        verdict = verdicts.get(unit.pk)
        lines.append(UnitLine(unit, verdict, set(verdict.methods or []) if verdict else set()))
    return {
        **_common(ENROLMENT_FORMS[kind], session),
        "enrolment": enrolment,
        "day": enrolment.assessment_date,
        "candidate": candidate,
        "assessor": enrolment.assessor,
        "units": units,
        "lines": lines,
        "evidence": list(enrolment.evidence.all()),
        "recommendation": recommendation,
        "bk_units": [
            line.unit for line in lines if line.verdict and line.verdict.verdict == Verdict.BK
        ],
        "minor": is_minor(enrolment),
        "age": age_on(candidate.birth_date, enrolment.assessment_date),
        "purposes": [
            (value, label, value == enrolment.purpose) for value, label in enrolment.Purpose.choices
        ],
        "methods": [
            (value, label, value in (enrolment.agreed_methods or []))
            for value, label in Method.choices
        ],
        "method_columns": Method.choices,
        "enrolment_count": 1,
    }


# --- rendering ------------------------------------------------------------------------------------
def filename(form: Form, session: AssessmentSession, enrolment: Enrolment | None = None) -> str:
    parts = [form.code or form.slug, session.code]
    if enrolment is not None:
        parts.append(enrolment.candidate.full_name)
    return pdf.ascii_filename(" ".join(parts))


def render(form: Form, context: dict, *, request=None) -> bytes:
    return pdf.render_pdf(form.template, context, request=request)
