"""Assessors: the status and recognition outcome are the pages' (`with_status`,
`with_recognition`), `?status=expiring` is the README's curl example, personal data goes only to
those who may edit the assessor."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessors.models import Assessor, Outcome, Status
from tests import factories

from .helpers import assert_error, client_for, ids

pytestmark = pytest.mark.django_db


def certified(lsp, name, issued_years_ago=None, *, days_left=None):
    assessor = factories.AssessorFactory(lsps=[lsp], full_name=name, home_school=lsp.host_school)
    today = timezone.localdate()
    if days_left is not None:
        valid_until = today + datetime.timedelta(days=days_left)
        factories.AssessorCertificateFactory(
            assessor=assessor,
            issued_on=valid_until - relativedelta(years=3),
            valid_until=valid_until,
        )
    elif issued_years_ago is not None:
        factories.AssessorCertificateFactory(
            assessor=assessor, issued_on=today - relativedelta(years=issued_years_ago)
        )
    return assessor


@pytest.fixture
def registry(lsp_a):
    return {
        "active": certified(lsp_a, "Ani Active", 1),
        "expiring": certified(lsp_a, "Eko Expiring", days_left=45),
        "expired": certified(lsp_a, "Edi Expired", 4),
        "without": certified(lsp_a, "Wati Without"),
    }


def test_status_and_outcome_are_those_of_the_pages(registry, api_a):
    today = timezone.localdate()
    rows = {row["id"]: row for row in api_a.get("/api/v1/assessors/").json()["results"]}
    expected = Assessor.objects.filter(pk__in=rows).with_status(today).with_recognition(today)
    for assessor in expected:
        row = rows[assessor.pk]
        assert row["status"] == assessor.status
        assert row["outcome"] == assessor.outcome
        assert row["assessments_done"] == assessor.assessments_done
        assert row["current_valid_until"] == (
            assessor.current_valid_until and assessor.current_valid_until.isoformat()
        )
    assert rows[registry["expiring"].pk]["status"] == Status.EXPIRING
    assert rows[registry["expiring"].pk]["status_label"] == "Expiring"
    assert rows[registry["expired"].pk]["outcome"] == Outcome.MUST_RETRAIN
    assert rows[registry["without"].pk]["status"] == Status.WITHOUT


def test_filters_are_the_pages(registry, api_a):
    expiring = api_a.get("/api/v1/assessors/", {"status": "expiring"})
    assert ids(expiring) == {registry["expiring"].pk}
    retrain = api_a.get("/api/v1/assessors/", {"outcome": "must_retrain"})
    assert ids(retrain) == {registry["expired"].pk}
    by_expiry = api_a.get("/api/v1/assessors/", {"order": "expiry"}).json()["results"]
    assert [row["full_name"] for row in by_expiry] == [
        "Wati Without",
        "Edi Expired",
        "Eko Expiring",
        "Ani Active",
    ]


def test_a_bad_filter_value_names_the_field(registry, api_a):
    body = assert_error(api_a.get("/api/v1/assessors/", {"status": "soon"}), 400, "invalid")
    assert body["fields"]["status"][0]["code"] == "invalid_choice"
    assert "soon" in body["fields"]["status"][0]["message"]


def test_personal_data_only_to_editors_and_the_assessor(registry, lsp_a, api_a, viewer_kaltim):
    ani = registry["active"]
    row = api_a.get(f"/api/v1/assessors/{ani.pk}/").json()
    assert row["nik"] == ani.nik and row["phone"] == ani.phone and row["email"] == ani.email

    viewer_row = client_for(viewer_kaltim).get(f"/api/v1/assessors/{ani.pk}/").json()
    assert viewer_row["status"] == Status.ACTIVE
    assert viewer_row["nik"] is None and viewer_row["phone"] is None
    assert viewer_row["email"] is None
    listed = client_for(viewer_kaltim, "list").get("/api/v1/assessors/").json()["results"]
    assert ani.nik not in str(listed)

    # The assessor's own token: their own record, with their data; nobody else's.
    ani.user = factories.assessor(lsp_a, username="ani")
    ani.save()
    own = client_for(ani.user)
    assert ids(own.get("/api/v1/assessors/")) == {ani.pk}
    assert own.get(f"/api/v1/assessors/{ani.pk}/").json()["nik"] == ani.nik
