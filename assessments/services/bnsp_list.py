"""The BNSP blank-request list (daftar permohonan blanko): one row per asesi of a decided session.

BNSP's importer reads the columns by their Indonesian names and wants text, not Excel values:
dates as dd/mm/yyyy, identifiers and codes with their leading zeros. Every cell goes through
`lsp.spreadsheets.build_workbook`, which escapes anything that could become a formula.

An asesi re-assessed after an appeal is listed once, with their latest decided round (its
assessor and day). The candidate has no education or occupation of their own yet: the code lists'
defaults (`is_default=True`) stand in.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from openpyxl import Workbook

from lsp.models import Education, Occupation
from lsp.spreadsheets import build_workbook

from ..models import AssessmentSession, Enrolment

HEADERS = [
    "Nama Lengkap",
    "NIK",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kode Kota",
    "Kode Provinsi",
    "No. HP",
    "Email",
    "Kode Pendidikan",
    "Kode Pekerjaan",
    "Kode Jadwal",
    "Tanggal Uji",
    "No. Reg. Asesor",
    "Kode Sumber Anggaran",
    "Kode Kementerian",
    "K/BK",
    "Sekolah",
]
# Everything BNSP reads as an identifier, a code or a date: kept as Text in Excel.
TEXT_COLUMNS = frozenset(
    HEADERS.index(h)
    for h in (
        "NIK",
        "Tanggal Lahir",
        "Kode Kota",
        "Kode Provinsi",
        "No. HP",
        "Kode Pendidikan",
        "Kode Pekerjaan",
        "Kode Jadwal",
        "Tanggal Uji",
        "No. Reg. Asesor",
        "Kode Sumber Anggaran",
        "Kode Kementerian",
    )
)
DATE_FORMAT = "%d/%m/%Y"


def ministry_code() -> str:
    """The ministry column (the one overseeing SMKs): a site setting, empty until set."""
    return str(getattr(settings, "BNSP_MINISTRY_CODE", ""))


def bnsp_phone(phone: str) -> str:
    """'+6281234567890' as BNSP's list writes it: 081234567890 (digits only, never a '+')."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _default_code(model) -> str:
    return (
        model.objects.filter(is_default=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
        or ""
    )


def latest_decisions(session: AssessmentSession) -> list[Enrolment]:
    """Each asesi's latest decided round in the session, by name: one query."""
    enrolments = (
        Enrolment.objects.filter(session=session)
        .exclude(decision="")
        .select_related("candidate__school__regency__province", "assessor")
        .order_by("round", "pk")
    )
    latest: dict[int, Enrolment] = {}
    for enrolment in enrolments:
        latest[enrolment.candidate_id] = enrolment  # later rounds replace earlier ones
    return sorted(latest.values(), key=lambda e: (e.candidate.full_name.casefold(), e.pk))


def bnsp_rows(session: AssessmentSession) -> list[list[str]]:
    """The list's rows, in the order of `HEADERS`. Load the session with its funding source."""
    education, occupation = _default_code(Education), _default_code(Occupation)
    funding, ministry = session.funding.code, ministry_code()
    rows = []
    for enrolment in latest_decisions(session):
        candidate = enrolment.candidate
        regency = candidate.school.regency
        rows.append(
            [
                candidate.full_name,
                candidate.nik,
                candidate.birth_place,
                candidate.birth_date.strftime(DATE_FORMAT),
                candidate.sex,
                " ".join(candidate.address.split()),
                regency.code,
                regency.province.code,
                bnsp_phone(candidate.phone),
                candidate.email,
                education,
                occupation,
                session.code,
                enrolment.assessment_date.strftime(DATE_FORMAT),
                enrolment.assessor.met_number,
                funding,
                ministry,
                enrolment.decision,
                candidate.school.name,
            ]
        )
    return rows


def bnsp_workbook(session: AssessmentSession, rows: Iterable[list[str]] | None = None) -> Workbook:
    return build_workbook(
        title="Daftar Asesi",
        headers=HEADERS,
        rows=bnsp_rows(session) if rows is None else rows,
        text_columns=TEXT_COLUMNS,
        blank_rows=0,
    )
