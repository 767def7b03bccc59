"""Recording verdicts through the API follows the page's rules (assessments/services/sessions.py):
only the assigned assessor, with a valid certificate, while in assessment, locked once submitted."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessments.models import AssessmentSession, SchemeUnit, UnitVerdict
from lsp.models import AuditEntry
from tests import factories

from .helpers import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(lsp_a):
    session = factories.SessionFactory(lsp=lsp_a)
    for order, unit in enumerate(factories.UnitFactory.create_batch(2, lsp=lsp_a)):
        SchemeUnit.objects.create(scheme=session.scheme, unit=unit, order=order)
    enrolment = factories.EnrolmentFactory(session=session)
    enrolment.assessor.user = factories.assessor(lsp_a, username="asesor.a")
    enrolment.assessor.save()
    return enrolment


@pytest.fixture
def units(enrolment):
    return list(enrolment.session.scheme.ordered_units())


@pytest.fixture
def assessor_api(enrolment):
    return client_for(enrolment.assessor.user)


def verdict_url(enrolment):
    return f"/api/v1/enrolments/{enrolment.pk}/verdicts/"


def submit_url(enrolment):
    return f"/api/v1/enrolments/{enrolment.pk}/submit/"


def test_the_assigned_assessor_records_and_submits(
    enrolment, units, assessor_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = assessor_api.post(
            verdict_url(enrolment),
            {"unit": units[0].pk, "verdict": "K", "methods": ["observation", "oral"]},
            format="json",
        )
    assert response.status_code == 200, response.content
    # The audit trail names the token's user.
    entry = AuditEntry.objects.get(content_type__model="unitverdict")
    assert entry.actor == enrolment.assessor.user
    assert response.json()["unit_code"] == units[0].code
    saved = UnitVerdict.objects.get(enrolment=enrolment, unit=units[0])
    assert (saved.verdict, saved.methods, saved.recorded_by) == (
        "K",
        ["observation", "oral"],
        enrolment.assessor.user,
    )
    # Every unit first.
    refused = assert_error(assessor_api.post(submit_url(enrolment)), 403, "refused")
    assert units[1].code in refused["message"]

    assessor_api.post(verdict_url(enrolment), {"unit": units[1].pk, "verdict": "BK"}, format="json")
    submitted = assessor_api.post(submit_url(enrolment))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["submitted_at"]
    assert {v["verdict"] for v in submitted.json()["verdicts"]} == {"K", "BK"}
    enrolment.session.refresh_from_db()
    assert enrolment.session.status == AssessmentSession.Status.AWAITING_DECISION
    # Locked after submission.
    locked = assessor_api.post(
        verdict_url(enrolment), {"unit": units[1].pk, "verdict": "K"}, format="json"
    )
    assert "locked" in assert_error(locked, 403, "refused")["message"]
    assert UnitVerdict.objects.get(enrolment=enrolment, unit=units[1]).verdict == "BK"


def test_bad_data_names_the_field(enrolment, units, assessor_api):
    body = assert_error(
        assessor_api.post(verdict_url(enrolment), {"unit": units[0].pk, "verdict": "L"}), 400,
        "invalid",
    )  # fmt: skip
    assert body["fields"]["verdict"][0]["code"] == "invalid_choice"
    body = assert_error(assessor_api.post(verdict_url(enrolment), {"verdict": "K"}), 400, "invalid")
    assert body["fields"]["unit"][0]["code"] == "required"
    other = factories.UnitFactory(lsp=enrolment.session.lsp)
    body = assert_error(
        assessor_api.post(verdict_url(enrolment), {"unit": other.pk, "verdict": "K"}), 400,
        "invalid",
    )  # fmt: skip
    assert "not part of the session's scheme" in body["fields"]["unit"][0]["message"]
    body = assert_error(
        assessor_api.post(
            verdict_url(enrolment),
            {"unit": units[0].pk, "verdict": "K", "methods": ["guessing"]},
            format="json",
        ),
        400,
        "invalid",
    )
    assert "methods" in body["fields"]
    assert not UnitVerdict.objects.exists()


def test_only_the_assigned_assessor(enrolment, units, admin_a, api_b, api_viewer, api_revoked):
    data = {"unit": units[0].pk, "verdict": "K"}
    # The LSP's own admin sees the enrolment but does not assess.
    refused = assert_error(client_for(admin_a).post(verdict_url(enrolment), data), 403, "refused")
    assert refused["message"] == "Only the assessor assigned to this asesi records their verdicts."
    # Another LSP's token and a Disdikbud token do not even see it.
    assert_error(api_b.post(verdict_url(enrolment), data), 404, "not_found")
    assert_error(api_viewer.post(verdict_url(enrolment), data), 404, "not_found")
    assert_error(api_viewer.post(submit_url(enrolment)), 404, "not_found")
    assert_error(api_revoked.post(verdict_url(enrolment), data), 401, "revoked_token")
    # Another assessor of the same LSP and session.
    colleague = factories.session_assessor(enrolment.session)
    colleague.user = factories.assessor(enrolment.session.lsp, username="asesor.b")
    colleague.save()
    assert_error(client_for(colleague.user).post(verdict_url(enrolment), data), 404, "not_found")
    assert not UnitVerdict.objects.exists()


def test_an_expired_certificate_or_a_session_not_in_assessment(enrolment, units, assessor_api):
    data = {"unit": units[0].pk, "verdict": "K"}
    certificate = enrolment.assessor.certificates.get()
    certificate.issued_on = enrolment.assessment_date - relativedelta(years=3, days=1)
    certificate.valid_until = enrolment.assessment_date - datetime.timedelta(days=1)
    certificate.save()
    refused = assert_error(assessor_api.post(verdict_url(enrolment), data), 403, "refused")
    assert "not valid" in refused["message"]

    certificate.issued_on = timezone.localdate() - datetime.timedelta(days=30)
    certificate.valid_until = certificate.issued_on + relativedelta(years=3)
    certificate.save()
    enrolment.session.status = AssessmentSession.Status.PLANNED
    enrolment.session.save()
    refused = assert_error(assessor_api.post(verdict_url(enrolment), data), 403, "refused")
    assert "in assessment" in refused["message"]
    assert not UnitVerdict.objects.exists()
