"""Enrolling students and one enrolment: picking, NISN lists, capacity, conflicts, APL.01."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Enrolment, Evidence, UnitVerdict, Verdict
from lsp.models import AuditEntry, ConflictRule, Role
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a, code="JDW/A/001", status="open")
    s.end_date = s.start_date + DAY
    s.save()
    s.scheme.units.add(factories.UnitFactory(lsp=lsp_a))
    return s


@pytest.fixture
def assessors(session):
    return [factories.session_assessor(session, full_name=n) for n in ("Andi", "Budi")]


@pytest.fixture
def students(lsp_a):
    return factories.CandidateFactory.create_batch(6, school=lsp_a.host_school)


def _account(assessor, username, lsp):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    Role.objects.create(user=assessor.user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    return assessor.user


def _xlsx(rows, header="NISN"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([header, "Nama"])
    for row in rows:
        sheet.append([row, "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "daftar.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _enrol(client, session, **data):
    data.setdefault("mode", "even")
    return client.post(reverse("session_enrol", args=[session.pk]), data)


# --- picking from the list ------------------------------------------------------------------------
def test_the_admin_enrols_picked_students_evenly(client, admin_a, session, assessors, students):
    elsewhere = factories.CandidateFactory(full_name="Siswa Lain")  # not a school of the LSP
    client.force_login(admin_a)
    page = client.get(reverse("session_enrol", args=[session.pk]))
    listed = {c.pk for c in page.context["page_obj"]}
    assert listed == {s.pk for s in students}
    assert elsewhere.pk not in listed
    assert "Select all on this page" in page.content.decode()
    response = _enrol(client, session, source="pick", candidates=[s.pk for s in students[:4]])
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    enrolled = list(session.enrolments.all())
    assert len(enrolled) == 4
    slots = {(e.assessor_id, e.assessment_date) for e in enrolled}
    assert len(slots) == 4  # 2 assessors × 2 days, one each
    assert AuditEntry.objects.filter(object_repr__contains="Pendaftaran asesi").exists()
    # Already enrolled students are no longer offered.
    page = client.get(reverse("session_enrol", args=[session.pk]))
    assert {c.pk for c in page.context["page_obj"]} == {s.pk for s in students[4:]}


def test_a_student_outside_the_lsp_cannot_be_posted(client, admin_a, session, assessors):
    elsewhere = factories.CandidateFactory()
    client.force_login(admin_a)
    response = _enrol(client, session, source="pick", candidates=[elsewhere.pk])
    assert response.status_code == 200
    assert not session.enrolments.exists()


def test_one_assessor_and_day_for_all_and_the_filters(
    client, admin_a, session, assessors, students
):
    students[0].class_name = "XII TKJ 3"
    students[0].save()
    client.force_login(admin_a)
    page = client.get(reverse("session_enrol", args=[session.pk]), {"class_name": "xii tkj 3"})
    assert [c.pk for c in page.context["page_obj"]] == [students[0].pk]
    _enrol(
        client,
        session,
        source="pick",
        mode="fixed",
        assessor=assessors[1].pk,
        day=session.end_date.isoformat(),
        candidates=[s.pk for s in students[:3]],
    )
    assert {(e.assessor_id, e.assessment_date) for e in session.enrolments.all()} == {
        (assessors[1].pk, session.end_date)
    }


# --- from a list of NISNs -------------------------------------------------------------------------
def test_an_excel_list_with_a_bad_row_enrols_nobody(client, admin_a, session, assessors, students):
    client.force_login(admin_a)
    file = _xlsx([students[0].nisn, "9999999999", students[1].nisn, "12ab"])
    response = _enrol(client, session, source="list", nisn_file=file)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert problems[0].startswith("Row 3:") and "9999999999" in problems[0]
    assert problems[1].startswith("Row 5:") and "digits only" in problems[1]
    assert "Nobody was enrolled" in response.content.decode()
    assert not session.enrolments.exists()


def test_an_excel_list_enrols_its_students(client, admin_a, session, assessors, students):
    client.force_login(admin_a)
    # A number cell lost its leading zeros: clean_digits restores them.
    file = _xlsx([int(students[0].nisn), students[1].nisn])
    response = _enrol(client, session, source="list", nisn_file=file)
    assert response.status_code == 302
    assert {e.candidate_id for e in session.enrolments.all()} == {students[0].pk, students[1].pk}


def test_a_file_without_a_nisn_column_is_refused(client, admin_a, session, assessors, students):
    client.force_login(admin_a)
    response = _enrol(client, session, source="list", nisn_file=_xlsx(["1"], header="Nomor"))
    assert "Column NISN is missing" in response.content.decode()
    assert not session.enrolments.exists()


def test_pasted_nisns_and_repeats(client, admin_a, session, assessors, students):
    client.force_login(admin_a)
    text = f"NISN\n{students[0].nisn}\n{students[0].nisn}\n"
    response = _enrol(client, session, source="list", nisn_text=text)
    assert (
        "Row 3: NISN" in response.context["problems"][0]
        and "repeats row 2" in response.context["problems"][0]
    )
    assert not session.enrolments.exists()
    _enrol(client, session, source="list", nisn_text=f"{students[0].nisn}\t{students[0]}\n")
    assert session.enrolments.count() == 1
    response = _enrol(client, session, source="list", nisn_text=students[0].nisn)
    assert "already enrolled" in response.context["problems"][0]


# --- capacity and conflicts -----------------------------------------------------------------------
def test_students_beyond_the_daily_limit_are_listed(client, admin_a, session, assessors, students):
    session.lsp.max_candidates_per_assessor_day = 1
    session.lsp.save()
    client.force_login(admin_a)
    response = _enrol(client, session, source="pick", candidates=[s.pk for s in students])
    assert response.status_code == 302 and response.url.endswith("/daftarkan/")
    assert session.enrolments.count() == 4  # 2 assessors × 2 days × 1
    page = client.get(response.url)
    assert len(page.context["left"]) == 2
    assert "found no free place" in page.content.decode()


def test_one_assessor_over_the_limit_is_refused(client, admin_a, session, assessors, students):
    session.lsp.max_candidates_per_assessor_day = 2
    session.lsp.save()
    client.force_login(admin_a)
    response = _enrol(
        client,
        session,
        source="pick",
        mode="fixed",
        assessor=assessors[0].pk,
        day=session.start_date.isoformat(),
        candidates=[s.pk for s in students[:3]],
    )
    assert response.status_code == 200
    assert "Andi would assess 3 asesi" in response.context["problems"][0]
    assert not session.enrolments.exists()


def test_a_conflict_is_warned_once_and_needs_the_confirmation(
    client, admin_a, session, students, lsp_a
):
    teacher = factories.session_assessor(session, full_name="Guru", home_school=lsp_a.host_school)
    client.force_login(admin_a)
    data = {"source": "pick", "candidates": [s.pk for s in students[:3]]}
    response = _enrol(client, session, **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Each such assessor must give an impartiality statement") == 1
    assert not session.enrolments.exists()
    response = _enrol(client, session, confirm_impartiality="on", **data)
    assert response.status_code == 302
    enrolled = list(session.enrolments.all())
    assert len(enrolled) == 3 and all(e.conflict_of_interest for e in enrolled)
    detail = client.get(session.get_absolute_url())
    assert 'data-testid="statement-needed"' in detail.content.decode()
    assert teacher.full_name in detail.content.decode()


def test_the_forbid_rule_refuses_a_conflict(client, admin_a, session, students, lsp_a):
    lsp_a.conflict_rule = ConflictRule.FORBID
    lsp_a.save()
    factories.session_assessor(session, home_school=lsp_a.host_school)
    client.force_login(admin_a)
    response = _enrol(client, session, source="pick", candidates=[students[0].pk])
    assert "this LSP forbids it" in response.context["problems"][0]
    assert not session.enrolments.exists()


def test_no_enrolment_once_decided(client, admin_a, session, assessors, students):
    session.status = "decided"
    session.save()
    client.force_login(admin_a)
    response = _enrol(client, session, source="pick", candidates=[students[0].pk])
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert not session.enrolments.exists()


# --- one enrolment --------------------------------------------------------------------------------
@pytest.fixture
def enrolment(session, assessors, lsp_a):
    _account(assessors[0], "andi", lsp_a)
    return factories.EnrolmentFactory(session=session, assessor=assessors[0], eligibility="pending")


def test_who_sees_an_enrolment(
    client, admin_a, admin_b, viewer_kaltim, enrolment, assessors, lsp_a
):
    url = reverse("enrolment_detail", args=[enrolment.pk])
    client.force_login(admin_a)
    page = client.get(url).content.decode()
    assert enrolment.candidate.nik in page
    client.force_login(enrolment.assessor.user)
    page = client.get(url).content.decode()
    assert enrolment.candidate.full_name in page and enrolment.candidate.nik not in page
    other = _account(assessors[1], "budi", lsp_a)
    for user in (admin_b, viewer_kaltim, other):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_guardian_consents_for_a_minor(client, admin_a, enrolment):
    candidate = enrolment.candidate
    candidate.birth_date = enrolment.assessment_date.replace(
        year=enrolment.assessment_date.year - 17
    )
    candidate.save()
    client.force_login(admin_a)
    url = reverse("enrolment_apply", args=[enrolment.pk])
    response = client.post(url, {"purpose": "certification", "guardian_name": "Ibu Sari"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "under 18 on the assessment day" in errors["guardian_consent"][0]
    assert 'value="Ibu Sari"' in response.content.decode()
    response = client.post(
        url, {"purpose": "certification", "guardian_name": "Ibu Sari", "guardian_consent": "on"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.guardian_consent and enrolment.applied_at is not None


def test_an_adult_needs_no_consent_and_other_purpose_needs_words(client, admin_a, enrolment):
    candidate = enrolment.candidate
    candidate.birth_date = enrolment.assessment_date.replace(
        year=enrolment.assessment_date.year - 18
    )
    candidate.save()
    client.force_login(admin_a)
    url = reverse("enrolment_apply", args=[enrolment.pk])
    response = client.post(url, {"purpose": "other"})
    assert list(response.context["form"].errors) == ["purpose_other"]
    assert client.post(url, {"purpose": "rpl"}).status_code == 302


def test_evidence_is_checked_by_content_and_served_only_to_those_who_may_see_it(
    client, admin_a, admin_b, viewer_kaltim, enrolment, assessors, lsp_a
):
    candidate = enrolment.candidate
    candidate.birth_date = datetime.date(2000, 1, 1)
    candidate.save()
    client.force_login(admin_a)
    url = reverse("enrolment_apply", args=[enrolment.pk])
    fake = SimpleUploadedFile("rapor.pdf", b"<html><script>x</script></html>")
    response = client.post(
        url, {"purpose": "certification", "evidence_description": "Rapor", "evidence_file": fake}
    )
    assert "This file type is not accepted" in response.content.decode()
    assert not Evidence.objects.exists()
    real = SimpleUploadedFile("rapor.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"purpose": "certification", "evidence_description": "Rapor", "evidence_file": real}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    file_url = reverse("evidence_file", args=[evidence.pk])
    assert b"".join(client.get(file_url).streaming_content) == PDF
    client.force_login(enrolment.assessor.user)
    assert client.get(file_url).status_code == 200
    other = _account(assessors[1], "budi", lsp_a)
    for user in (admin_b, viewer_kaltim, other):
        client.force_login(user)
        assert client.get(file_url).status_code == 404
    client.force_login(admin_b)
    assert client.post(reverse("evidence_delete", args=[evidence.pk])).status_code == 404
    assert Evidence.objects.exists()


def test_eligibility_needs_a_reason_when_not_eligible(client, admin_a, enrolment):
    client.force_login(admin_a)
    url = reverse("enrolment_eligibility", args=[enrolment.pk])
    response = client.post(url, {"eligibility": "not_eligible"})
    assert "Give the reason" in response.context["form"].errors["eligibility_reason"][0]
    response = client.post(url, {"eligibility": "eligible"})
    assert "Fill in the application" in response.context["form"].errors["eligibility"][0]
    client.post(url, {"eligibility": "not_eligible", "eligibility_reason": "Belum PKL"})
    enrolment.refresh_from_db()
    assert enrolment.eligibility == "not_eligible"
    assert enrolment.eligibility_reason == "Belum PKL"


def test_reassigning_checks_the_load_and_the_conflict(client, admin_a, enrolment, assessors, lsp_a):
    lsp_a.max_candidates_per_assessor_day = 1
    lsp_a.save()
    factories.EnrolmentFactory(session=enrolment.session, assessor=assessors[1])
    client.force_login(admin_a)
    url = reverse("enrolment_assign", args=[enrolment.pk])
    day = enrolment.session.start_date.isoformat()
    response = client.post(url, {"assessor": assessors[1].pk, "assessment_date": day})
    assert "Budi would assess 2 asesi" in response.content.decode()
    later = enrolment.session.end_date.isoformat()
    assert (
        client.post(url, {"assessor": assessors[1].pk, "assessment_date": later}).status_code == 302
    )
    enrolment.refresh_from_db()
    assert (enrolment.assessor, enrolment.assessment_date) == (
        assessors[1],
        enrolment.session.end_date,
    )
    teacher = factories.session_assessor(enrolment.session, home_school=enrolment.candidate.school)
    response = client.post(url, {"assessor": teacher.pk, "assessment_date": day})
    assert "impartiality statement" in response.content.decode()
    response = client.post(
        url, {"assessor": teacher.pk, "assessment_date": day, "confirm_impartiality": "on"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.conflict_of_interest


def test_an_enrolment_is_removed_only_before_any_verdict(client, admin_a, enrolment, session):
    client.force_login(admin_a)
    UnitVerdict.objects.create(
        enrolment=enrolment,
        unit=session.scheme.units.first(),
        verdict=Verdict.K,
        recorded_by=admin_a,
    )
    url = reverse("enrolment_delete", args=[enrolment.pk])
    response = client.post(url, follow=True)
    assert "the enrolment stays" in response.content.decode()
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    enrolment.verdicts.all().delete()
    assert client.post(url).status_code == 302
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_the_viewer_cannot_post_to_an_enrolment(client, viewer_kaltim, enrolment):
    client.force_login(viewer_kaltim)
    for name in (
        "enrolment_apply",
        "enrolment_eligibility",
        "enrolment_assign",
        "enrolment_delete",
    ):
        assert client.post(reverse(name, args=[enrolment.pk]), {}).status_code == 404, name
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
