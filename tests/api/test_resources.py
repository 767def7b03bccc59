"""What the resources say: schemes with their units in order, sessions with the enrolments the
user may see, students' personal data only to their admins, certificates with their state."""

import datetime

import pytest

from assessments.models import AssessmentSession, SchemeUnit, Verdict
from tests import factories

from .builders import certificates
from .helpers import client_for, ids

pytestmark = pytest.mark.django_db


def test_a_scheme_lists_its_units_in_order(lsp_a, api_a):
    scheme = factories.SchemeFactory(lsp=lsp_a)
    second, first = factories.UnitFactory.create_batch(2, lsp=lsp_a)
    SchemeUnit.objects.create(scheme=scheme, unit=first, order=1)
    SchemeUnit.objects.create(scheme=scheme, unit=second, order=2)
    body = api_a.get(f"/api/v1/schemes/{scheme.pk}/").json()
    assert [u["code"] for u in body["units"]] == [first.code, second.code]
    assert body["lsp"] == {"id": lsp_a.pk, "name": lsp_a.name}


def test_a_session_shows_the_enrolments_each_user_may_see(lsp_a, admin_a, viewer_kaltim):
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    mine = factories.EnrolmentFactory(session=session, decision=Verdict.K)
    other = factories.EnrolmentFactory(session=session, decision=Verdict.BK)
    mine.assessor.user = factories.assessor(lsp_a, username="asesor.mine")
    mine.assessor.save()
    path = f"/api/v1/sessions/{session.pk}/"

    admin = client_for(admin_a).get(path).json()
    assert {e["id"] for e in admin["enrolments"]} == {mine.pk, other.pk}
    assert (admin["enrolled"], admin["competent"], admin["not_yet_competent"]) == (2, 1, 1)
    assert {a["id"] for a in admin["assessors"]} == {mine.assessor_id, other.assessor_id}

    assessor = client_for(mine.assessor.user).get(path).json()
    assert [e["id"] for e in assessor["enrolments"]] == [mine.pk]

    viewer = client_for(viewer_kaltim).get(path).json()
    assert viewer["enrolments"] == []  # figures only: no student's record
    assert (viewer["enrolled"], viewer["competent"]) == (2, 1)
    assert mine.candidate.full_name not in str(viewer)


def test_students_personal_data_goes_to_their_admins(lsp_a, api_a):
    student = factories.CandidateFactory(school=lsp_a.host_school, address="Jl. Pahlawan 3")
    body = api_a.get(f"/api/v1/students/{student.pk}/").json()
    assert (body["nik"], body["nisn"], body["birth_date"], body["address"]) == (
        student.nik,
        student.nisn,
        "2008-05-17",
        "Jl. Pahlawan 3",
    )
    assert ids(api_a.get("/api/v1/students/", {"q": student.nisn})) == {student.pk}


def test_certificates_with_their_state_and_verification_address(lsp_a, api_a, api_viewer):
    first, _second = certificates(lsp_a, 2)
    body = api_a.get(f"/api/v1/certificates/{first}/").json()
    assert body["state"] in {"valid", "expired"}
    assert body["verification_url"].endswith(f"/verifikasi/{body['public_id']}/")
    assert body["units"] == [] or {"code", "title"} <= set(body["units"][0])
    assert api_viewer.get(f"/api/v1/certificates/{first}/").json()["number"] == body["number"]
    listed = api_a.get("/api/v1/certificates/", {"state": "revoked"})
    assert ids(listed) == set()


def test_tuks_say_whether_usable_today(lsp_a, api_a):
    lapsed = factories.TukFactory(
        lsp=lsp_a,
        verified_on=datetime.date(2020, 1, 1),
        verified_until=datetime.date(2021, 1, 1),
    )
    usable = factories.TukFactory(lsp=lsp_a)
    rows = {r["id"]: r for r in api_a.get("/api/v1/tuks/").json()["results"]}
    assert rows[usable.pk]["usable_today"] is True
    assert rows[lapsed.pk]["usable_today"] is False
    assert ids(api_a.get("/api/v1/tuks/", {"usable": "true"})) == {usable.pk}
