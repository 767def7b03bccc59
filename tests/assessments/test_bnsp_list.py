"""The BNSP blank-request list: columns and values as BNSP reads them, access, audit."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from assessments.services import decisions
from assessments.services import sessions as rules
from assessments.services.bnsp_list import HEADERS, bnsp_phone, bnsp_rows
from lsp.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

K, BK = Verdict.K, Verdict.BK
Status = AssessmentSession.Status


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _ministry(settings):
    settings.BNSP_MINISTRY_CODE = "023"


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a, code="JDW/01/2026/007")
    for _ in range(2):
        s.scheme.units.add(factories.UnitFactory(lsp=lsp_a))
    return s


@pytest.fixture
def assessor(session):
    a = factories.session_assessor(
        session, full_name="Asesor Pertama", met_number="MET.000.001234 2021"
    )
    a.user = factories.UserFactory(username="asesor1")
    a.save()
    Role.objects.create(user=a.user, kind=Role.Kind.ASSESSOR, lsp=session.lsp)
    return a


def _enrol(session, assessor, verdicts, **candidate):
    candidate.setdefault("school", session.lsp.host_school)
    enrolment = factories.EnrolmentFactory(
        session=session, assessor=assessor, candidate=factories.CandidateFactory(**candidate)
    )
    for unit, verdict in zip(session.scheme.units.order_by("pk"), verdicts, strict=True):
        rules.record_verdict(assessor.user, enrolment, unit.pk, verdict)
    return enrolment


def _decide(session, admin):
    for enrolment in session.enrolments.filter(submitted_at=None):
        rules.submit_verdicts(enrolment.assessor.user, enrolment)
    rules.decide(admin, session)
    session.refresh_from_db()


@pytest.fixture
def decided(session, assessor, admin_a):
    _enrol(
        session,
        assessor,
        [K, K],
        full_name="Siti Aminah",
        nik="0012345678901234",
        birth_place="Samarinda",
        birth_date=datetime.date(2008, 5, 17),
        sex="P",
        address="Jl. Pahlawan\nNo. 5",
        phone="+6281234567890",
        email="siti@example.id",
    )
    _enrol(session, assessor, [K, BK], full_name='=HYPERLINK("http://x")')
    _decide(session, admin_a)
    return session


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_the_columns_and_values_are_what_bnsp_reads(client, admin_a, decided, assessor):
    client.force_login(admin_a)
    response = client.get(reverse("session_bnsp_list", args=[decided.pk]))
    assert "daftar-bnsp-JDW-01-2026-007.xlsx" in response["Content-Disposition"]
    sheet = _sheet(response)
    assert [c.value for c in sheet[1]] == HEADERS
    assert HEADERS[:3] == ["Nama Lengkap", "NIK", "Tempat Lahir"] and HEADERS[-2:] == [
        "K/BK",
        "Sekolah",
    ]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 2
    siti = dict(zip(HEADERS, rows["Siti Aminah"], strict=True))
    values = {h: cell.value for h, cell in siti.items()}
    school = decided.lsp.host_school
    assert values == {
        "Nama Lengkap": "Siti Aminah",
        "NIK": "0012345678901234",
        "Tempat Lahir": "Samarinda",
        "Tanggal Lahir": "17/05/2008",
        "Jenis Kelamin": "P",
        "Alamat": "Jl. Pahlawan No. 5",
        "Kode Kota": "6472",
        "Kode Provinsi": "64",
        "No. HP": "081234567890",
        "Email": "siti@example.id",
        "Kode Pendidikan": "2",
        "Kode Pekerjaan": "1",
        "Kode Jadwal": "JDW/01/2026/007",
        "Tanggal Uji": decided.start_date.strftime("%d/%m/%Y"),
        "No. Reg. Asesor": "MET.000.001234 2021",
        "Kode Sumber Anggaran": decided.funding.code,
        "Kode Kementerian": "023",
        "K/BK": "K",
        "Sekolah": school.name,
    }
    # Identifiers, codes and dates are Text cells: Excel keeps their zeros and BNSP reads text.
    for header in ("NIK", "Tanggal Lahir", "Kode Kota", "No. HP", "Tanggal Uji", "Kode Pendidikan"):
        assert siti[header].data_type == "s" and siti[header].number_format == "@", header
    # A name that looks like a formula stays text.
    formula = next(name for name in rows if name.startswith("'"))
    assert formula == '\'=HYPERLINK("http://x")'
    assert rows[formula][HEADERS.index("K/BK")].value == "BK"


def test_each_download_is_audited(client, admin_a, decided):
    client.force_login(admin_a)
    client.get(reverse("session_bnsp_list", args=[decided.pk]))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin_a
    assert "JDW/01/2026/007" in entry.object_repr and entry.changes["rows"] == 2
    assert list(entry.lsps.values_list("pk", flat=True)) == [decided.lsp_id]


def test_only_the_lsps_admins_download_it(client, decided, admin_b, viewer_kaltim, assessor):
    url = reverse("session_bnsp_list", args=[decided.pk])
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    client.force_login(viewer_kaltim)
    assert client.get(url).status_code == 403
    client.force_login(assessor.user)
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_only_decided_sessions_have_a_list(client, admin_a, session, assessor):
    _enrol(session, assessor, [K, K])
    client.force_login(admin_a)
    response = client.get(reverse("session_bnsp_list", args=[session.pk]), follow=True)
    assert "once the session is decided" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_reassessed_asesi_is_listed_once_with_the_latest_decision(
    client, admin_a, decided, assessor
):
    first = decided.enrolments.get(decision=BK)
    appeal = first.appeals.create(
        filed_on=first.decided_at.date(), grounds=["fair"], explanation="Waktu kurang"
    )
    second = factories.session_assessor(decided, met_number="MET.000.009999 2022")
    second.user = factories.UserFactory(username="asesor2")
    second.save()
    day = decided.start_date + datetime.timedelta(days=10)
    result = decisions.grant(admin_a, appeal, assessor=second, day=day)
    rules.record_verdict(second.user, result.enrolment, result.units[0].pk, K)
    rules.submit_verdicts(second.user, result.enrolment)
    decisions.decide_enrolment(admin_a, result.enrolment)
    decided.refresh_from_db()
    rows = bnsp_rows(decided)
    assert len(rows) == 2
    row = next(r for r in rows if r[0] == first.candidate.full_name)
    assert row[HEADERS.index("K/BK")] == "K"
    assert row[HEADERS.index("No. Reg. Asesor")] == "MET.000.009999 2022"
    assert row[HEADERS.index("Tanggal Uji")] == day.strftime("%d/%m/%Y")


@pytest.mark.parametrize("size", [3, 30])
def test_one_query_for_all_rows(size, session, assessor, admin_a, django_assert_num_queries):
    for n in range(size):
        school = factories.SchoolFactory()  # each asesi from another school: no per-row lookups
        session.lsp.network_schools.add(school)
        _enrol(session, assessor, [K, K], school=school, full_name=f"Asesi {n:02d}")
    _decide(session, admin_a)
    loaded = AssessmentSession.objects.select_related("funding").get(pk=session.pk)
    # The education and occupation defaults, and the enrolments with all they need.
    with django_assert_num_queries(3):
        rows = bnsp_rows(loaded)
    assert len(rows) == size


@pytest.mark.parametrize("size", [3, 30])
def test_the_download_runs_a_constant_number_of_queries(
    size, client, session, assessor, admin_a, django_assert_num_queries
):
    for n in range(size):
        _enrol(session, assessor, [K, BK], full_name=f"Asesi {n:02d}")
    _decide(session, admin_a)
    client.force_login(admin_a)
    client.get(reverse("session_bnsp_list", args=[session.pk]))  # warm up caches
    # Django's session, the user, their roles; the session and the edit check; the education and
    # occupation defaults and the rows; the audit entry and its LSPs (5).
    with django_assert_num_queries(13):
        assert client.get(reverse("session_bnsp_list", args=[session.pk])).status_code == 200


def test_phones_are_written_the_way_bnsp_writes_them():
    assert bnsp_phone("+6281234567890") == "081234567890"
    assert bnsp_phone("0812-3456-7890") == "081234567890"
    assert bnsp_phone("") == ""
