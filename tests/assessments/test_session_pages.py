"""The schedule pages: who sees and changes what, the form, status moves, the session page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSession, Enrolment, SessionAssessor, UnitVerdict, Verdict
from lsp.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a, code="JDW/A/001", status="planned")
    for _ in range(2):
        s.scheme.units.add(factories.UnitFactory(lsp=lsp_a))
    return s


def _account(assessor, username, lsp):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    Role.objects.create(user=assessor.user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    return assessor.user


@pytest.fixture
def sri(session, lsp_a):
    """An assessor of the session with an account."""
    assessor = factories.session_assessor(session, full_name="Sri Wahyuni")
    _account(assessor, "sri", lsp_a)
    return assessor


@pytest.fixture
def theirs(lsp_b):
    return factories.SessionFactory(lsp=lsp_b, code="JDW/B/001")


def codes(response):
    return {s.code for s in response.context["object_list"]}


def _assessor_for(scheme, lsp, **kwargs):
    """Certified, with the scheme in scope, serving the LSP; not assigned."""
    assessor = factories.AssessorFactory(lsps=[lsp], **kwargs)
    factories.AssessorCertificateFactory(assessor=assessor)
    factories.TechnicalScopeFactory(assessor=assessor, scheme=scheme)
    return assessor


# --- the list -------------------------------------------------------------------------------------
def test_each_sees_the_sessions_of_their_scope(
    client, admin_a, viewer_kaltim, session, theirs, sri
):
    client.force_login(admin_a)
    response = client.get(reverse("session_list"))
    assert codes(response) == {"JDW/A/001"}
    assert response.context["may_create"]
    client.force_login(viewer_kaltim)
    response = client.get(reverse("session_list"))
    assert codes(response) == {"JDW/A/001", "JDW/B/001"}
    assert not response.context["may_create"]
    client.force_login(sri.user)
    other = factories.SessionFactory(lsp=session.lsp, code="JDW/A/002")
    response = client.get(reverse("session_list"))
    assert codes(response) == {"JDW/A/001"}
    assert other.code not in response.content.decode()
    assert "My sessions" in response.content.decode()


def test_the_list_filters_by_code_status_and_dates(client, admin_a, session, lsp_a):
    later = factories.SessionFactory(
        lsp=lsp_a, code="JDW/A/077", start_date=session.start_date + 40 * DAY, status="open"
    )
    later.end_date = later.start_date
    later.save()
    client.force_login(admin_a)
    url = reverse("session_list")
    assert codes(client.get(url, {"q": "077"})) == {"JDW/A/077"}
    assert codes(client.get(url, {"status": "planned"})) == {"JDW/A/001"}
    assert codes(client.get(url, {"start": later.start_date.isoformat()})) == {"JDW/A/077"}
    assert codes(client.get(url, {"end": session.end_date.isoformat()})) == {"JDW/A/001"}


def test_the_list_runs_a_fixed_number_of_queries(client, admin_a, lsp_a, django_assert_num_queries):
    def fill(n):
        for _ in range(n):
            s = factories.SessionFactory(lsp=lsp_a)
            factories.EnrolmentFactory(session=s)

    fill(2)
    client.force_login(admin_a)
    url = reverse("session_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert [s.enrolled for s in response.context["object_list"]] == [1, 1]
    assert [s.assessor_count for s in response.context["object_list"]] == [1, 1]
    fill(5)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


# --- create and edit ------------------------------------------------------------------------------
def _form_data(scheme, tuk, start, assessors, **extra):
    data = {
        "scheme": scheme.pk,
        "tuk": tuk.pk,
        "start_date": start.isoformat(),
        "end_date": (start + DAY).isoformat(),
        "funding": factories.funding("1").pk,
        "code": "",
        "notes": "Praktik di bengkel",
        "assessor_choices": [a.pk for a in assessors],
    }
    data.update(extra)
    return data


def test_an_admin_schedules_a_session(client, admin_a, lsp_a):
    scheme = factories.SchemeFactory(lsp=lsp_a)
    tuk = factories.TukFactory(lsp=lsp_a)
    one, two = _assessor_for(scheme, lsp_a), _assessor_for(scheme, lsp_a)
    client.force_login(admin_a)
    page = client.get(reverse("session_create"))
    year = timezone.localdate().year
    assert f"JDW/{lsp_a.pk}/{year}/001" in page.content.decode()
    start = timezone.localdate() + 10 * DAY
    response = client.post(reverse("session_create"), _form_data(scheme, tuk, start, [one, two]))
    session = AssessmentSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert session.lsp == lsp_a and session.status == "planned"
    assert session.code == f"JDW/{start.year}/001".replace("JDW/", f"JDW/{lsp_a.pk}/")
    assert set(session.assessors.all()) == {one, two}


def test_schedule_problems_are_shown_on_the_fields_and_the_input_kept(client, admin_a, lsp_a):
    scheme = factories.SchemeFactory(lsp=lsp_a)
    tuk = factories.TukFactory(lsp=lsp_a, verified_until=timezone.localdate() + 10 * DAY)
    uncertified = factories.AssessorFactory(lsps=[lsp_a], full_name="Tanpa Sertifikat")
    client.force_login(admin_a)
    start = timezone.localdate() + 10 * DAY
    response = client.post(
        reverse("session_create"),
        _form_data(scheme, tuk, start, [uncertified], code="JDW/KETIK/9"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "is not verified on" in form.errors["tuk"][0]
    assert (
        "Tanpa Sertifikat has no valid assessor certificate" in form.errors["assessor_choices"][0]
    )
    page = response.content.decode()
    assert "JDW/KETIK/9" in page and "Praktik di bengkel" in page
    assert not AssessmentSession.objects.exists()


def test_an_assessor_of_another_lsp_and_a_double_booking_are_refused(
    client, admin_a, superuser, session, sri
):
    stranger = _assessor_for(session.scheme, factories.LspFactory(), full_name="Orang Luar")
    client.force_login(admin_a)
    data = _form_data(session.scheme, session.tuk, session.start_date, [sri, stranger])
    response = client.post(reverse("session_create"), data)
    errors = " ".join(response.context["form"].errors["assessor_choices"])
    assert "not one of the available choices" in errors  # not even offered to LSP A's admin
    client.force_login(superuser)
    response = client.post(reverse("session_create"), data)
    errors = " ".join(response.context["form"].errors["assessor_choices"])
    assert "Orang Luar does not serve" in errors
    assert f"Sri Wahyuni is already assigned to session {session.code}" in errors


def test_editing_keeps_an_assessor_who_has_students(client, admin_a, session, sri):
    factories.EnrolmentFactory(session=session, assessor=sri)
    other = _assessor_for(session.scheme, session.lsp)
    client.force_login(admin_a)
    data = _form_data(session.scheme, session.tuk, session.start_date, [other], code=session.code)
    data["end_date"] = session.end_date.isoformat()
    response = client.post(reverse("session_update", args=[session.pk]), data)
    assert "Sri Wahyuni has 1 asesi in this session" in response.content.decode()
    assert list(session.assessors.all()) == [sri]
    data["assessor_choices"] = [sri.pk, other.pk]
    response = client.post(reverse("session_update", args=[session.pk]), data)
    assert response.status_code == 302
    assert set(session.assessors.all()) == {sri, other}


def test_a_duplicate_code_is_refused(client, admin_a, session, sri):
    client.force_login(admin_a)
    data = _form_data(
        session.scheme, session.tuk, session.start_date + 30 * DAY, [], code="JDW/A/001"
    )
    response = client.post(reverse("session_create"), data)
    assert "already has a session with this code" in response.context["form"].errors["code"][0]


# --- status moves ---------------------------------------------------------------------------------
def test_the_admin_moves_the_status_one_step(client, admin_a, session, sri):
    client.force_login(admin_a)
    url = reverse("session_status", args=[session.pk])
    client.post(url, {"status": "open"})
    session.refresh_from_db()
    assert session.status == "open"
    client.post(url, {"status": "decided"})  # not a neighbour
    session.refresh_from_db()
    assert session.status == "open"
    client.post(url, {"status": "assessing"})
    session.refresh_from_db()
    assert session.status == "assessing"


def test_assessment_does_not_start_with_a_lapsed_certificate(client, admin_a, session, sri):
    session.status = "open"
    session.save()
    certificate = sri.certificates.get()
    certificate.valid_until = session.start_date - DAY
    certificate.save()
    client.force_login(admin_a)
    response = client.post(
        reverse("session_status", args=[session.pk]), {"status": "assessing"}, follow=True
    )
    session.refresh_from_db()
    assert session.status == "open"
    problems = response.context["problems"]
    assert "Sri Wahyuni has no valid assessor certificate" in problems["lines"][0]
    assert "Sri Wahyuni has no valid assessor certificate" in response.content.decode()


def test_the_decision_is_not_a_status_button(client, admin_a, session, sri):
    session.status = "awaiting_decision"
    session.save()
    client.force_login(admin_a)
    page = client.get(reverse("session_detail", args=[session.pk]))
    assert [m[0] for m in page.context["moves"]] == ["assessing"]
    client.post(reverse("session_status", args=[session.pk]), {"status": "decided"})
    session.refresh_from_db()
    assert session.status == "awaiting_decision"


# --- refusals -------------------------------------------------------------------------------------
def test_another_lsps_admin_gets_404_by_url_and_post(client, admin_b, session, sri):
    enrolment = factories.EnrolmentFactory(session=session, assessor=sri)
    assignment = SessionAssessor.objects.get(session=session, assessor=sri)
    client.force_login(admin_b)
    for url in (
        reverse("session_detail", args=[session.pk]),
        reverse("session_update", args=[session.pk]),
        reverse("session_enrol", args=[session.pk]),
        reverse("enrolment_detail", args=[enrolment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("session_update", args=[session.pk]), {}),
        (reverse("session_status", args=[session.pk]), {"status": "open"}),
        (reverse("session_enrol", args=[session.pk]), {"source": "pick"}),
        (reverse("session_impartiality", args=[assignment.pk]), {"impartiality_note": "x"}),
    ):
        assert client.post(url, data).status_code == 404, url
    session.refresh_from_db()
    assert session.status == "planned"
    assert codes(client.get(reverse("session_list"))) == set()


def test_a_viewer_reads_the_header_and_counts_but_no_names(client, viewer_kaltim, session, sri):
    enrolment = factories.EnrolmentFactory(session=session, assessor=sri)
    client.force_login(viewer_kaltim)
    response = client.get(reverse("session_detail", args=[session.pk]))
    page = response.content.decode()
    assert session.code in page and session.scheme.title in page
    assert response.context["counts"]["enrolled"] == 1
    assert enrolment.candidate.full_name not in page and enrolment.candidate.nisn not in page
    assert 'data-testid="no-names"' in page
    assert client.get(reverse("enrolment_detail", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("session_update", args=[session.pk])).status_code == 403
    assert client.get(reverse("session_create")).status_code == 403
    url = reverse("session_status", args=[session.pk])
    assert client.post(url, {"status": "open"}).status_code == 403
    assert client.post(reverse("session_enrol", args=[session.pk]), {}).status_code == 403


def test_an_assessor_sees_only_their_own_students_and_changes_nothing(client, session, sri, lsp_a):
    mine = factories.EnrolmentFactory(session=session, assessor=sri)
    colleague = factories.session_assessor(session)
    other = factories.EnrolmentFactory(session=session, assessor=colleague)
    client.force_login(sri.user)
    response = client.get(reverse("session_detail", args=[session.pk]))
    page = response.content.decode()
    assert mine.candidate.full_name in page
    assert other.candidate.full_name not in page
    assert response.context["counts"]["enrolled"] == 2
    assert not response.context["can_edit"]
    assert client.get(reverse("enrolment_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("enrolment_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("session_create")).status_code == 403
    assert client.get(reverse("session_update", args=[session.pk])).status_code == 403
    assert client.get(reverse("session_enrol", args=[session.pk])).status_code == 403
    assert (
        client.post(reverse("session_status", args=[session.pk]), {"status": "open"}).status_code
        == 403
    )
    assert client.get(reverse("enrolment_apply", args=[mine.pk])).status_code == 403
    assert client.post(reverse("enrolment_delete", args=[mine.pk])).status_code == 403
    assert Enrolment.objects.filter(pk=mine.pk).exists()


def test_the_navigation_offers_sessions_by_role(client, admin_a, sri):
    client.force_login(admin_a)
    labels = [i["label"] for i in client.get(reverse("session_list")).context["nav_items"]]
    assert "Sessions" in labels
    client.force_login(sri.user)
    labels = [i["label"] for i in client.get(reverse("session_list")).context["nav_items"]]
    assert "My assessments" in labels and "Sessions" not in labels


# --- impartiality ---------------------------------------------------------------------------------
def test_the_assessor_or_the_admin_records_the_impartiality_statement(
    client, admin_a, session, sri, lsp_a
):
    assignment = SessionAssessor.objects.get(session=session, assessor=sri)
    colleague = factories.session_assessor(session)
    intruder = _account(colleague, "rekan", lsp_a)
    url = reverse("session_impartiality", args=[assignment.pk])
    client.force_login(intruder)
    assert client.post(url, {"impartiality_note": "Saya"}).status_code == 403
    client.force_login(sri.user)
    client.post(url, {"impartiality_note": "Mengajar di sekolah yang sama; dinilai bersama."})
    assignment.refresh_from_db()
    assert assignment.impartiality_declared_at is not None
    assert assignment.impartiality_note.startswith("Mengajar")
    client.force_login(admin_a)
    response = client.post(url, {"impartiality_note": ""}, follow=True)
    assert "This field is required" in response.content.decode()


# --- the session page -----------------------------------------------------------------------------
def _fill(session, count, assessors, units, recorder):
    students = factories.CandidateFactory.build_batch(count, school=session.lsp.host_school)
    for s in students:
        s.school_id, s.concentration_id = s.school.pk, s.concentration.pk
    factories.CandidateFactory._meta.model.objects.bulk_create(students)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            session=session,
            candidate=student,
            assessor=assessors[i % len(assessors)],
            assessment_date=session.start_date,
            eligibility="eligible",
        )
        for i, student in enumerate(students)
    )
    UnitVerdict.objects.bulk_create(
        UnitVerdict(
            enrolment=e,
            unit=unit,
            verdict=Verdict.BK if i % 5 == 0 and j == 0 else Verdict.K,
            recorded_by=recorder,
        )
        for i, e in enumerate(enrolments)
        for j, unit in enumerate(units)
    )


def test_the_session_page_runs_constant_queries_for_300_students(
    client, admin_a, lsp_a, django_assert_num_queries
):
    lsp_a.max_candidates_per_assessor_day = 50
    lsp_a.save()
    session = factories.SessionFactory(lsp=lsp_a)
    units = factories.UnitFactory.create_batch(10, lsp=lsp_a)
    session.scheme.units.add(*units)
    assessors = [factories.session_assessor(session) for _ in range(6)]
    _fill(session, 3, assessors, units, admin_a)
    client.force_login(admin_a)
    url = reverse("session_detail", args=[session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["enrolments"]) == 3
    assert len(few.captured_queries) <= 20  # 9 for the page itself, the partials share the rest
    _fill(session, 297, assessors, units, admin_a)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    rows = response.context["enrolments"]
    assert len(rows) == 300
    assert {r.recommendation for r in rows} == {"K", "BK"}
    assert response.context["counts"]["enrolled"] == 300
