import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from lsp.files import image_validator
from lsp.models import Lsp, Regency, Role, Tuk
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def test_kaltim_has_its_ten_regencies_with_bps_codes():
    codes = dict(Regency.objects.filter(province__code="64").values_list("code", "name"))
    assert len(codes) == 10
    assert codes["6472"] == "Samarinda" and codes["6471"] == "Balikpapan"
    assert codes["6411"] == "Mahakam Ulu"


@pytest.mark.parametrize(
    ("day", "usable"),
    [
        (D(2026, 2, 28), False),
        (D(2026, 3, 1), True),
        (D(2026, 8, 31), True),
        (D(2026, 9, 1), False),
    ],
    ids=["before-verification", "verified-that-day", "last-day", "day-after"],
)
def test_tuk_is_usable_only_while_verified(day, usable):
    tuk = factories.TukFactory(verified_on=D(2026, 3, 1), verified_until=D(2026, 8, 31))
    assert tuk.is_usable_on(day) is usable
    assert Tuk.objects.usable_on(day).filter(pk=tuk.pk).exists() is usable


def test_never_verified_tuk_is_not_usable():
    tuk = factories.TukFactory(verified_on=None, verified_until=None)
    assert not tuk.is_usable_on(D(2026, 1, 1))
    assert not Tuk.objects.usable_on(D(2026, 1, 1)).exists()


def test_tuk_verification_cannot_end_before_it_starts():
    tuk = factories.TukFactory.build(
        lsp=factories.LspFactory(), verified_on=D(2026, 5, 1), verified_until=D(2026, 4, 1)
    )
    with pytest.raises(ValidationError):
        tuk.full_clean()


@pytest.mark.parametrize("npsn", ["3040123", "304012345", "3040123A", " 30401234"])
def test_npsn_must_be_eight_digits(npsn):
    school = factories.SchoolFactory.build(npsn=npsn)
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "npsn" in error.value.message_dict


def test_npsn_keeps_leading_zero():
    school = factories.SchoolFactory(npsn="00401234")
    school.refresh_from_db()
    assert school.npsn == "00401234"


def test_lsp_p1_needs_a_host_school():
    with pytest.raises(IntegrityError):
        Lsp.objects.create(name="No host", kind="P1", province=factories.kaltim())


def test_lsp_licence_validity_boundary():
    lsp = factories.LspFactory(licence_valid_until=D(2027, 1, 31))
    assert lsp.licence_is_valid_on(D(2027, 1, 31))
    assert not lsp.licence_is_valid_on(D(2027, 2, 1))


def test_role_scope_must_match_its_kind(lsp_a):
    user = factories.UserFactory()
    with pytest.raises(IntegrityError):
        Role.objects.create(user=user, kind=Role.Kind.VIEWER, lsp=lsp_a)


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("logo.png", PNG, True),
        ("logo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32, True),
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", False),
        ("logo.png", b"<html><script>alert(1)</script></html>", False),
        ("logo.png", b"%PDF-1.7 not an image", False),
    ],
    ids=["png", "jpeg", "svg-named-png", "html-named-png", "pdf-as-image"],
)
def test_uploads_are_judged_by_content_not_name(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        image_validator(upload)
    else:
        with pytest.raises(ValidationError):
            image_validator(upload)


def test_upload_size_is_limited(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        image_validator(SimpleUploadedFile("big.png", PNG + b"\0" * 200))
    assert error.value.code == "too_large"
