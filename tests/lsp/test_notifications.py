"""The bell: each user sees, counts, opens and marks read only their own notifications."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lsp.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def note(user, n=1, *, read=False, url="/asesor/1/", **kwargs):
    return Notification.objects.create(
        user=user,
        title=kwargs.pop("title", f"Notice {n} for {user.username}"),
        body=kwargs.pop("body", "First line.\n\nNext step."),
        url=url,
        source=f"test:{n}",
        read_at=timezone.now() if read else None,
        **kwargs,
    )


@pytest.fixture
def mine(admin_a):
    return [note(admin_a, 1), note(admin_a, 2), note(admin_a, 3, read=True)]


@pytest.fixture
def theirs(admin_b):
    return [note(admin_b, 1), note(admin_b, 2)]


def test_the_bell_sits_in_the_navbar_and_loads_its_count_after_the_page(client, admin_a, mine):
    client.force_login(admin_a)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert 'data-testid="notification-bell"' in page
    assert reverse("notification_list") in page
    assert f'hx-get="{reverse("notification_badge")}"' in page


def test_the_badge_counts_the_users_own_unread_notifications(
    client, admin_a, mine, theirs, django_assert_num_queries
):
    note(factories.lsp_admin(factories.LspFactory()), 9)
    client.force_login(admin_a)
    with django_assert_num_queries(3):  # session, user, count
        response = client.get(reverse("notification_badge"))
    assert response.status_code == 200
    assert '<span class="visually-hidden"> unread</span>' in response.content.decode()
    assert '"notification-count">2<' in response.content.decode()
    Notification.objects.filter(user=admin_a).update(read_at=timezone.now())
    assert "notification-count" not in client.get(reverse("notification_badge")).content.decode()


def test_a_large_count_is_capped(client, admin_a):
    Notification.objects.bulk_create(
        Notification(user=admin_a, title="x", source=f"test:{n}") for n in range(120)
    )
    client.force_login(admin_a)
    assert '"notification-count">99+<' in client.get(reverse("notification_badge")).content.decode()


def test_signed_out_the_badge_is_empty_not_the_login_page(client, mine):
    response = client.get(reverse("notification_badge"))
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_the_list_shows_the_users_own_newest_first_unread_highlighted(
    client, admin_a, mine, theirs
):
    client.force_login(admin_a)
    response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    assert [n.pk for n in response.context["notifications"]] == [n.pk for n in reversed(mine)]
    page = response.content.decode()
    assert "Notice 3 for admin.a" in page and "admin.b" not in page
    assert page.count("data-unread") == 2
    assert "First line.<br><br>Next step." in page
    assert response.context["unread_count"] == 2
    assert 'data-testid="mark-all-read"' in page


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    client, admin_a, django_assert_num_queries
):
    Notification.objects.bulk_create(
        Notification(user=admin_a, title=f"n{n}", source=f"test:{n}") for n in range(3)
    )
    client.force_login(admin_a)
    client.get(reverse("notification_list"))  # warm up (session, content types)
    # session, user, the user's roles (menu), count, page, unread count
    with django_assert_num_queries(6):
        client.get(reverse("notification_list"))
    Notification.objects.bulk_create(
        Notification(user=admin_a, title=f"n{n}", source=f"test:{n}") for n in range(3, 60)
    )
    with django_assert_num_queries(6):
        response = client.get(reverse("notification_list"))
    assert len(response.context["notifications"]) == 25
    assert response.context["paginator"].num_pages == 3
    assert "Page 1 of 3" in response.content.decode()


def test_an_empty_list_says_so(client, admin_a):
    client.force_login(admin_a)
    page = client.get(reverse("notification_list")).content.decode()
    assert "No notifications yet." in page
    assert "mark-all-read" not in page


def test_opening_one_marks_it_read_and_follows_its_link(client, admin_a, mine):
    client.force_login(admin_a)
    response = client.get(reverse("notification_open", args=[mine[0].pk]))
    assert response.status_code == 302 and response.url == "/asesor/1/"
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    read_at = mine[0].read_at
    client.get(reverse("notification_open", args=[mine[0].pk]))  # again: the first time stays
    mine[0].refresh_from_db()
    assert mine[0].read_at == read_at


def test_a_link_elsewhere_is_not_followed(client, admin_a):
    outside = note(admin_a, 7, url="https://evil.example.com/")
    client.force_login(admin_a)
    response = client.get(reverse("notification_open", args=[outside.pk]))
    assert response.url == reverse("notification_list")


def test_someone_elses_notification_is_not_found(client, admin_a, theirs):
    client.force_login(admin_a)
    for method in (client.get, client.post):
        assert method(reverse("notification_open", args=[theirs[0].pk])).status_code == 404
    theirs[0].refresh_from_db()
    assert theirs[0].read_at is None


def test_mark_all_read_is_post_only_and_touches_only_the_users_own(
    client, admin_a, admin_b, mine, theirs
):
    client.force_login(admin_a)
    url = reverse("notification_mark_all_read")
    assert client.get(url).status_code == 405
    assert Notification.objects.for_user(admin_a).unread().count() == 2
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("notification_list")
    assert "All notifications are marked as read." in response.content.decode()
    assert not Notification.objects.for_user(admin_a).unread().exists()
    assert Notification.objects.for_user(admin_b).unread().count() == 2


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("notification_list", [], "get"),
        ("notification_open", [1], "get"),
        ("notification_mark_all_read", [], "post"),
    ],
)
def test_signed_out_users_are_sent_to_log_in(client, mine, name, args, method):
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Notification.objects.unread().count() == 2


def test_every_role_has_a_bell(client, viewer_kaltim, lsp_a):
    for user in (viewer_kaltim, factories.assessor(lsp_a, username="asesor")):
        note(user, 1)
        client.force_login(user)
        assert (
            'data-testid="notification-bell"'
            in client.get(reverse("home"), follow=True).content.decode()
        )
        assert (
            '"notification-count">1<' in client.get(reverse("notification_badge")).content.decode()
        )
