"""Pages: the teacher's semester, recording and claiming, verification, the school and province
views, the PDF and the Excel; each with its refusals."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import SessionAssessor
from development.models import Activity
from development.rules import Semester
from development.services import teacher_of_assessor
from lsp.models import AuditEntry
from tests import factories
from tests.development.helpers import PDF, activity, kind, teacher

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW = Semester.of(TODAY)


@pytest.fixture
def guru(lsp_a):
    """An assessor of LSP A with an account, teaching at its host school."""
    user = factories.assessor(lsp_a, username="guru.a")
    record = factories.AssessorFactory(lsps=[lsp_a], user=user, home_school=lsp_a.host_school)
    return user, record


@pytest.fixture
def other(lsp_b):
    """A teacher of LSP B's school, with an account."""
    user = factories.UserFactory(username="guru.b")
    return teacher(lsp_b.host_school, user=user, name="Guru Beta")


def _pdf(name="bukti.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _post_activity(client, url, **extra):
    data = {
        "kind": kind("magang").pk,
        "title": "Magang industri",
        "organiser": "PT Uji",
        "start_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "end_date": TODAY.isoformat(),
        "evidence": _pdf(),
    }
    data.update(extra)
    return client.post(url, {k: v for k, v in data.items() if v is not None})


# --- the teacher ----------------------------------------------------------------------------------
def test_an_assessor_records_an_activity_and_becomes_a_teacher(client, guru):
    user, record = guru
    client.force_login(user)
    page = client.get(reverse("development_mine"))
    assert page.status_code == 200 and b"32" in page.content
    response = _post_activity(client, reverse("development_activity_create"))
    assert response.status_code == 302
    created = Activity.objects.get()
    assert created.teacher.assessor == record and created.teacher.user == user
    assert (created.points, created.status) == (24, "pending")
    assert created.teacher.school == record.home_school
    page = client.get(reverse("development_mine"))
    assert page.context["pending_points"] == 24 and page.context["progress"]["points"] == 0
    evidence = client.get(reverse("development_activity_evidence", args=[created.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PDF


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"evidence": None}, "evidence"),
        ({"evidence": SimpleUploadedFile("x.pdf", b"<svg onload=alert(1)>")}, "evidence"),
        ({"end_date": (TODAY + datetime.timedelta(days=2)).isoformat()}, "end_date"),
        ({"start_date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "end_date"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, guru, extra, field):
    client.force_login(guru[0])
    response = _post_activity(client, reverse("development_activity_create"), **extra)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_user_who_is_no_teacher_is_told(client, admin_a):
    client.force_login(admin_a)
    assert client.get(reverse("development_mine")).status_code == 404
    assert client.post(reverse("development_activity_create")).status_code == 403


def test_a_teacher_sees_only_their_own(client, guru, other):
    theirs = activity(other, end=TODAY, status="pending", evidence=_pdf())
    client.force_login(guru[0])
    assert client.get(reverse("development_teacher", args=[other.pk])).status_code == 404
    assert client.get(reverse("development_teacher_pdf", args=[other.pk])).status_code == 404
    for name in ("development_activity_update", "development_activity_evidence"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("development_activity_delete", args=[theirs.pk])).status_code == 404
    url = reverse("development_teacher_activity_create", args=[other.pk])
    assert _post_activity(client, url).status_code == 404
    assert client.get(reverse("development_school")).status_code == 403
    assert client.get(reverse("development_province")).status_code == 403
    assert Activity.objects.count() == 1


def test_a_teacher_cannot_verify_their_own(client, guru):
    user, record = guru
    own = activity(teacher_of_assessor(record), end=TODAY, status="pending")
    client.force_login(user)
    url = reverse("development_activity_verify", args=[own.pk])
    assert client.post(url, {"action": "verify"}).status_code == 403
    own.refresh_from_db()
    assert own.status == "pending"


def test_a_verified_activity_no_longer_changes(client, guru):
    user, record = guru
    done = activity(teacher_of_assessor(record), end=TODAY, status="verified")
    client.force_login(user)
    assert client.get(reverse("development_activity_update", args=[done.pk])).status_code == 403
    assert client.post(reverse("development_activity_delete", args=[done.pk])).status_code == 403


def test_a_rejected_claim_edited_is_verified_afresh(client, guru):
    user, record = guru
    claim = activity(teacher_of_assessor(record), code="magang", end=TODAY, status="rejected")
    client.force_login(user)
    url = reverse("development_activity_update", args=[claim.pk])
    assert _post_activity(client, url, title="Magang, dengan bukti").status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason, claim.title) == (
        "pending",
        "",
        "Magang, dengan bukti",
    )


def test_bad_semester_is_a_bad_request(client, guru):
    client.force_login(guru[0])
    assert client.get(reverse("development_mine"), {"semester": "2026-7"}).status_code == 400


# --- suggestions from Kompeten's records ----------------------------------------------------------
def test_certificates_and_assessments_are_suggested_and_claimed_once(client, guru):
    user, record = guru
    certificate = factories.AssessorCertificateFactory(
        assessor=record, issued_on=NOW.start, kind="rcc"
    )
    session = factories.SessionFactory(
        lsp=record.lsps.get(), start_date=NOW.start, end_date=NOW.start
    )
    SessionAssessor.objects.create(session=session, assessor=record, submitted_at=timezone.now())
    unsubmitted = factories.SessionFactory(
        lsp=session.lsp, start_date=NOW.start, end_date=NOW.start
    )
    SessionAssessor.objects.create(session=unsubmitted, assessor=record)
    client.force_login(user)
    sources = [s.source for s in client.get(reverse("development_mine")).context["suggestions"]]
    assert sources == [f"certificate-{certificate.pk}", f"session-{session.pk}"]

    url = reverse("development_activity_create") + f"?from=certificate-{certificate.pk}"
    form = client.get(url).context["form"]
    assert form.initial["kind"].code == "pelatihan-bersertifikat"
    response = client.post(
        url,
        {
            "kind": form.initial["kind"].pk,
            "title": form.initial["title"],
            "organiser": "BNSP",
            "start_date": NOW.start.isoformat(),
            "end_date": NOW.start.isoformat(),
        },
    )
    assert response.status_code == 302
    claimed = Activity.objects.get()
    assert claimed.assessor_certificate == certificate and not claimed.evidence
    sources = [s.source for s in client.get(reverse("development_mine")).context["suggestions"]]
    assert sources == [f"session-{session.pk}"]
    # Claiming it again only says so.
    assert client.get(url).status_code == 302


def test_someone_elses_record_cannot_be_claimed(client, guru, lsp_a):
    stranger = factories.AssessorCertificateFactory(issued_on=NOW.start)
    client.force_login(guru[0])
    for source in (f"certificate-{stranger.pk}", "session-999999", "nonsense"):
        url = reverse("development_activity_create") + f"?from={source}"
        assert client.get(url).status_code == 403


# --- the LSP admin --------------------------------------------------------------------------------
def test_admin_verifies_and_the_total_moves(client, admin_a, guru):
    _user, record = guru
    t = teacher_of_assessor(record)
    claim = activity(t, code="magang", end=TODAY, status="pending")
    client.force_login(admin_a)
    page = client.get(reverse("development_teacher", args=[t.pk]))
    assert claim.pk in page.context["verifiable"] and page.context["progress"]["points"] == 0
    url = reverse("development_activity_verify", args=[claim.pk])
    assert client.post(url, {"action": "verify"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "verified" and claim.verified_by == admin_a and claim.verified_at
    page = client.get(reverse("development_teacher", args=[t.pk]))
    assert page.context["progress"]["points"] == 24 and page.context["progress"]["missing"] == 8


def test_a_rejection_needs_a_reason(client, admin_a, guru):
    claim = activity(teacher_of_assessor(guru[1]), end=TODAY, status="pending")
    client.force_login(admin_a)
    url = reverse("development_activity_verify", args=[claim.pk])
    client.post(url, {"action": "reject", "reason": "  "})
    claim.refresh_from_db()
    assert claim.status == "pending"
    client.post(url, {"action": "reject", "reason": "Sertifikat tidak terbaca"})
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == ("rejected", "Sertifikat tidak terbaca")


def test_admin_works_only_with_their_schools(client, admin_a, lsp_a, other):
    network = factories.SchoolFactory()
    lsp_a.network_schools.add(network)
    jejaring = teacher(network, name="Guru Jejaring")
    theirs = activity(other, end=TODAY, status="pending", evidence=_pdf())
    client.force_login(admin_a)
    assert client.get(reverse("development_teacher", args=[jejaring.pk])).status_code == 200
    assert client.get(reverse("development_teacher", args=[other.pk])).status_code == 404
    assert client.get(reverse("development_activity_evidence", args=[theirs.pk])).status_code == 404
    url = reverse("development_activity_verify", args=[theirs.pk])
    assert client.post(url, {"action": "verify"}).status_code == 404
    listed = client.get(reverse("development_school")).context["teachers"]
    assert [t.full_name for t in listed] == ["Guru Jejaring"]
    assert client.get(reverse("development_school"), {"school": other.school_id}).status_code == 400
    response = client.post(
        reverse("development_teacher_create"), {"full_name": "X", "school": other.school_id}
    )
    assert response.status_code == 200 and "school" in response.context["form"].errors
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_admin_records_for_a_teacher_without_an_account(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("development_teacher_create"),
        {"full_name": "Bu Guru Tanpa Akun", "school": lsp_a.host_school_id},
    )
    assert response.status_code == 302
    t = lsp_a.host_school.teachers.get()
    url = reverse("development_teacher_activity_create", args=[t.pk])
    assert _post_activity(client, url).status_code == 302
    assert t.activities.get().status == "pending"


def test_school_list_highlights_those_below_the_minimum(client, admin_a, lsp_a):
    school = lsp_a.host_school
    low, done, capped = (teacher(school, name=n) for n in ("A Rendah", "B Cukup", "C Penuh"))
    activity(low, code="penghargaan", end=TODAY)
    activity(done, code="penggerak-komunitas", end=TODAY)
    activity(capped, code="program-jangka-menengah", end=TODAY)
    activity(capped, code="magang", end=TODAY)
    client.force_login(admin_a)
    rows = client.get(reverse("development_school")).context["teachers"]
    assert [(t.full_name, t.points, t.missing) for t in rows] == [
        ("A Rendah", 12, 20),
        ("B Cukup", 36, 0),
        ("C Penuh", 128, 0),
    ]
    below = client.get(reverse("development_school"), {"below": "1"}).context["teachers"]
    assert [t.full_name for t in below] == ["A Rendah"]


def test_school_list_queries_do_not_grow(client, admin_a, lsp_a, django_assert_num_queries):
    def build(n):
        for i in range(n):
            t = teacher(lsp_a.host_school, name=f"Guru {i}")
            activity(t, code="magang", end=TODAY)
            activity(t, code="seminar-lokakarya", end=TODAY, status="pending")

    client.force_login(admin_a)
    build(2)
    client.get(reverse("development_school"))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("development_school"))
    build(10)
    with django_assert_num_queries(len(two)):
        client.get(reverse("development_school"))


def test_teacher_page_queries_do_not_grow(client, guru, django_assert_num_queries):
    user, record = guru
    t = teacher_of_assessor(record)
    activity(t, code="magang", end=TODAY)
    client.force_login(user)
    client.get(reverse("development_mine"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("development_mine"))
    for n in range(8):
        activity(t, code="seminar-lokakarya", end=TODAY, status=("pending", "rejected")[n % 2])
    with django_assert_num_queries(len(one)):
        client.get(reverse("development_mine"))


def test_excel_export_is_scoped_and_audited(client, admin_a, lsp_a, other):
    t = teacher(lsp_a.host_school, name="Guru Alpha")
    activity(t, code="magang", end=TODAY)
    client.force_login(admin_a)
    response = client.get(reverse("development_school_export"), {"semester": NOW.key})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == (lsp_a.host_school.name, lsp_a.host_school.npsn, "Guru Alpha")
    assert rows[1][4:8] == (24, 24, 0, 8)
    assert len(rows) == 2  # Guru Beta of LSP B is not there
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == admin_a and set(entry.lsps.all()) == {lsp_a}


def test_recap_pdf_reads_back(client, admin_a, lsp_a):
    t = teacher(lsp_a.host_school, name="Guru Rekap")
    activity(t, code="magang", end=TODAY, title="Magang Telkom")
    activity(t, code="narasumber", end=TODAY, status="pending")
    client.force_login(admin_a)
    response = client.get(reverse("development_teacher_pdf", args=[t.pk]), {"semester": NOW.key})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", "", text)  # pypdf spaces and breaks words where the layout does
    assert "GuruRekap" in text and "MagangTelkom" in text and "24" in text
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_add_assessors_as_teachers(client, admin_a, lsp_a):
    factories.AssessorFactory(lsps=[lsp_a], home_school=lsp_a.host_school)
    factories.AssessorFactory(lsps=[lsp_a], home_school=factories.SchoolFactory())  # elsewhere
    client.force_login(admin_a)
    assert client.get(reverse("development_school")).context["missing_assessors"] == 1
    client.post(reverse("development_add_assessors"))
    assert lsp_a.host_school.teachers.count() == 1
    assert client.get(reverse("development_school")).context["missing_assessors"] == 0


# --- Disdikbud ------------------------------------------------------------------------------------
def test_viewer_reads_the_province_summary_only(client, viewer_kaltim, lsp_a, other):
    t = teacher(lsp_a.host_school, name="Guru Alpha")
    activity(t, code="program-jangka-menengah", end=TODAY)
    claim = activity(other, end=TODAY, status="pending", evidence=_pdf())
    client.force_login(viewer_kaltim)
    page = client.get(reverse("development_province"))
    rows = {r["school"].pk: r for r in page.context["rows"]}
    assert (rows[lsp_a.host_school_id]["teachers"], rows[lsp_a.host_school_id]["at_cap"]) == (1, 1)
    assert rows[other.school_id]["below"] == 1
    assert b"Guru Alpha" not in page.content
    for url in (
        reverse("development_school"),
        reverse("development_school_export"),
        reverse("development_teacher_create"),
    ):
        assert client.get(url).status_code == 403
    assert client.get(reverse("development_teacher", args=[t.pk])).status_code == 404
    assert client.get(reverse("development_activity_evidence", args=[claim.pk])).status_code == 404
    verify = reverse("development_activity_verify", args=[claim.pk])
    assert client.post(verify, {"action": "verify"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_province_summary_queries_do_not_grow(client, viewer_kaltim, django_assert_num_queries):
    client.force_login(viewer_kaltim)
    client.get(reverse("development_province"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("development_province"))
    for n in range(5):
        t = teacher(factories.SchoolFactory(), name=f"Guru {n}")
        activity(t, code="magang", end=TODAY)
    with django_assert_num_queries(len(before)):
        client.get(reverse("development_province"))


def test_an_assessment_is_claimed_with_its_report_as_evidence(client, guru):
    user, record = guru
    session = factories.SessionFactory(
        lsp=record.lsps.get(), start_date=NOW.start, end_date=NOW.start
    )
    SessionAssessor.objects.create(session=session, assessor=record, submitted_at=timezone.now())
    client.force_login(user)
    url = reverse("development_activity_create") + f"?from=session-{session.pk}"
    form = client.get(url).context["form"]
    assert form.initial["organiser"] == session.lsp.name and form.initial["kind"] is None
    data = {k: form.initial[k] for k in ("title", "organiser")}
    data |= {"start_date": NOW.start.isoformat(), "end_date": NOW.start.isoformat()}
    response = client.post(url, data)
    assert "kind" in response.context["form"].errors  # no kind mapped: the teacher chooses
    response = client.post(url, data | {"kind": kind("observasi-sejawat").pk})
    assert response.status_code == 302
    claimed = Activity.objects.get()
    assert claimed.session == session and claimed.points == 8
    page = client.get(reverse("development_mine"))
    assert reverse("session_document", args=[session.pk, "fr-ak-05"]).encode() in page.content


def test_semester_arrows_keep_the_school_filter(client, admin_a, lsp_a):
    client.force_login(admin_a)
    school = lsp_a.host_school_id
    page = client.get(reverse("development_school"), {"semester": "2026-1", "school": school})
    assert f'href="?semester=2026-2&amp;school={school}"'.encode() in page.content
