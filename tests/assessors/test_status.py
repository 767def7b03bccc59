"""The assessor status rule, pinned at its edges, for one assessor and for a QuerySet alike."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessors.models import Assessor, AssessorCertificate, Status, default_valid_until
from assessors.validators import normalise_met
from lsp.validators import normalise_phone
from tests.factories import (
    AssessorCertificateFactory,
    AssessorFactory,
    SchemeFactory,
    TechnicalScopeFactory,
)

pytestmark = pytest.mark.django_db

EXPIRY = datetime.date(2025, 12, 13)
ISSUED = datetime.date(2022, 12, 13)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def assessor():
    a = AssessorFactory()
    AssessorCertificateFactory(assessor=a, issued_on=ISSUED, valid_until=EXPIRY)
    return a


def both(assessor, on, **kwargs):
    """The model method and the QuerySet annotation, which must always agree."""
    one = Assessor.objects.get(pk=assessor.pk).status_on(on)
    annotated = Assessor.objects.with_status(on, **kwargs).get(pk=assessor.pk)
    assert annotated.status_on(on) == annotated.status  # reads the annotation for its date
    return one, annotated.status


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (EXPIRY - DAY, Status.EXPIRING),
        (EXPIRY, Status.EXPIRING),  # valid through its last day
        (EXPIRY + DAY, Status.EXPIRED),
        (EXPIRY - datetime.timedelta(days=90), Status.EXPIRING),  # the 90-day edge, inside
        (EXPIRY - datetime.timedelta(days=91), Status.ACTIVE),  # one day before the window
        (ISSUED, Status.ACTIVE),
    ],
)
def test_status_at_the_edges(assessor, on, expected, settings):
    settings.EXPIRY_WARNING_DAYS = 90
    assert both(assessor, on) == (expected, expected)


def test_the_warning_window_is_a_setting(assessor, settings):
    on = EXPIRY - datetime.timedelta(days=100)
    settings.EXPIRY_WARNING_DAYS = 90
    assert both(assessor, on) == (Status.ACTIVE, Status.ACTIVE)
    settings.EXPIRY_WARNING_DAYS = 120
    assert both(assessor, on) == (Status.EXPIRING, Status.EXPIRING)


def test_without_certificate():
    a = AssessorFactory()
    assert both(a, EXPIRY) == (Status.WITHOUT, Status.WITHOUT)


def test_a_renewal_replaces_an_expired_certificate(assessor):
    on = EXPIRY + datetime.timedelta(days=40)
    assert both(assessor, on) == (Status.EXPIRED, Status.EXPIRED)
    AssessorCertificateFactory(
        assessor=assessor, issued_on=on - DAY, kind=AssessorCertificate.Kind.RCC
    )
    assert both(assessor, on) == (Status.ACTIVE, Status.ACTIVE)
    # The history stays: both certificates are kept, the newest is current.
    assert assessor.certificates.count() == 2
    assert Assessor.objects.get(pk=assessor.pk).current_certificate.issued_on == on - DAY


def test_the_newest_certificate_counts_even_if_it_ends_sooner(assessor):
    """A later issue is the current one, whatever an older certificate said."""
    AssessorCertificateFactory(
        assessor=assessor, issued_on=ISSUED + DAY * 30, valid_until=ISSUED + DAY * 60
    )
    on = ISSUED + DAY * 100
    assert both(assessor, on) == (Status.EXPIRED, Status.EXPIRED)


def test_prefetched_certificates_give_the_same_answer(assessor, django_assert_num_queries):
    AssessorCertificateFactory(assessor=assessor, issued_on=EXPIRY - DAY * 10)
    fetched = Assessor.objects.prefetch_related("certificates").get(pk=assessor.pk)
    with django_assert_num_queries(0):
        assert fetched.status_on(EXPIRY + DAY) == Status.ACTIVE


def test_status_counts_and_filters_in_one_query(django_assert_num_queries, settings):
    settings.EXPIRY_WARNING_DAYS = 90
    on = datetime.date(2026, 1, 10)
    for days_left in (-1, 0, 30, 90, 91, 400):
        a = AssessorFactory()
        AssessorCertificateFactory(
            assessor=a, issued_on=ISSUED, valid_until=on + datetime.timedelta(days=days_left)
        )
    AssessorFactory()
    with django_assert_num_queries(1):
        counts = Assessor.objects.with_status_counts(on)
    assert counts == {"active": 2, "expiring": 3, "expired": 1, "without": 1}
    expiring = Assessor.objects.with_status(on).filter(status=Status.EXPIRING)
    assert expiring.count() == 3
    assert Assessor.objects.valid_on(on).count() == 5


def test_may_assess_needs_a_valid_certificate_and_the_scheme_in_scope(assessor):
    scheme, other = SchemeFactory(), SchemeFactory()
    TechnicalScopeFactory(assessor=assessor, scheme=scheme, valid_until=EXPIRY + DAY * 400)
    assert list(Assessor.objects.may_assess(scheme, EXPIRY)) == [assessor]
    assert not Assessor.objects.may_assess(other, EXPIRY).exists()
    assert not Assessor.objects.may_assess(scheme, EXPIRY + DAY).exists()  # certificate lapsed


def test_valid_until_defaults_to_three_years():
    cert = AssessorCertificateFactory(issued_on=datetime.date(2024, 2, 29), valid_until=None)
    assert cert.valid_until == datetime.date(2027, 2, 28)
    assert default_valid_until(ISSUED) == datetime.date(2025, 12, 13)


def test_a_certificate_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessorCertificateFactory(issued_on=ISSUED, valid_until=ISSUED - DAY)


@pytest.mark.parametrize(
    "text",
    [
        "MET.000.002341 2019",
        "MET.000.002341.2019",
        "met. 000. 002341  2019",
        " MET.000.002341 2019",
    ],
)
def test_met_numbers_are_stored_in_one_form(text):
    assert normalise_met(text) == "MET.000.002341 2019"


@pytest.mark.parametrize("text", ["MET.000.2341 2019", "MET 000 002341 2019", "002341", ""])
def test_bad_met_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        normalise_met(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("'081234567890", "+6281234567890"),
    ],
)
def test_phones_are_normalised(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "0812abc", "+1 202 555 0100"])
def test_bad_phones_are_refused(text):
    with pytest.raises(ValidationError):
        normalise_phone(text)
