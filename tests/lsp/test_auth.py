import pytest
from django.core import mail
from django.urls import reverse

from lsp.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, username, password="kompeten123", ip="10.1.1.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_is_indonesian_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="id"' in page
    assert "Nama pengguna" in page and "Sandi" in page and "Masuk ke Kompeten" in page


def test_login_page_in_english_on_request(client):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("login")).content.decode()
    assert "Password" in page and "Log in" in page


@pytest.mark.parametrize("role", ["admin", "assessor", "viewer", "superuser"])
def test_each_role_lands_on_its_own_home(client, lsp_a, role):
    if role == "admin":
        user, expected = factories.lsp_admin(lsp_a), reverse("lsp_dashboard", args=[lsp_a.pk])
    elif role == "assessor":
        user, expected = factories.assessor(lsp_a), reverse("assessor_home")
    elif role == "viewer":
        user, expected = factories.viewer(), reverse("province_dashboard")
    else:
        user, expected = factories.UserFactory(is_superuser=True), reverse("site_home")
    response = _login(client, user.username)
    assert response.status_code == 302
    home = client.get(response.url)
    assert home.status_code == 302 and home.url == expected
    assert client.get(expected).status_code == 200


def test_a_user_with_several_roles_chooses_among_them(client, lsp_a, lsp_b):
    user = factories.lsp_admin(lsp_a)
    Role.objects.create(user=user, kind=Role.Kind.ASSESSOR, lsp=lsp_b)
    client.force_login(user)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("lsp_dashboard", args=[lsp_a.pk]) in text and reverse("assessor_home") in text


def test_failed_logins_lock_that_username_on_that_address_only(client, lsp_a):
    target = factories.lsp_admin(lsp_a, username="guru.target")
    other = factories.assessor(lsp_a, username="guru.lain")
    for _ in range(5):
        _login(client, target.username, password="wrong", ip="10.0.0.7")
    locked = _login(client, target.username, ip="10.0.0.7")
    assert locked.status_code == 429
    assert "Terlalu banyak" in locked.content.decode()
    # The same school network (one address) still works for everyone else…
    assert _login(client, other.username, ip="10.0.0.7").status_code == 302
    client.logout()
    # …and the right person from another address is not locked out.
    assert _login(client, target.username, ip="10.0.0.8").status_code == 302


def test_password_reset_mail_is_in_indonesian(client, lsp_a):
    user = factories.lsp_admin(lsp_a, username="lupa", email="lupa@example.id")
    response = client.post(reverse("password_reset"), {"email": "lupa@example.id"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lupa@example.id"]
    assert "kata sandi" in message.subject.lower()
    assert user.username in message.body
    assert "/akun/reset/" in message.body


def test_dates_read_in_full(lsp_a):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("id"):
        text = Template("{{ d|date }}").render(Context({"d": datetime.date(2022, 11, 13)}))
    assert text == "13 November 2022"
    with translation.override("id"):
        text = Template("{{ d|date }}").render(Context({"d": datetime.date(2025, 8, 17)}))
    assert text == "17 Agustus 2025"


def test_an_english_browser_still_gets_indonesian(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Masuk ke Kompeten" in page
