"""A form field built on a filter set's base filters (the API's schema generation builds them)
never reaches a request: each request's choices and querysets are its own, scoped ones."""

import pytest
from django.urls import reverse

from assessments.filters_candidates import CandidateFilter
from assessments.filters_sessions import SessionFilter
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def built_base_fields():
    built = [CandidateFilter.base_filters["school_year"], SessionFilter.base_filters["scheme"]]
    for item in built:
        item.field  # noqa: B018 (built and cached, as schema generation does)
    yield
    for item in built:
        item.__dict__.pop("_field", None)


def test_choices_come_from_the_request_not_from_a_field_built_earlier(
    client, admin_a, lsp_a, built_base_fields
):
    factories.CandidateFactory(school=lsp_a.host_school, full_name="Ani", school_year="2024/2025")
    client.force_login(admin_a)
    response = client.get(reverse("candidate_list"), {"school_year": "2024/2025"})
    assert [c.full_name for c in response.context["object_list"]] == ["Ani"]


def test_another_lsps_scheme_is_not_offered_after_a_field_was_built_earlier(
    client, admin_a, lsp_a, lsp_b, built_base_fields
):
    ours = factories.SchemeFactory(lsp=lsp_a, title="Skema Kami")
    theirs = factories.SchemeFactory(lsp=lsp_b, title="Skema Mereka")
    client.force_login(admin_a)
    form = client.get(reverse("session_list")).context["filter"].form
    offered = set(form.fields["scheme"].queryset)
    assert ours in offered and theirs not in offered
