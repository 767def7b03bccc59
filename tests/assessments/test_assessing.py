"""The assessor's pages at the site: who may read and record, saving unit by unit, submission."""

import datetime
import re

import pytest
from django.urls import reverse

from assessments.models import (
    AssessmentSession,
    Element,
    Enrolment,
    SelfAssessment,
    UnitVerdict,
    Verdict,
)
from assessments.services import sessions as rules
from lsp.access import scope_of
from lsp.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _units(session, count):
    units = []
    for order in range(count):
        unit = factories.UnitFactory(lsp=session.lsp)
        session.scheme.schemeunit_set.create(unit=unit, order=order)
        Element.objects.create(unit=unit, number=1, title=f"Elemen {order + 1}")
        units.append(unit)
    return units


def _account(assessor, username):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    for lsp in assessor.lsps.all():
        Role.objects.create(user=assessor.user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    return assessor.user


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a)
    # Listed in the scheme's order, which is not the order of their codes.
    _units(s, 3)
    first = s.scheme.schemeunit_set.order_by("pk").first()
    first.order = 9
    first.save()
    return s


@pytest.fixture
def enrolment(session):
    e = factories.EnrolmentFactory(session=session, candidate__full_name="Ani Lestari")
    _account(e.assessor, "penguji")
    return e


@pytest.fixture
def assessor_user(enrolment):
    return enrolment.assessor.user


@pytest.fixture
def colleague(session):
    """Another assessor of the same session, with a student of their own."""
    other = factories.session_assessor(session, full_name="Rekan Penguji")
    user = _account(other, "rekan")
    theirs = factories.EnrolmentFactory(
        session=session, assessor=other, candidate__full_name="Budi Rekan"
    )
    return user, theirs


def unit_url(enrolment, unit):
    return reverse("assess_unit_verdict", args=[enrolment.pk, unit.pk])


def verdict_data(unit, verdict, methods=("observation",), notes=""):
    return {f"u{unit.pk}-verdict": verdict, f"u{unit.pk}-methods": list(methods),
            f"u{unit.pk}-notes": notes}  # fmt: skip


def shown(body):
    """The recommendation as the page shows it."""
    return re.search(r'data-testid="recommendation"[^>]*>([^<]*)<', body).group(1)


def ordered(session):
    return list(session.scheme.ordered_units())


# --- who may open what ----------------------------------------------------------------------------
def test_my_assessments_lists_my_sessions_with_their_progress(client, assessor_user, enrolment):
    unit = ordered(enrolment.session)[0]
    rules.record_verdict(assessor_user, enrolment, unit.pk, Verdict.K)
    elsewhere = factories.SessionFactory(lsp=enrolment.session.lsp)  # not assigned to them
    client.force_login(assessor_user)
    response = client.get(reverse("assess_home"))
    assert response.status_code == 200
    [row] = response.context["current"]
    assert row == enrolment.session and row.pk != elsewhere.pk
    assert (row.students, row.recorded, row.expected, row.submitted) == (1, 1, 3, 0)
    page = response.content.decode()
    assert "1/3 unit verdicts" in page and "0/1 submitted" in page


def test_my_assessments_is_not_found_without_an_assessor_record(client, viewer_kaltim, admin_a):
    for user in (viewer_kaltim, admin_a):
        client.force_login(user)
        response = client.get(reverse("assess_home"))
        assert response.status_code == 404
        assert "not linked to an assessor record" in response.content.decode()


def test_viewers_and_other_lsps_get_404_on_every_page(client, viewer_kaltim, admin_b, enrolment):
    unit = ordered(enrolment.session)[0]
    gets = [
        reverse("assess_session", args=[enrolment.session_id]),
        reverse("assess_report", args=[enrolment.session_id]),
        reverse("assess_enrolment", args=[enrolment.pk]),
        reverse("assess_verdict_summary", args=[enrolment.pk]),
    ]
    posts = [
        unit_url(enrolment, unit),
        reverse("assess_verdicts", args=[enrolment.pk]),
        reverse("assess_agreement", args=[enrolment.pk]),
        reverse("assess_self", args=[enrolment.pk]),
        reverse("assess_feedback", args=[enrolment.pk]),
        reverse("assess_submit", args=[enrolment.pk]),
        reverse("assess_reopen", args=[enrolment.pk]),
    ]
    for user in (viewer_kaltim, admin_b):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url, verdict_data(unit, "K")).status_code == 404, url
    assert not UnitVerdict.objects.exists()


def test_another_assessor_may_not_open_or_record_my_student(client, enrolment, colleague):
    intruder, theirs = colleague
    unit = ordered(enrolment.session)[0]
    client.force_login(intruder)
    # They see the session and their own student, not mine.
    listed = client.get(reverse("assess_session", args=[enrolment.session_id]))
    assert [e.pk for e in listed.context["enrolments"]] == [theirs.pk]
    assert client.get(reverse("assess_enrolment", args=[enrolment.pk])).status_code == 404
    for headers in ({}, HTMX):
        response = client.post(unit_url(enrolment, unit), verdict_data(unit, "K"), **headers)
        assert response.status_code == 404
    assert client.post(reverse("assess_submit", args=[enrolment.pk])).status_code == 404
    assert not enrolment.verdicts.exists()


def test_an_assessor_not_assigned_to_the_session_gets_404(client, enrolment, lsp_a):
    stranger = factories.AssessorFactory(lsps=[lsp_a])
    client.force_login(_account(stranger, "asing"))
    assert client.get(reverse("assess_session", args=[enrolment.session_id])).status_code == 404
    assert client.get(reverse("assess_report", args=[enrolment.session_id])).status_code == 404


def test_the_lsp_admin_reads_but_does_not_record(client, admin_a, enrolment):
    unit = ordered(enrolment.session)[0]
    client.force_login(admin_a)
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk]))
    assert page.status_code == 200
    assert "only the assigned assessor records verdicts" in page.content.decode()
    assert not page.context["may_record"]
    listed = client.get(reverse("assess_session", args=[enrolment.session_id]))
    assert [e.pk for e in listed.context["enrolments"]] == [enrolment.pk]
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "K"))
    assert response.status_code == 403
    assert "Only the assessor assigned" in response.content.decode()
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "K"), **HTMX)
    assert response.status_code == 403
    for name in ("assess_verdicts", "assess_agreement", "assess_submit"):
        data = {"methods": ["oral"], **verdict_data(unit, "K")}
        assert client.post(reverse(name, args=[enrolment.pk]), data).status_code == 403, name
    enrolment.refresh_from_db()
    assert not enrolment.verdicts.exists() and enrolment.agreed_at is None
    assert enrolment.submitted_at is None


def test_a_lapsed_certificate_refuses_with_the_message(client, assessor_user, enrolment):
    certificate = enrolment.assessor.certificates.get()
    certificate.valid_until = enrolment.assessment_date - DAY
    certificate.save()
    unit = ordered(enrolment.session)[0]
    client.force_login(assessor_user)
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk])).content.decode()
    assert "Your assessor certificate is not valid on" in page
    listed = client.get(reverse("assess_session", args=[enrolment.session_id]))
    assert 'data-testid="certificate-warning"' in listed.content.decode()
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "K"), **HTMX)
    assert response.status_code == 403
    assert "certificate is not valid on" in response.content.decode()
    assert 'data-state="error"' in response.content.decode()
    assert not enrolment.verdicts.exists()


# --- recording ------------------------------------------------------------------------------------
def test_htmx_saves_each_unit_and_recomputes_the_recommendation(client, assessor_user, enrolment):
    units = ordered(enrolment.session)
    client.force_login(assessor_user)
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk])).content.decode()
    assert f'data-testid="verdict-{units[0].pk}-K"' in page
    assert shown(page) == "—"
    # In the scheme's order, not the codes': the unit with the first code comes last.
    assert units[-1].code == min(u.code for u in units)
    assert page.index(units[0].code) < page.index(units[1].code) < page.index(units[2].code)
    for unit in units[:-1]:
        response = client.post(unit_url(enrolment, unit), verdict_data(unit, "K"), **HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert f'data-testid="saved-{unit.pk}"' in body and 'data-state="saved"' in body
        assert "Saved" in body
        assert 'hx-swap-oob="true"' in body and shown(body) == "—"
    last = units[-1]
    response = client.post(
        unit_url(enrolment, last), verdict_data(last, "K", ("oral", "written"), "Lancar"), **HTMX
    )
    assert shown(response.content.decode()) == "K"
    saved = enrolment.verdicts.get(unit=last)
    assert saved.methods == ["oral", "written"] and saved.notes == "Lancar"
    assert saved.recorded_by == assessor_user
    response = client.post(unit_url(enrolment, units[0]), verdict_data(units[0], "BK"), **HTMX)
    assert shown(response.content.decode()) == "BK"
    assert enrolment.compute_recommendation() == Verdict.BK


def test_a_unit_without_a_verdict_is_not_saved_and_bad_input_is_refused(
    client, assessor_user, enrolment
):
    unit = ordered(enrolment.session)[0]
    client.force_login(assessor_user)
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "", notes="x"), **HTMX)
    assert response.status_code == 200 and 'data-state="unsaved"' in response.content.decode()
    assert "choose K or BK" in response.content.decode()
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "LULUS"), **HTMX)
    assert response.status_code == 422 and 'data-state="error"' in response.content.decode()
    other_lsp_unit = factories.UnitFactory()
    assert client.post(unit_url(enrolment, other_lsp_unit), **HTMX).status_code == 404
    assert not enrolment.verdicts.exists()


def test_without_javascript_the_whole_form_saves_or_keeps_what_was_typed(
    client, assessor_user, enrolment
):
    units = ordered(enrolment.session)
    client.force_login(assessor_user)
    url = reverse("assess_verdicts", args=[enrolment.pk])
    data = {**verdict_data(units[0], "K", notes="Rapi"), **verdict_data(units[1], "PASS")}
    response = client.post(url, data)
    assert response.status_code == 200 and not enrolment.verdicts.exists()
    page = response.content.decode()
    assert "Rapi" in page and "Some units were not saved" in page
    data = {}
    for unit in units:
        data.update(verdict_data(unit, "K"))
    response = client.post(url, data)
    assert response.status_code == 302
    assert enrolment.verdicts.filter(verdict=Verdict.K).count() == 3
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk])).content.decode()
    assert shown(page) == "K"
    assert page.count('data-state="saved"') == 3


def test_the_agreement_self_assessment_and_feedback_are_kept(client, assessor_user, enrolment):
    client.force_login(assessor_user)
    url = reverse("assess_agreement", args=[enrolment.pk])
    response = client.post(url, {})
    assert "Tick at least one method" in response.content.decode()
    client.post(url, {"methods": ["written", "observation"]})
    enrolment.refresh_from_db()
    assert enrolment.agreed_methods == ["observation", "written"] and enrolment.agreed_at
    element = Element.objects.filter(unit__in=enrolment.session.scheme.units.all()).first()
    url = reverse("assess_self", args=[enrolment.pk])
    response = client.post(url, {f"e{element.pk}-evidence": "Sertifikat PKL"})
    assert "choose K or BK for this evidence" in response.content.decode()
    assert "Sertifikat PKL" in response.content.decode()
    client.post(
        url,
        {f"e{element.pk}-answer": "K", f"e{element.pk}-evidence": "Laporan PKL", "proceed": "yes"},
    )
    answer = SelfAssessment.objects.get(enrolment=enrolment)
    assert (answer.element, answer.answer, answer.evidence) == (element, "K", "Laporan PKL")
    client.post(reverse("assess_feedback", args=[enrolment.pk]), {"feedback": "Pertahankan."})
    enrolment.refresh_from_db()
    assert enrolment.proceed is True and enrolment.feedback == "Pertahankan."


def test_the_plan_and_self_assessment_come_before_the_assessment(
    client, admin_a, assessor_user, enrolment
):
    """While applications are open: the assessor agrees the plan, the admin may fill APL.02."""
    session = enrolment.session
    session.status = session.Status.OPEN
    session.save()
    element = Element.objects.filter(unit__in=session.scheme.units.all()).first()
    client.force_login(admin_a)
    url = reverse("assess_self", args=[enrolment.pk])
    assert client.post(url, {f"e{element.pk}-answer": "K"}).status_code == 302
    assert SelfAssessment.objects.get(enrolment=enrolment).answer == "K"
    agreement = reverse("assess_agreement", args=[enrolment.pk])
    assert client.post(agreement, {"methods": ["oral"]}).status_code == 403  # the assessor's
    client.force_login(assessor_user)
    assert client.post(agreement, {"methods": ["oral"]}).status_code == 302
    unit = ordered(session)[0]
    assert client.post(unit_url(enrolment, unit), verdict_data(unit, "K")).status_code == 403
    session.status = session.Status.DECIDED
    session.save()
    assert client.post(agreement, {"methods": ["oral"]}).status_code == 403


# --- submission and reopening ---------------------------------------------------------------------
def _all_k(user, enrolment):
    for unit in ordered(enrolment.session):
        rules.record_verdict(user, enrolment, unit.pk, Verdict.K)


def test_submission_needs_every_unit_then_locks(client, assessor_user, enrolment):
    units = ordered(enrolment.session)
    client.force_login(assessor_user)
    submit = reverse("assess_submit", args=[enrolment.pk])
    rules.record_verdict(assessor_user, enrolment, units[0].pk, Verdict.K)
    response = client.post(submit, follow=True)
    assert "Record a verdict for every unit first" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.submitted_at is None
    _all_k(assessor_user, enrolment)
    client.post(submit)
    enrolment.refresh_from_db()
    assert enrolment.submitted_at is not None
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk])).content.decode()
    assert 'data-testid="locked"' in page and "the verdicts are locked" in page
    assert 'data-testid="submit-verdicts"' not in page and "hx-post" not in page
    # A post after submission is refused and writes nothing.
    response = client.post(unit_url(enrolment, units[0]), verdict_data(units[0], "BK"), **HTMX)
    assert response.status_code == 403 and "locked" in response.content.decode()
    response = client.post(unit_url(enrolment, units[0]), verdict_data(units[0], "BK"))
    assert response.status_code == 403
    assert client.post(reverse("assess_feedback", args=[enrolment.pk]), {}).status_code == 403
    assert client.post(submit).status_code == 403
    assert enrolment.verdicts.get(unit=units[0]).verdict == Verdict.K


def test_the_admin_reopens_with_a_reason_and_the_audit_keeps_it(
    client, admin_a, assessor_user, enrolment
):
    _all_k(assessor_user, enrolment)
    rules.submit_verdicts(assessor_user, enrolment)
    url = reverse("assess_reopen", args=[enrolment.pk])
    client.force_login(assessor_user)
    assert client.post(url, {"reason": "Saya salah"}).status_code == 403
    client.force_login(admin_a)
    page = client.get(reverse("assess_enrolment", args=[enrolment.pk])).content.decode()
    assert 'data-testid="reopen-form"' in page
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "Give the reason for reopening" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.submitted_at is not None
    response = client.post(url, {"reason": "Unit 2 salah pilih", "next": "https://evil.example/"})
    assert response.url == reverse("assess_enrolment", args=[enrolment.pk])
    enrolment.refresh_from_db()
    assert enrolment.submitted_at is None
    entry = AuditEntry.objects.filter(changes__reopened="Unit 2 salah pilih").get()
    assert entry.actor == admin_a
    enrolment.session.refresh_from_db()
    assert enrolment.session.status == AssessmentSession.Status.ASSESSING
    # Unlocked: the assessor records again.
    unit = ordered(enrolment.session)[0]
    client.force_login(assessor_user)
    response = client.post(unit_url(enrolment, unit), verdict_data(unit, "BK"), **HTMX)
    assert response.status_code == 200
    assert enrolment.verdicts.get(unit=unit).verdict == Verdict.BK


def test_the_admin_reads_the_verdicts_in_a_fragment(client, admin_a, assessor_user, enrolment):
    unit = ordered(enrolment.session)[0]
    rules.record_verdict(
        assessor_user, enrolment, unit.pk, Verdict.BK, methods=["oral"], notes="Kurang teliti"
    )
    client.force_login(admin_a)
    body = client.get(reverse("assess_verdict_summary", args=[enrolment.pk])).content.decode()
    assert unit.code in body and unit.title in body and "Oral questions" in body
    assert "Kurang teliti" in body and 'data-value="BK"' in body


# --- FR.AK.05 -------------------------------------------------------------------------------------
def test_the_report_notes_are_the_assessors_until_the_decision(
    client, admin_a, assessor_user, enrolment
):
    units = ordered(enrolment.session)
    for unit, verdict in zip(units, ["K", "BK", "K"], strict=True):
        rules.record_verdict(assessor_user, enrolment, unit.pk, verdict)
    url = reverse("assess_report", args=[enrolment.session_id])
    client.force_login(assessor_user)
    page = client.get(url).content.decode()
    assert units[1].code in page and enrolment.assessor.met_number in page
    client.post(url, {"report_notes": "Berjalan lancar."})
    assignment = enrolment.session.assignments.get(assessor=enrolment.assessor)
    assignment.refresh_from_db()
    assert assignment.report_notes == "Berjalan lancar."
    client.force_login(admin_a)
    assert client.post(url, {"report_notes": "Diubah admin"}).status_code == 403
    assert "Berjalan lancar." in client.get(url).content.decode()
    AssessmentSession.objects.filter(pk=enrolment.session_id).update(status="decided")
    client.force_login(assessor_user)
    assert client.post(url, {"report_notes": "Terlambat"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.report_notes == "Berjalan lancar."


# --- queries --------------------------------------------------------------------------------------
def _students(session, assessor, count):
    for _ in range(count):
        e = factories.EnrolmentFactory(session=session, assessor=assessor)
        for unit in session.scheme.units.all():
            UnitVerdict.objects.create(
                enrolment=e, unit=unit, verdict=Verdict.K, recorded_by=assessor.user
            )


def test_the_student_list_runs_a_fixed_number_of_queries(
    client, assessor_user, enrolment, django_assert_num_queries
):
    client.force_login(assessor_user)
    url = reverse("assess_session", args=[enrolment.session_id])
    client.get(url)  # warm the session
    # session, user, session row, assignment, admin?, students, certificate on the day
    with django_assert_num_queries(7):
        client.get(url)
    _students(enrolment.session, enrolment.assessor, 8)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["enrolments"]) == 9
    assert 'data-testid="recommendation-' in response.content.decode()


def test_the_entry_page_runs_a_fixed_number_of_queries(
    client, assessor_user, enrolment, django_assert_num_queries
):
    client.force_login(assessor_user)
    url = reverse("assess_enrolment", args=[enrolment.pk])
    client.get(url)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    _units(enrolment.session, 10)
    _all_k(assessor_user, enrolment)
    _students(enrolment.session, enrolment.assessor, 3)
    with django_assert_num_queries(few):
        client.get(url)


def test_my_assessments_runs_a_fixed_number_of_queries(
    client, assessor_user, enrolment, django_assert_num_queries
):
    client.force_login(assessor_user)
    url = reverse("assess_home")
    client.get(url)
    # session, user, assessor, sessions with counts, days, roles for the menu
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(3):
        other = factories.SessionFactory(lsp=enrolment.session.lsp, scheme=enrolment.session.scheme)
        other.assignments.create(assessor=enrolment.assessor)
        Enrolment.objects.create(
            session=other,
            candidate=factories.CandidateFactory(),
            assessor=enrolment.assessor,
            assessment_date=other.start_date,
        )
    with django_assert_num_queries(6):
        assert len(client.get(url).context["current"]) == 4


# --- the partials on the session and enrolment pages ----------------------------------------------
def _render(name, user, **context):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/jadwal/")
    request.user = user
    return render_to_string(f"assessments/{name}", {"request": request, **context}, request)


def test_the_session_partial_shows_progress_per_assessor_without_queries(
    admin_a, assessor_user, enrolment, colleague, django_assert_num_queries
):
    _all_k(assessor_user, enrolment)
    rules.submit_verdicts(assessor_user, enrolment)
    session = enrolment.session
    everyone = list(
        session.enrolments.select_related("assessor", "candidate").with_recommendation()
    )
    scope_of(admin_a)  # the menu's roles, read once per request by the page already
    with django_assert_num_queries(0):
        html = _render(
            "_session_assessing.html", admin_a, session=session, can_edit=True,
            enrolments=everyone,
        )  # fmt: skip
    assert "1 of 1 submitted" in html and "0 of 1 submitted" in html
    assert 'data-testid="start-assessing"' not in html
    mine = [e for e in everyone if e.assessor_id == enrolment.assessor_id]
    html = _render(
        "_session_assessing.html", assessor_user, session=session, can_edit=False, enrolments=mine
    )
    assert 'data-testid="start-assessing"' in html and "submitted" not in html
    # With the page's assignments, the button shows before any student is enrolled.
    assignments = list(session.assignments.select_related("assessor"))
    html = _render(
        "_session_assessing.html", assessor_user, session=session, can_edit=False,
        enrolments=[], assignments=assignments, sees_students=True,
    )  # fmt: skip
    assert 'data-testid="start-assessing"' in html
    nothing = _render(
        "_session_assessing.html", assessor_user, session=session, can_edit=False, enrolments=[]
    )
    assert nothing.strip() == ""


def test_the_enrolment_partial_offers_reopening_to_the_admin(admin_a, assessor_user, enrolment):
    _all_k(assessor_user, enrolment)
    rules.submit_verdicts(assessor_user, enrolment)
    context = {"enrolment": enrolment, "session": enrolment.session}
    html = _render("_enrolment_assessing.html", admin_a, can_edit=True, **context)
    assert 'data-testid="reopen-form"' in html
    assert reverse("assess_verdict_summary", args=[enrolment.pk]) in html
    html = _render("_enrolment_assessing.html", assessor_user, can_edit=False, **context)
    assert 'data-testid="open-assessing"' in html and "reopen-form" not in html
