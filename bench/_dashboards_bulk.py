"""The bulk tables of the bench's data: candidates, enrolments (round 1 and 2), appeals, unit
verdicts and certificates, written by `INSERT … SELECT` from `bench_plan`, the sessions of one
province as `bench/_dashboards_data.py` planned them (one row a session; `generate_series` gives
its students). Whether an enrolment is BK, and which units, is a hash of its id (`bk_rule`):
every run builds the same data, and the decision always matches the verdicts.
"""

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.fields import NOT_PROVIDED

PER_DAY = 10  # asesi per assessor per session day (the LSPs' setting)
BK_PER_MILLE = {1: 120, 2: 200}  # share of BK decisions per round, in thousandths
ROUND_2_PER_TEN = 1  # of the BK with a later session of their school and scheme
REVOKED_PER_MILLE = 5
ZONE = settings.TIME_ZONE  # a certificate's issue date and an appeal's are local dates

PLAN_COLUMNS = (
    ("block", "integer"),  # the province's number, in the order they were added
    ("session_id", "bigint"),
    ("school_id", "bigint"),
    ("lsp_id", "bigint"),
    ("scheme_id", "bigint"),
    ("units", "integer"),
    ("concentration_id", "bigint"),
    ("abbreviation", "text"),
    ("birth_place", "text"),
    ("school_year", "text"),
    ("graduation_year", "integer"),
    ("first_id", "bigint"),  # candidate and enrolment id of the session's first student
    ("students", "integer"),
    ("start_date", "date"),
    ("assessed", "boolean"),  # verdicts recorded and submitted
    ("decided", "boolean"),
    ("submitted_at", "timestamptz"),
    ("decided_at", "timestamptz"),
    ("decided_by", "bigint"),
    ("assessors", "bigint[]"),
    ("next_session", "bigint"),  # the next session of the same school and scheme
    ("funded", "boolean"),  # draws on a programme's quotas: no round 2 beyond them
)


def _hash(expression: str) -> str:
    """A deterministic number in 0…999 from an integer expression (SQL)."""
    return f"mod(abs(hashint8(({expression})::bigint)::bigint), 1000)"


def bk_rule(id_sql: str, round_sql: str) -> str:
    """SQL: true when the enrolment (its id and round) is BK; the one rule for the decision and
    for its verdicts."""
    first, later = BK_PER_MILLE[1], BK_PER_MILLE[2]
    return f"{_hash(id_sql)} < (CASE WHEN {round_sql} = 1 THEN {first} ELSE {later} END)"


def _constant_default(f):
    """The value Django would save for a field left out, when it is one value for every row."""
    if f.has_default():
        if callable(f.default) and f.default not in (list, dict):
            return NOT_PROVIDED  # e.g. uuid4: a value per row, which the caller must write
        return f.get_db_prep_save(f.get_default(), connection)
    return "" if f.empty_strings_allowed else NOT_PROVIDED


def insert_select(model, values: dict[str, str], source: str) -> int:
    """INSERT INTO the model's table (fields → SQL expressions) SELECT … FROM `source`.

    A required field left out gets its default when it has one value for all rows (a field added
    by later work, e.g. a blank file); otherwise the bench stops with its name instead of a
    constraint error deep in the SQL. No `%` in the SQL: defaults are passed as parameters.
    """
    fields = {f.name: f for f in model._meta.concrete_fields}
    unknown = set(values) - set(fields)
    values, params, missing = dict(values), [], []
    for name, f in fields.items():
        if name in values or f.null or f.primary_key or f.db_default is not NOT_PROVIDED:
            continue
        default = _constant_default(f)
        if default is NOT_PROVIDED:
            missing.append(name)
        else:
            values[name] = "%s"
            params.append(default)
    if unknown or missing:
        raise RuntimeError(f"{model.__name__}: unknown {sorted(unknown)}, missing {missing}")
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in values)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"SELECT {', '.join(values.values())} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)
        return cursor.rowcount


def reset_sequences(*models):
    """Move the id sequences past the ids written explicitly."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def fill(block: int, recorder_id: int, step) -> dict[str, int]:
    """Write the bulk tables of one planned province; `step(name)` times each part."""
    from assessments.models import Appeal, Candidate, Enrolment

    rows = {}
    with step("candidates_enrolments_appeals"), transaction.atomic():
        rows.update(_students(block))
        rows.update(_round_two(block))
        reset_sequences(Candidate, Enrolment, Appeal)
    with step("unit_verdicts"), transaction.atomic():
        rows["verdicts"] = _verdicts(block, recorder_id)
    with step("certificates"), transaction.atomic():
        rows.update(_certificates(block))
    return rows


def _students(block) -> dict[str, int]:
    """A candidate per student of each session and their round-1 enrolment (the same id)."""
    from assessments.models import Candidate, Enrolment

    plan = (
        "bench_plan p CROSS JOIN LATERAL generate_series(0, p.students - 1) AS k"
        f" WHERE p.block = {block}"
    )
    student = "(p.first_id + k)"
    rows = {}
    rows["candidates"] = insert_select(
        Candidate,
        {
            "id": student,
            "full_name": f"'Siswa Uji ' || {student}",
            "nisn": f"lpad({student}::text, 10, '0')",
            "nik": f"'64' || lpad({student}::text, 14, '0')",
            "birth_place": "p.birth_place",
            "birth_date": f"p.start_date - (6200 + {_hash(student)})::int",
            "sex": f"CASE WHEN mod({student}, 2) = 0 THEN 'L' ELSE 'P' END",
            "address": "''",
            "phone": "''",
            "email": "''",
            "school": "p.school_id",
            "concentration": "p.concentration_id",
            "level": "'XII'",
            "class_name": "'XII ' || p.abbreviation || ' ' || (1 + mod(k, 3))",
            "school_year": "p.school_year",
            "graduation_year": "p.graduation_year",
            "created_at": "p.start_date - 60",
            "updated_at": "p.start_date - 60",
        },
        plan,
    )
    decision = f"CASE WHEN {bk_rule(student, '1')} THEN 'BK' ELSE 'K' END"
    rows["enrolments"] = insert_select(
        Enrolment,
        {
            "id": student,
            "session": "p.session_id",
            "candidate": student,
            "assessor": "p.assessors[1 + mod(k, cardinality(p.assessors))]",
            "assessment_date": f"p.start_date + k / (cardinality(p.assessors) * {PER_DAY})",
            "round": "1",
            "conflict_of_interest": "false",
            "purpose": "'certification'",
            "purpose_other": "''",
            "guardian_name": f"'Orang Tua Siswa ' || {student}",
            "guardian_consent": "true",
            "applied_at": "p.start_date - 21",
            "eligibility": "'eligible'",
            "eligibility_reason": "''",
            "proceed": "true",
            "agreed_methods": """'["observation", "oral"]'::jsonb""",
            "agreed_at": "p.start_date",
            "submitted_at": "p.submitted_at",
            "feedback": "''",
            "decision": f"CASE WHEN p.decided THEN {decision} ELSE '' END",
            "decided_at": "p.decided_at",
            "created_at": "p.start_date - 21",
        },
        plan,
    )
    return rows


def _round_two(block) -> dict[str, int]:
    """A BK re-assessed after a granted appeal, in the next session of the school and scheme."""
    from assessments.models import Appeal, Enrolment

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM assessments_enrolment")
        base = cursor.fetchone()[0]
    again = (
        f"(SELECT {base} + row_number() OVER (ORDER BY e.id) AS id, e.id AS previous,"
        " e.candidate_id, e.decided_at AS first_decided, n.* FROM assessments_enrolment e"
        " JOIN bench_plan p ON p.session_id = e.session_id"
        " JOIN bench_plan n ON n.session_id = p.next_session"
        f" WHERE p.block = {block} AND e.decision = 'BK' AND NOT n.funded"
        f" AND {_hash('e.id * 7 + 3')} < {ROUND_2_PER_TEN * 100}) AS r"
    )
    decision = f"CASE WHEN {bk_rule('r.id', '2')} THEN 'BK' ELSE 'K' END"
    rows = {}
    rows["round_2"] = insert_select(
        Enrolment,
        {
            "id": "r.id",
            "session": "r.session_id",
            "candidate": "r.candidate_id",
            "assessor": "r.assessors[1]",
            "assessment_date": "r.start_date",
            "round": "2",
            "previous": "r.previous",
            "conflict_of_interest": "false",
            "purpose": "'certification'",
            "purpose_other": "''",
            "guardian_name": "'Orang Tua Siswa ' || r.candidate_id",
            "guardian_consent": "true",
            "applied_at": "r.first_decided + interval '10 days'",
            "eligibility": "'eligible'",
            "eligibility_reason": "''",
            "proceed": "true",
            "agreed_methods": """'["observation"]'::jsonb""",
            "agreed_at": "r.start_date",
            "submitted_at": "r.submitted_at",
            "feedback": "''",
            "decision": f"CASE WHEN r.decided THEN {decision} ELSE '' END",
            "decided_at": "r.decided_at",
            "created_at": "r.first_decided + interval '10 days'",
        },
        again,
    )
    rows["appeals"] = insert_select(
        Appeal,
        {
            "enrolment": "e.previous_id",
            "filed_on": f"(f.decided_at AT TIME ZONE '{ZONE}')::date + 5",
            "grounds": """'["procedure"]'::jsonb""",
            "explanation": "'Asesmen tidak sesuai prosedur.'",
            "outcome": "'granted'",
            "outcome_reason": "''",
            "decided_by": "p.decided_by",
            "decided_at": "f.decided_at + interval '8 days'",
            "reassessment": "e.id",
        },
        "assessments_enrolment e JOIN assessments_enrolment f ON f.id = e.previous_id"
        " JOIN bench_plan p ON p.session_id = f.session_id"
        f" WHERE p.block = {block} AND e.round = 2",
    )
    return rows


def _verdicts(block, recorder_id) -> int:
    """A verdict per unit of the scheme for every enrolment of an assessed session."""
    from assessments.models import UnitVerdict

    bk = bk_rule("e.id", "e.round")
    first_bk = f"mod({_hash('e.id')}, p.units)"
    second_bk = f"mod({_hash('e.id * 31')}, p.units)"
    return insert_select(
        UnitVerdict,
        {
            "enrolment": "e.id",
            "unit": "su.unit_id",
            "verdict": f'CASE WHEN {bk} AND su."order" IN ({first_bk}, {second_bk})'
            " THEN 'BK' ELSE 'K' END",
            "methods": """'["observation", "oral"]'::jsonb""",
            "notes": "''",
            "recorded_by": str(recorder_id),
            "recorded_at": "p.submitted_at",
        },
        "assessments_enrolment e JOIN bench_plan p ON p.session_id = e.session_id"
        " JOIN assessments_schemeunit su ON su.scheme_id = p.scheme_id"
        f" WHERE p.block = {block} AND p.assessed",
    )


def _certificates(block) -> dict[str, int]:
    """A certificate per K, numbered per LSP and year of issue (a few revoked)."""
    from certificates.models import Certificate, CertificateSequence

    issued = (
        "(SELECT e.id AS enrolment_id, p.lsp_id, p.scheme_id, p.session_id, e.candidate_id,"
        f" (e.decided_at AT TIME ZONE '{ZONE}')::date + 3 AS issued_on,"
        " p.decided_by FROM assessments_enrolment e"
        " JOIN bench_plan p ON p.session_id = e.session_id"
        f" WHERE p.block = {block} AND e.decision = 'K') AS i"
    )
    numbered = (
        "(SELECT i.*, extract(year FROM i.issued_on)::int AS year, row_number() OVER"
        " (PARTITION BY i.lsp_id, extract(year FROM i.issued_on)"
        f" ORDER BY i.issued_on, i.enrolment_id) AS sequence FROM {issued}) AS c"
        " JOIN assessments_candidate a ON a.id = c.candidate_id"
        " JOIN assessments_scheme s ON s.id = c.scheme_id"
        " JOIN lsp_lsp l ON l.id = c.lsp_id"
        " JOIN (SELECT su.scheme_id, jsonb_agg(jsonb_build_object('code', u.code,"
        " 'title', u.title, 'title_en', u.title_en) ORDER BY su.\"order\") AS units"
        " FROM assessments_schemeunit su JOIN assessments_unit u ON u.id = su.unit_id"
        " GROUP BY su.scheme_id) AS su ON su.scheme_id = c.scheme_id"
    )
    revoked = f"{_hash('c.enrolment_id * 3 + 1')} < {REVOKED_PER_MILLE}"
    rows = {}
    rows["certificates"] = insert_select(
        Certificate,
        {
            "public_id": "gen_random_uuid()",
            "enrolment": "c.enrolment_id",
            "lsp": "c.lsp_id",
            "scheme": "c.scheme_id",
            "session": "c.session_id",
            "candidate": "c.candidate_id",
            "year": "c.year",
            "sequence": "c.sequence",
            "number": "concat_ws(' ', s.kbli_code, s.kbji_code, s.kkni_level,"
            " lpad(c.sequence::text, 7, '0'), c.year)",
            "issued_on": "c.issued_on",
            "valid_until": "c.issued_on + interval '3 years'",
            "status": f"CASE WHEN {revoked} THEN 'revoked' ELSE 'valid' END",
            "revoked_at": f"CASE WHEN {revoked} THEN c.issued_on + 1 END",
            "revoked_by": f"CASE WHEN {revoked} THEN c.decided_by END",
            "revoke_reason": f"CASE WHEN {revoked} THEN 'Data asesi tidak benar.' ELSE '' END",
            "blank_number": "''",
            "holder_name": "a.full_name",
            "birth_place": "a.birth_place",
            "birth_date": "a.birth_date",
            "scheme_code": "s.code",
            "scheme_title": "s.title",
            "scheme_title_en": "s.title_en",
            "kkni_level": "s.kkni_level",
            "units": "su.units",
            "lsp_name": "l.name",
            "lsp_name_en": "l.name_en",
            "signatory_name": "l.signatory_name",
            "signatory_title": "l.signatory_title",
            "pdf": "''",
            "sha256": "''",
            "created_at": "c.issued_on",
        },
        numbered,
    )
    rows["certificate_sequences"] = insert_select(
        CertificateSequence,
        {"lsp": "c.lsp_id", "year": "c.year", "last": "max(c.sequence)"},
        "certificates_certificate c JOIN bench_plan p ON p.session_id = c.session_id"
        f" WHERE p.block = {block} GROUP BY c.lsp_id, c.year",
    )
    return rows
