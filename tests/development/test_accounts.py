"""Accounts for teachers who are not assessors: given by their school's LSP admin, with a password
shown once; where such an account lands, what its menu offers, and everything it is refused."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from development import services
from development.models import Activity, Teacher
from development.rules import Semester
from lsp.access import scope_of
from lsp.context_processors import navigation
from lsp.models import AuditEntry, Role, User
from lsp.services import role_homes
from tests import factories
from tests.development.helpers import PDF, activity, kind, teacher

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def sari(lsp_a):
    """A teacher of LSP A's host school, not an assessor, without an account yet."""
    return teacher(lsp_a.host_school, name="Sari Wulandari, S.Pd.")


@pytest.fixture
def sari_account(client, admin_a, sari):
    """Sari's account as her LSP admin gives it: (user, the password shown once)."""
    client.force_login(admin_a)
    response = client.post(
        reverse("development_teacher_account", args=[sari.pk]),
        {"username": "sari.wulandari", "email": ""},
    )
    assert response.status_code == 200
    client.logout()
    sari.refresh_from_db()
    return sari.user, response.context["password"]


def _login(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.2.2.2"
    )


# --- giving the account ---------------------------------------------------------------------------
def test_the_admin_gives_an_account_and_sees_the_password_once(client, admin_a, sari):
    client.force_login(admin_a)
    page = client.get(sari.get_absolute_url())
    url = reverse("development_teacher_account", args=[sari.pk])
    assert url in page.content.decode()  # "Give an account"
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["username"] == "sari.wulandari"  # from the name
    response = client.post(url, {"username": "sari.wulandari", "email": "sari@example.id"})
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    sari.refresh_from_db()
    account = sari.user
    assert (account.username, account.email) == ("sari.wulandari", "sari@example.id")
    assert account.full_name == "Sari Wulandari, S.Pd." and account.is_active
    assert not account.is_staff and not account.is_superuser
    assert account.check_password(password) and password not in account.password
    assert not account.roles.exists()  # a teacher holds no LSP role
    # Never again: the form now sends back to the teacher's page, the password nowhere.
    again = client.get(url, follow=True)
    assert again.redirect_chain[-1][0] == sari.get_absolute_url()
    assert password not in again.content.decode()
    account_line = re.search(r'data-testid="account">([^<]*)<', again.content.decode()).group(1)
    assert account_line.endswith("sari.wulandari") and url not in again.content.decode()
    assert User.objects.filter(username__startswith="sari").count() == 1


def test_the_account_is_in_the_audit_trail_without_its_password(
    client, admin_a, admin_b, sari, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("development_teacher_account", args=[sari.pk]), {"username": "sari.w"}
        )
    password = response.context["password"]
    account = User.objects.get(username="sari.w")
    created = AuditEntry.objects.get(
        action="create", content_type=ContentType.objects.get_for_model(User)
    )
    assert created.actor == admin_a and created.object_id == str(account.pk)
    assert created.changes["password"] == [None, "***"]
    linked = AuditEntry.objects.get(
        action="update", content_type=ContentType.objects.get_for_model(Teacher)
    )
    assert linked.actor == admin_a and linked.changes == {"user": [None, account.pk]}
    assert linked in AuditEntry.objects.for_user(admin_a)
    assert linked not in AuditEntry.objects.for_user(admin_b)
    assert not any(password in str(e.changes) for e in AuditEntry.objects.all())


def test_the_suggested_username_is_free_and_plain(lsp_a):
    assert services.suggest_username("Budi Santoso, S.Pd., M.Pd.") == "budi.santoso"
    factories.UserFactory(username="budi.santoso")
    factories.UserFactory(username="Budi.Santoso2")
    assert services.suggest_username("Budi Santoso") == "budi.santoso3"
    assert services.suggest_username("Ñoño Ülfa") == "nono.ulfa"
    assert services.suggest_username("…") == "guru"


def test_the_generated_password_is_long_and_not_repeated():
    passwords = {services.initial_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 14 and p.count("-") == 2 for p in passwords)


def test_a_taken_or_invalid_username_is_refused(client, admin_a, sari):
    factories.UserFactory(username="sari")
    client.force_login(admin_a)
    url = reverse("development_teacher_account", args=[sari.pk])
    for username in ("sari", "sari wulan", ""):
        response = client.post(url, {"username": username})
        assert response.status_code == 200 and "password" not in response.context
        assert response.context["form"].errors["username"]
    response = client.post(url, {"username": "sari.w", "email": "not-an-address"})
    assert response.context["form"].errors["email"]
    sari.refresh_from_db()
    assert sari.user is None and User.objects.count() == 2


def test_only_the_schools_admin_gives_an_account(
    client, admin_a, admin_b, viewer_kaltim, superuser, sari, lsp_a
):
    url = reverse("development_teacher_account", args=[sari.pk])
    data = {"username": "sari.w"}
    response = client.post(url, data)  # anonymous
    assert response.status_code == 302 and "/masuk/" in response.url
    for user in (admin_b, viewer_kaltim):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
    # A teacher with an account (not an assessor) cannot give one, not even to a colleague.
    colleague = User.objects.create_user("guru.lain", password="x-kompeten-123")
    teacher(lsp_a.host_school, user=colleague, name="Guru Lain")
    client.force_login(colleague)
    assert client.post(url, data).status_code == 404
    assert not User.objects.filter(username="sari.w").exists()
    client.force_login(superuser)  # the site's superuser may
    assert client.post(url, data).status_code == 200
    assert User.objects.get(username="sari.w").teacher == sari


def test_an_assessor_teachers_account_is_kept_on_the_assessor_record(client, admin_a, lsp_a):
    record = factories.AssessorFactory(lsps=[lsp_a], home_school=lsp_a.host_school)
    as_teacher = services.teacher_of_assessor(record)
    client.force_login(admin_a)
    page = client.get(as_teacher.get_absolute_url()).content.decode()
    url = reverse("development_teacher_account", args=[as_teacher.pk])
    assert url not in page
    assert client.get(url).status_code == 403
    assert client.post(url, {"username": "asesor.guru"}).status_code == 403
    assert not User.objects.filter(username="asesor.guru").exists()


def test_a_second_submission_makes_no_second_account(client, admin_a, sari):
    client.force_login(admin_a)
    url = reverse("development_teacher_account", args=[sari.pk])
    assert client.post(url, {"username": "sari.w"}).status_code == 200
    response = client.post(url, {"username": "sari.w2"})
    assert response.status_code == 302 and response.url == sari.get_absolute_url()
    assert not User.objects.filter(username="sari.w2").exists()
    with pytest.raises(ValueError):  # the service itself refuses too
        services.give_account(sari, User(username="sari.w3"))
    assert not User.objects.filter(username="sari.w3").exists()


# --- the teacher signed in ------------------------------------------------------------------------
def test_the_new_account_signs_in_to_its_own_points(client, sari, sari_account, lsp_a):
    account, password = sari_account
    response = _login(client, account.username, password)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == reverse("development_mine")
    page = client.get(home.url)
    assert page.status_code == 200 and page.context["teacher"] == sari and page.context["own"]
    urls = [i["url"] for i in page.context["nav_items"]]
    assert urls == [reverse("home"), reverse("development_mine")]  # nothing else


def test_the_teachers_home_names_their_school(sari, sari_account, lsp_a):
    account, _password = sari_account
    with translation.override("en"):
        homes = role_homes(account)
    assert homes == [
        {
            "kind": "teacher",
            "title": "Teacher",
            "subtitle": lsp_a.host_school.name,
            "url": reverse("development_mine"),
        }
    ]


def test_the_teacher_records_and_the_admin_verifies(client, admin_a, sari, sari_account):
    account, _password = sari_account
    client.force_login(account)
    response = client.post(
        reverse("development_activity_create"),
        {
            "kind": kind("seminar-lokakarya").pk,
            "title": "Seminar kurikulum",
            "organiser": "Disdikbud",
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
            "evidence": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    recorded = Activity.objects.get(teacher=sari)
    assert recorded.status == "pending"
    # Not their own verifier.
    verify = reverse("development_activity_verify", args=[recorded.pk])
    assert client.post(verify, {"action": "verify"}).status_code == 403
    client.force_login(admin_a)
    assert client.post(verify, {"action": "verify"}).status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == "verified" and recorded.verified_by == admin_a


def test_a_teacher_sees_nothing_else(client, lsp_a, lsp_b, sari, sari_account):
    account, _password = sari_account
    colleague = teacher(lsp_a.host_school, name="Rekan Sekolah")
    elsewhere = teacher(lsp_b.host_school, name="Guru Sekolah Lain")
    theirs = activity(colleague, end=TODAY, evidence=SimpleUploadedFile("e.pdf", PDF))
    far = activity(elsewhere, end=TODAY, status="pending")
    factories.AssessorFactory(lsps=[lsp_a], home_school=lsp_a.host_school)
    factories.TukFactory(lsp=lsp_a)
    client.force_login(account)
    refused = [
        reverse("development_school"),
        reverse("development_school_export"),
        reverse("development_province"),
        reverse("development_teacher_create"),
        reverse("development_teacher_account", args=[sari.pk]),
        reverse("user_create"),
        reverse("audit_list"),
        reverse("candidate_list"),
        reverse("certificate_list"),
        reverse("province_dashboard"),
        reverse("site_home"),
        reverse("assessor_home"),
        reverse("lsp_dashboard", args=[lsp_a.pk]),
        reverse("lsp_detail", args=[lsp_a.pk]),
        reverse("school_detail", args=[lsp_a.host_school.pk]),
    ]
    others = [colleague, elsewhere]
    for other in others:
        refused += [
            other.get_absolute_url(),
            reverse("development_teacher_pdf", args=[other.pk]),
            reverse("development_teacher_activity_create", args=[other.pk]),
            reverse("development_teacher_account", args=[other.pk]),
        ]
    for done in (theirs, far):
        refused += [
            reverse("development_activity_update", args=[done.pk]),
            reverse("development_activity_evidence", args=[done.pk]),
        ]
    for url in refused:
        assert client.get(url).status_code in (403, 404), url
    for done in (theirs, far):
        for name, data in (
            ("development_activity_verify", {"action": "verify"}),
            ("development_activity_delete", {}),
        ):
            assert client.post(reverse(name, args=[done.pk]), data).status_code in (403, 404)
    far.refresh_from_db()
    assert far.status == "pending" and Activity.objects.count() == 2
    # The lists open (for any account without a role) but show nothing but themself.
    for name in ("lsp_list", "school_list", "tuk_list", "session_list", "assessor_list"):
        response = client.get(reverse(name))
        assert list(response.context["object_list"]) == [], name
    assert list(client.get(reverse("user_list")).context["object_list"]) == [account]


# --- homes and menus of the other roles -----------------------------------------------------------
def test_an_assessor_has_the_development_link_and_no_teacher_home(client, lsp_a):
    user = factories.assessor(lsp_a, username="asesor.guru")
    record = factories.AssessorFactory(lsps=[lsp_a], user=user, home_school=lsp_a.host_school)
    services.teacher_of_assessor(record)
    client.force_login(user)
    page = client.get(reverse("assessor_home"))
    assert reverse("development_mine") in [i["url"] for i in page.context["nav_items"]]
    assert [h["kind"] for h in role_homes(user)] == ["assessor"]
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == reverse("assessor_home")


def test_an_admin_who_also_teaches_chooses_between_homes(client, lsp_a, admin_a):
    teacher(lsp_a.host_school, user=admin_a, name="Admin Mengajar")
    client.force_login(admin_a)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert [h["kind"] for h in page.context["homes"]] == ["lsp_admin", "teacher"]
    assert reverse("development_mine") in page.content.decode()


def test_a_user_without_role_or_teacher_record_has_no_development_link(client, db):
    user = factories.UserFactory(username="kosong")
    client.force_login(user)
    page = client.get(reverse("home"))
    assert page.status_code == 200 and page.context["homes"] == []
    assert [i["url"] for i in page.context["nav_items"]] == [reverse("home")]


def test_the_menu_asks_nothing_more_of_users_with_a_role(
    admin_a, viewer_kaltim, django_assert_num_queries
):
    """Only an account without any role is looked up as a teacher: other pages keep their count."""
    for user in (admin_a, viewer_kaltim):
        request = RequestFactory().get("/")
        request.user = user
        scope_of(user)  # read once per request, before the menu
        with django_assert_num_queries(0):
            items = navigation(request)["nav_items"]
        assert reverse("development_mine") not in [i["url"] for i in items]


def test_a_teacher_whose_account_is_deactivated_gets_no_home(client, sari, sari_account):
    account, password = sari_account
    account.is_active = False
    account.save()
    response = _login(client, account.username, password)
    assert response.status_code == 200  # the login form again
    assert client.get(reverse("development_mine")).status_code == 302


def test_the_role_home_query_count_is_fixed(lsp_a, django_assert_num_queries):
    user = factories.UserFactory()
    Role.objects.create(user=user, kind=Role.Kind.VIEWER, province=lsp_a.province)
    teacher(lsp_a.host_school, user=user)
    scope_of(user)
    with django_assert_num_queries(2):  # the provinces viewed, the teacher with their school
        kinds = [h["kind"] for h in role_homes(user)]
    assert kinds == ["viewer", "teacher"]


def test_the_semester_is_counted_for_the_new_account(sari, sari_account):
    account, _password = sari_account
    activity(sari, end=TODAY, code="magang")
    activity(sari, end=TODAY - datetime.timedelta(days=400))
    assert Teacher.objects.get(user=account).points_in(Semester.of(TODAY)) == 24
