"""The public verification page: states, masked name, no personal data, JSON, search, rate limit."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from certificates.models import Certificate
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from certificates.views.verify import client_ip, mask_name, parse_rate
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)
BIRTH = datetime.date(2008, 5, 17)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def _english_and_fresh_counters(client):
    from django.utils import translation

    cache.clear()  # the rate limit's counters
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def issued(lsp_a, admin_a):
    """Two certificates of a decided session of LSP A; the first is Siti's."""
    session = factories.SessionFactory(lsp=lsp_a, status=AssessmentSession.Status.DECIDED)
    session.scheme.title, session.scheme.kbli_code, session.scheme.kbji_code = (
        "Teknisi Jaringan",
        "62019",
        "3512",
    )
    session.scheme.save()
    for name in ("Siti Nurul Hasanah", "Zaenal Abidin"):
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            candidate__birth_date=BIRTH,
            candidate__address="Jl. Merdeka No. 17, Samarinda",
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return issue_session(admin_a, session, issued_on=ON)


@pytest.fixture
def siti(issued):
    return issued[0]


def verify(client, certificate, **headers):
    return client.get(reverse("certificate_verify", args=[certificate.public_id]), **headers)


def assert_nothing_personal(text: str, certificate: Certificate):
    candidate = certificate.candidate
    assert candidate.nik not in text
    assert candidate.nisn not in text
    assert candidate.address not in text
    for shown in ("2008-05-17", "17/05/2008", "17 May 2008", "May 17, 2008", "17 Mei 2008"):
        assert shown not in text
    assert "Nurul" not in text and "Hasanah" not in text


# --- masking --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, masked",
    [
        ("Siti Nur Hidayah", "Siti N** H******"),
        ("Siti Nurul Hasanah", "Siti N**** H******"),
        ("  Muhammad   Rizky  ", "Muhammad R****"),
        ("Sukarno", "Sukarno"),
        ("I Gusti Ngurah Rai", "I G**** N***** R**"),
        ("", ""),
    ],
)
def test_the_first_word_stays_and_the_others_keep_their_initial(name, masked):
    assert mask_name(name) == masked


# --- the page -------------------------------------------------------------------------------------
def test_a_valid_certificate_shows_the_facts_and_nothing_personal(client, siti):
    response = verify(client, siti, HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'data-state="valid"' in html and "VALID" in html
    assert "Siti N**** H******" in html
    assert siti.number in html and "Teknisi Jaringan" in html and "LSP P1 Alpha" in html
    assert "17 August 2029" in html  # valid until
    assert_nothing_personal(html, siti)
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in response["Cache-Control"]


def test_no_login_is_needed(client, siti):
    assert verify(client, siti).status_code == 200  # anonymous


def test_an_expired_certificate_says_expired(client, siti):
    Certificate.objects.filter(pk=siti.pk).update(valid_until=datetime.date(2025, 1, 1))
    html = verify(client, siti).content.decode()
    assert 'data-state="expired"' in html and "EXPIRED" in html
    assert 'data-state="valid"' not in html


def test_a_revoked_certificate_says_revoked_never_valid(client, siti, admin_a):
    revoke(admin_a, siti, "Data asesi keliru")
    html = verify(client, siti).content.decode()
    assert 'data-state="revoked"' in html and "REVOKED" in html
    assert "Data asesi keliru" not in html  # the reason is for the trail, not the public
    # Expired and revoked: revoked wins.
    Certificate.objects.filter(pk=siti.pk).update(valid_until=datetime.date(2025, 1, 1))
    assert 'data-state="revoked"' in verify(client, siti).content.decode()


def test_a_replaced_certificate_points_to_its_replacement(client, issued):
    old, new = issued
    Certificate.objects.filter(pk=old.pk).update(
        status=Certificate.Status.REPLACED, replaced_by=new
    )
    html = verify(client, old).content.decode()
    assert 'data-state="replaced"' in html
    assert f'href="{new.get_verification_url()}"' in html
    data = verify(client, old, HTTP_ACCEPT="application/json").json()
    assert data["status"] == "replaced"
    assert data["replaced_by"].endswith(new.get_verification_url())


def test_an_unknown_id_is_a_clear_not_found(client, siti):
    url = reverse("certificate_verify", args=["8a6e0804-2bd0-4672-b79d-d97027f9071a"])
    response = client.get(url)
    assert response.status_code == 404
    assert 'data-state="not_found"' in response.content.decode()
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and response.json()["status"] == "not_found"
    assert client.get("/verifikasi/not-a-uuid/").status_code == 404


def test_the_address_is_the_one_printed_in_qr_codes(siti):
    assert siti.get_verification_url() == f"/verifikasi/{siti.public_id}/"


# --- JSON -----------------------------------------------------------------------------------------
def test_machines_get_json_at_the_same_address(client, siti):
    response = verify(client, siti, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    data = response.json()
    assert data["status"] == "valid"
    assert data["name"] == "Siti N**** H******"
    assert data["number"] == siti.number
    assert data["scheme"]["title"] == "Teknisi Jaringan"
    assert (data["issued_on"], data["valid_until"]) == ("2026-08-17", "2029-08-17")
    assert data["lsp"]["name"] == "LSP P1 Alpha"
    assert data["url"].endswith(siti.get_verification_url())
    assert_nothing_personal(response.content.decode(), siti)
    assert not {"nik", "nisn", "birth_date", "birth_place", "address"} & data.keys()


def test_json_tells_revoked(client, siti, admin_a):
    revoke(admin_a, siti, "Dicabut")
    data = verify(client, siti, HTTP_ACCEPT="application/json").json()
    assert data["status"] == "revoked" and data["revoked_on"]


# --- search by number and birth date --------------------------------------------------------------
def search(client, number, birth_date):
    return client.post(reverse("certificate_search"), {"number": number, "birth_date": birth_date})


def test_the_search_page_opens_without_login(client):
    response = client.get(reverse("certificate_search"))
    assert response.status_code == 200
    assert "Certificate number" in response.content.decode()


def test_number_and_birth_date_lead_to_the_page(client, siti):
    response = search(client, f"  {siti.number.replace(' ', '  ')} ", "2008-05-17")
    assert response.status_code == 302
    assert response.url == siti.get_verification_url()


def test_a_wrong_date_or_number_says_the_same_not_found(client, siti):
    wrong_date = search(client, siti.number, "2008-05-18")
    wrong_number = search(client, siti.number[:-1] + "9", "2008-05-17")
    both = []
    for response in (wrong_date, wrong_number):
        assert response.status_code == 200
        html = response.content.decode()
        start = html.index('data-testid="not-found"')
        both.append(html[start : html.index("</div>", start)])
        assert "Siti" not in html
    assert both[0] == both[1]
    assert "No certificate matches this number and date of birth" in both[0]


# --- rate limit -----------------------------------------------------------------------------------
def test_parse_rate():
    assert parse_rate("30/m") == (30, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("1000/h") == (1000, 3600)
    assert parse_rate("100/day") == (100, 86400)
    with pytest.raises(ValueError):
        parse_rate("thirty")


def test_over_the_limit_is_429_per_client_address(client, siti, settings):
    settings.VERIFY_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert verify(client, siti).status_code == 200
    refused = verify(client, siti)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert 'data-testid="rate-limited"' in refused.content.decode()
    as_json = verify(client, siti, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 429 and as_json.json()["error"] == "rate_limited"
    # The search counts too, and another address is not held back.
    assert search(client, siti.number, "2008-05-17").status_code == 429
    assert verify(client, siti, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(client, siti, settings, rf):
    settings.VERIFY_RATE_LIMIT = "2/m"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    one = {"REMOTE_ADDR": "172.18.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    two = {"REMOTE_ADDR": "172.18.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert [verify(client, siti, **one).status_code for _ in range(3)] == [200, 200, 429]
    assert verify(client, siti, **two).status_code == 200
    # What the client writes left of the proxy's entry is not trusted.
    spoofed = {**one, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7"}
    assert verify(client, siti, **spoofed).status_code == 429
    assert client_ip(rf.get("/", **spoofed)) == "203.0.113.7"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(rf.get("/", **spoofed)) == "172.18.0.2"
