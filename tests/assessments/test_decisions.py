"""The decision (pleno), appeals (FR.AK.04), reporting and the results Excel: rules and access."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Appeal, AssessmentSession, Enrolment, Verdict
from assessments.services import decisions
from assessments.services import sessions as rules
from lsp.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
K, BK = Verdict.K, Verdict.BK
Status = AssessmentSession.Status


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def session(lsp_a):
    s = factories.SessionFactory(lsp=lsp_a, code="JDW-PLENO")
    for _ in range(3):
        s.scheme.units.add(factories.UnitFactory(lsp=lsp_a))
    return s


def _account(assessor, username):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    Role.objects.create(user=assessor.user, kind=Role.Kind.ASSESSOR, lsp=assessor.lsps.first())
    return assessor.user


def _enrol(session, assessor, name):
    candidate = factories.CandidateFactory(school=session.lsp.host_school, full_name=name)
    return factories.EnrolmentFactory(session=session, assessor=assessor, candidate=candidate)


def _assess(enrolment, verdicts, *, submit=True):
    user = enrolment.assessor.user
    units = enrolment.session.scheme.units.order_by("pk")
    for unit, verdict in zip(units, verdicts, strict=True):
        rules.record_verdict(user, enrolment, unit.pk, verdict)
    if submit:
        rules.submit_verdicts(user, enrolment)


@pytest.fixture
def assessor(session):
    a = factories.session_assessor(session, full_name="Asesor Pertama")
    _account(a, "asesor1")
    return a


@pytest.fixture
def assessed(session, assessor):
    """Three asesi assessed and submitted: K, K and BK (one BK unit)."""
    rows = [
        (_enrol(session, assessor, "Ani"), [K, K, K]),
        (_enrol(session, assessor, "Budi"), [K, K, K]),
        (_enrol(session, assessor, "Citra"), [K, BK, K]),
    ]
    for enrolment, verdicts in rows:
        _assess(enrolment, verdicts)
    session.refresh_from_db()
    assert session.status == Status.AWAITING_DECISION
    return [e for e, _v in rows]


def _page(client, name, *args):
    return client.get(reverse(name, args=args))


# --- the decision ---------------------------------------------------------------------------------
def test_the_decision_table_shows_recommendations_and_who_assessed(
    client, admin_a, session, assessed
):
    client.force_login(admin_a)
    response = _page(client, "session_decide", session.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert [e.candidate.full_name for e in response.context["enrolments"]] == [
        "Ani",
        "Budi",
        "Citra",
    ]
    assert [e.recommendation for e in response.context["enrolments"]] == [K, K, BK]
    assert "Asesor Pertama" in html
    assert "Recommended: 2 K, 1 BK." in html
    assert response.context["refusal"] is None


def test_an_admin_who_assessed_may_not_decide(client, session, assessed, assessor, lsp_a):
    Role.objects.create(user=assessor.user, kind=Role.Kind.LSP_ADMIN, lsp=lsp_a)
    client.force_login(assessor.user)
    response = _page(client, "session_decide", session.pk)
    assert response.status_code == 200
    assert "decision must be taken by someone else" in response.context["refusal"]
    assert 'data-testid="confirm-decision" disabled' in response.content.decode()
    response = client.post(reverse("session_decide", args=[session.pk]), {"notes": "x"})
    assert "someone else" in response.context["refusal"]
    session.refresh_from_db()
    assert session.status == Status.AWAITING_DECISION
    assert not Enrolment.objects.decided().exists()


def test_missing_verdicts_refuse_the_decision(client, admin_a, session, assessor):
    pending = _enrol(session, assessor, "Budi")
    _assess(_enrol(session, assessor, "Ani"), [K, K, K])
    _assess(pending, [K, K, K], submit=False)
    client.force_login(admin_a)
    response = client.post(reverse("session_decide", args=[session.pk]), {})
    assert "have not been submitted" in response.context["refusal"]
    assert not Enrolment.objects.decided().exists()


def test_a_unit_without_verdict_refuses_the_decision(client, admin_a, session, assessed, lsp_a):
    session.scheme.units.add(factories.UnitFactory(lsp=lsp_a))  # added after the submission
    client.force_login(admin_a)
    response = client.post(reverse("session_decide", args=[session.pk]), {})
    assert "lack a verdict for a unit" in response.context["refusal"]
    assert not Enrolment.objects.decided().exists()


def test_deciding_sets_the_statuses_and_the_rate(client, admin_a, session, assessed):
    client.force_login(admin_a)
    response = client.post(reverse("session_decide", args=[session.pk]), {"notes": "Rapat pleno"})
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk])
    session.refresh_from_db()
    assert session.status == Status.DECIDED
    assert session.decided_by == admin_a and session.decision_notes == "Rapat pleno"
    assert [e.decision for e in Enrolment.objects.order_by("candidate__full_name")] == [K, K, BK]
    outcome = decisions.outcome(session)
    assert (outcome.k, outcome.bk, round(outcome.rate, 1)) == (2, 1, 66.7)

    panel = client.get(reverse("session_decision_panel", args=[session.pk]), HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert "<html" not in html
    assert 'data-testid="count-k">2<' in html and 'data-testid="count-bk">1<' in html
    assert "66.7%" in html
    assert f"Decided by {admin_a.get_full_name()}" in html
    assert reverse("session_bnsp_list", args=[session.pk]) in html
    assert reverse("session_reported", args=[session.pk]) in html
    # A second confirmation has nothing left to decide.
    again = client.post(reverse("session_decide", args=[session.pk]), {})
    assert again.status_code == 200 and again.context["outcome"].k == 2


def test_the_session_page_loads_the_decision_panel(client, admin_a, session, assessed):
    client.force_login(admin_a)
    html = _page(client, "session_detail", session.pk).content.decode()
    assert reverse("session_decision_panel", args=[session.pk]) in html
    assert reverse("session_decide", args=[session.pk]) in html


def test_the_panel_without_htmx_is_a_page_and_a_viewer_sees_figures_only(
    client, viewer_kaltim, admin_a, session, assessed
):
    rules.decide(admin_a, session)
    client.force_login(viewer_kaltim)
    response = _page(client, "session_decision_panel", session.pk)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'data-testid="count-k">2<' in html
    assert reverse("session_bnsp_list", args=[session.pk]) not in html
    assert reverse("session_results", args=[session.pk]) not in html
    assert "Citra" not in html


def test_marking_reported_follows_the_decision(client, admin_a, session, assessed):
    client.force_login(admin_a)
    url = reverse("session_reported", args=[session.pk])
    client.post(url)
    session.refresh_from_db()
    assert session.status == Status.AWAITING_DECISION  # not decided yet: refused
    rules.decide(admin_a, session)
    assert client.post(url).status_code == 302
    session.refresh_from_db()
    assert session.status == Status.REPORTED
    assert client.get(url).status_code == 405


# --- access ---------------------------------------------------------------------------------------
def _session_urls(session):
    return {
        name: reverse(name, args=[session.pk])
        for name in (
            "session_decide",
            "session_decision_panel",
            "session_reported",
            "session_bnsp_list",
            "session_results",
        )
    }


def test_another_lsps_admin_gets_404_by_url_and_post(client, admin_b, admin_a, session, assessed):
    client.force_login(admin_b)
    for name, url in _session_urls(session).items():
        if name != "session_reported":
            assert client.get(url).status_code == 404, name
        assert client.post(url, {}).status_code == 404, name
    enrolment = assessed[2]
    assert client.post(reverse("enrolment_decide", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("enrolment_appeal_panel", args=[enrolment.pk])).status_code == 404
    assert client.get(reverse("appeal_create", args=[enrolment.pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == Status.AWAITING_DECISION


def test_a_viewer_is_refused_with_403(client, viewer_kaltim, session, assessed):
    client.force_login(viewer_kaltim)
    for name in ("session_decide", "session_bnsp_list", "session_results"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 403, name
    for name in ("session_decide", "session_reported"):
        assert client.post(reverse(name, args=[session.pk]), {}).status_code == 403, name
    # Enrolments are students' data: a viewer does not even see them.
    assert client.get(reverse("appeal_create", args=[assessed[0].pk])).status_code == 404
    session.refresh_from_db()
    assert session.status == Status.AWAITING_DECISION


def test_an_assessor_may_not_decide(client, session, assessed, assessor):
    client.force_login(assessor.user)
    assert _page(client, "session_decide", session.pk).status_code == 403
    assert client.post(reverse("session_decide", args=[session.pk]), {}).status_code == 403
    assert _page(client, "session_bnsp_list", session.pk).status_code == 403
    assert client.post(reverse("session_reported", args=[session.pk])).status_code == 403
    assert _page(client, "appeal_create", assessed[2].pk).status_code == 403
    assert not Enrolment.objects.decided().exists()


def test_unauthenticated_users_are_sent_to_log_in(client, session, settings):
    login = reverse(settings.LOGIN_URL)
    for url in _session_urls(session).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


# --- the results Excel ----------------------------------------------------------------------------
def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_results_excel_for_the_admin_is_audited(client, admin_a, session, assessed):
    rules.decide(admin_a, session)
    client.force_login(admin_a)
    sheet = _sheet(_page(client, "session_results", session.pk))
    codes = [u.code for u in session.scheme.ordered_units()]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Nama Lengkap", "NISN", "Sekolah", "Kelas", "Asesor", "Putaran",
        *codes, "Rekomendasi", "Keputusan",
    ]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["Ani", "Budi", "Citra"]
    citra = rows[2]
    assert citra[1] == assessed[2].candidate.nisn
    assert citra[6:9].count("BK") == 1 and citra[-2:] == ["BK", "BK"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin_a and "JDW-PLENO" in entry.object_repr


def test_an_assessor_gets_only_their_own_students(client, session, assessed):
    other = factories.session_assessor(session, full_name="Asesor Kedua")
    user = _account(other, "asesor2")
    _enrol(session, other, "Dodi")
    client.force_login(user)
    sheet = _sheet(_page(client, "session_results", session.pk))
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Dodi"]
    stranger = factories.assessor(session.lsp, username="asing")
    client.force_login(stranger)
    assert _page(client, "session_results", session.pk).status_code == 404


def test_results_excel_queries_are_constant(
    client, admin_a, session, assessor, django_assert_num_queries
):
    for n in range(3):
        _enrol(session, assessor, f"Asesi {n}")
    client.force_login(admin_a)
    _page(client, "session_results", session.pk)  # warm the session and the content types

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert _page(client, "session_results", session.pk).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(20):
        _enrol(session, assessor, f"Asesi lagi {n}")
    assert count() == few


# --- appeals --------------------------------------------------------------------------------------
@pytest.fixture
def decided(admin_a, session, assessed):
    rules.decide(admin_a, session)
    for e in assessed:
        e.refresh_from_db()
    return assessed[2]  # Citra, BK


def _appeal(enrolment, **kwargs):
    return Appeal.objects.create(
        enrolment=enrolment,
        filed_on=kwargs.pop("filed_on", timezone.localdate()),
        grounds=["fair"],
        explanation="Waktu praktik kurang",
        **kwargs,
    )


def test_an_appeal_is_recorded_within_the_lsps_days(client, admin_a, decided, lsp_a):
    client.force_login(admin_a)
    url = reverse("appeal_create", args=[decided.pk])
    today = timezone.localdate()
    assert _page(client, "appeal_create", decided.pk).status_code == 200
    response = client.post(url, {"filed_on": "", "explanation": "Tidak adil"})
    form = response.context["form"]
    assert "filed_on" in form.errors and "grounds" in form.errors
    assert form.data["explanation"] == "Tidak adil"  # what was typed stays
    future = client.post(
        url, {"filed_on": today + DAY, "grounds": ["fair"], "explanation": "x"}
    ).context["form"]
    assert "cannot be in the future" in future.errors["filed_on"][0]
    response = client.post(
        url, {"filed_on": today, "grounds": ["procedure", "fair"], "explanation": "Waktu kurang"}
    )
    assert response.status_code == 302
    appeal = decided.appeals.get()
    assert appeal.grounds == ["procedure", "fair"] and appeal.outcome == Appeal.Outcome.PENDING
    # One appeal per decision.
    assert client.get(url).status_code == 302
    assert decided.appeals.count() == 1


def test_an_appeal_after_the_deadline_is_refused(client, admin_a, decided, lsp_a):
    decided_on = timezone.localdate(decided.decided_at)
    Enrolment.objects.filter(pk=decided.pk).update(
        decided_at=decided.decided_at - datetime.timedelta(days=20)
    )
    decided.refresh_from_db()
    client.force_login(admin_a)
    url = reverse("appeal_create", args=[decided.pk])
    form = client.post(
        url, {"filed_on": decided_on, "grounds": ["valid"], "explanation": "Terlambat"}
    ).context["form"]
    assert "appeal period ended" in form.errors["filed_on"][0]
    assert not decided.appeals.exists()
    # Filed in time (day 14) but recorded later: accepted.
    in_time = timezone.localdate(decided.decided_at) + datetime.timedelta(days=lsp_a.appeal_days)
    assert decisions.appeal_filing_refusal(decided, in_time) is None
    panel = client.get(reverse("enrolment_appeal_panel", args=[decided.pk]), HTTP_HX_REQUEST="true")
    assert 'data-testid="appeal-closed"' in panel.content.decode()


def test_rejecting_an_appeal_needs_a_reason(client, admin_a, decided):
    appeal = _appeal(decided)
    client.force_login(admin_a)
    url = reverse("appeal_decide", args=[appeal.pk])
    form = client.post(url, {"outcome": "reject", "reason": "  "}).context["form"]
    assert "reason" in form.errors
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.PENDING
    assert (
        client.post(url, {"outcome": "reject", "reason": "Prosedur sudah sesuai"}).status_code
        == 302
    )
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.REJECTED and appeal.decided_by == admin_a
    assert appeal.outcome_reason == "Prosedur sudah sesuai"
    assert not Enrolment.objects.filter(round=2).exists()


def test_granting_creates_round_two_with_another_assessor(
    client, admin_a, decided, session, assessor
):
    appeal = _appeal(decided)
    second = factories.session_assessor(session, full_name="Asesor Kedua")
    _account(second, "asesor2")
    unassignable = factories.AssessorFactory(lsps=[session.lsp], full_name="Tanpa Sertifikat")
    client.force_login(admin_a)
    url = reverse("appeal_decide", args=[appeal.pk])
    form = _page(client, "appeal_decide", appeal.pk).context["form"]
    choices = list(form.fields["assessor"].queryset)
    assert second in choices and assessor not in choices and unassignable not in choices
    day = timezone.localdate() + 3 * DAY
    missing = client.post(url, {"outcome": "grant"}).context["form"]
    assert "assessor" in missing.errors and "day" in missing.errors
    same = client.post(url, {"outcome": "grant", "assessor": assessor.pk, "day": day})
    assert "assessor" in same.context["form"].errors
    response = client.post(url, {"outcome": "grant", "assessor": second.pk, "day": day})
    round2 = Enrolment.objects.get(round=2)
    assert response.status_code == 302 and response["Location"] == round2.get_absolute_url()
    assert (
        round2.previous == decided and round2.assessor == second and round2.assessment_date == day
    )
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.GRANTED and appeal.reassessment == round2
    # The history on the first round's page shows both rounds and the appeal.
    panel = client.get(reverse("enrolment_appeal_panel", args=[decided.pk]), HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert 'data-testid="round-1"' in html and 'data-testid="round-2"' in html
    assert round2.get_absolute_url() in html and "Not fair" in html
    assert "Awaiting the verdicts of the re-assessment by Asesor Kedua" in html


def test_round_two_is_decided_by_someone_who_assessed_neither_round(
    client, admin_a, decided, session, assessor, lsp_a
):
    appeal = _appeal(decided)
    second = factories.session_assessor(session, full_name="Asesor Kedua")
    _account(second, "asesor2")
    result = decisions.grant(admin_a, appeal, assessor=second, day=timezone.localdate())
    round2 = result.enrolment
    bk_unit = result.units[0]
    url = reverse("enrolment_decide", args=[round2.pk])
    client.force_login(admin_a)
    client.post(url)  # no verdict yet
    round2.refresh_from_db()
    assert not round2.decision
    rules.record_verdict(second.user, round2, bk_unit.pk, K)
    rules.submit_verdicts(second.user, round2)
    # Both assessors are LSP admins too: neither may decide.
    for user in (assessor.user, second.user):
        Role.objects.create(user=user, kind=Role.Kind.LSP_ADMIN, lsp=lsp_a)
        client.force_login(user)
        response = client.post(url, follow=True)
        assert "someone else" in response.content.decode()
        round2.refresh_from_db()
        assert not round2.decision
    client.force_login(admin_a)
    assert client.post(url).status_code == 302
    round2.refresh_from_db()
    assert round2.decision == K and round2.decided_at
    session.refresh_from_db()
    assert session.status == Status.DECIDED
    outcome = decisions.outcome(session)
    assert (outcome.k, outcome.bk, outcome.reassessed) == (3, 0, 1)


def test_appeal_pages_refuse_others(client, admin_b, viewer_kaltim, decided, assessor):
    appeal = _appeal(decided)
    url = reverse("appeal_decide", args=[appeal.pk])
    data = {"outcome": "reject", "reason": "x"}
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    client.force_login(viewer_kaltim)
    assert client.post(url, data).status_code == 404
    client.force_login(assessor.user)
    assert client.post(url, data).status_code == 403
    assert client.post(reverse("enrolment_decide", args=[decided.pk])).status_code == 403
    # The assessor reads the history of their own asesi, without the admin's buttons.
    panel = client.get(reverse("enrolment_appeal_panel", args=[decided.pk]), HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'data-testid="appeal-actions"' not in panel.content.decode()
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.PENDING


def test_the_enrolment_page_loads_the_appeal_panel(client, admin_a, decided):
    client.force_login(admin_a)
    html = _page(client, "enrolment_detail", decided.pk).content.decode()
    assert reverse("enrolment_appeal_panel", args=[decided.pk]) in html
    panel = client.get(reverse("enrolment_appeal_panel", args=[decided.pk]), HTTP_HX_REQUEST="true")
    assert reverse("appeal_create", args=[decided.pk]) in panel.content.decode()
