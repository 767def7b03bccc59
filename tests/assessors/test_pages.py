"""The assessor pages: who sees and changes what, the forms, the list's queries, files, Excel."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessors.models import Assessor, AssessorCertificate, Status, TechnicalScope
from lsp.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def ours(lsp_a):
    """An assessor of LSP A, active, with a scheme in scope and a scanned certificate."""
    assessor = factories.AssessorFactory(
        lsps=[lsp_a], full_name="Sri Wahyuni", home_school=lsp_a.host_school
    )
    factories.AssessorCertificateFactory(
        assessor=assessor, file=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    )
    factories.TechnicalScopeFactory(assessor=assessor, scheme=factories.SchemeFactory(lsp=lsp_a))
    return assessor


@pytest.fixture
def theirs(lsp_b):
    return factories.AssessorFactory(lsps=[lsp_b], full_name="Budi Santoso")


@pytest.fixture
def own_user(ours, lsp_a):
    """`ours`, signed in with their own account."""
    user = factories.UserFactory(username="sri")
    ours.user = user
    ours.save()
    Role.objects.create(user=user, kind=Role.Kind.ASSESSOR, lsp=lsp_a)
    return user


def names(response):
    return {a.full_name for a in response.context["object_list"]}


# --- who sees what --------------------------------------------------------------------------------
def test_an_admin_lists_only_their_lsps_assessors(client, admin_a, ours, theirs):
    client.force_login(admin_a)
    response = client.get(reverse("assessor_list"))
    assert names(response) == {"Sri Wahyuni"}
    assert "Active until" in response.content.decode()


def test_a_viewer_reads_their_province_and_no_other(client, viewer_kaltim, ours, theirs):
    elsewhere = factories.ProvinceFactory(code="91", name="Papua")
    papuan = factories.viewer(province=elsewhere, username="viewer.papua")
    client.force_login(viewer_kaltim)
    assert names(client.get(reverse("assessor_list"))) == {"Sri Wahyuni", "Budi Santoso"}
    client.force_login(papuan)
    assert names(client.get(reverse("assessor_list"))) == set()
    assert client.get(reverse("assessor_detail", args=[ours.pk])).status_code == 404


def test_an_assessor_sees_only_their_own_record(client, own_user, ours, theirs, lsp_a):
    colleague = factories.AssessorFactory(lsps=[lsp_a], full_name="Rekan Kerja")
    client.force_login(own_user)
    assert names(client.get(reverse("assessor_list"))) == {"Sri Wahyuni"}
    assert client.get(reverse("assessor_detail", args=[colleague.pk])).status_code == 404
    profile = client.get(reverse("assessor_profile"))
    assert profile.status_code == 200
    assert ours.nik in profile.content.decode()
    # Their own record is read-only to them.
    assert client.get(reverse("assessor_update", args=[ours.pk])).status_code == 403
    assert client.post(reverse("assessor_certificate_create", args=[ours.pk])).status_code == 403


def test_the_profile_of_an_account_without_a_record_says_so(client, lsp_a):
    user = factories.assessor(lsp_a, username="baru")
    client.force_login(user)
    response = client.get(reverse("assessor_profile"))
    assert response.status_code == 404
    assert "not linked to an assessor record" in response.content.decode()


def test_another_lsps_admin_is_refused_by_url_and_post(client, admin_b, ours):
    client.force_login(admin_b)
    scope = ours.scopes.get()
    certificate = ours.certificates.get()
    for url in (
        reverse("assessor_detail", args=[ours.pk]),
        reverse("assessor_update", args=[ours.pk]),
        reverse("assessor_certificate_create", args=[ours.pk]),
        reverse("assessor_scope_create", args=[ours.pk]),
        reverse("assessor_certificate_file", args=[certificate.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("assessor_update", args=[ours.pk]), {}).status_code == 404
    assert client.post(reverse("assessor_scope_delete", args=[scope.pk])).status_code == 404
    assert TechnicalScope.objects.filter(pk=scope.pk).exists()


def test_a_viewer_reads_but_may_not_change_and_sees_no_personal_data(client, viewer_kaltim, ours):
    client.force_login(viewer_kaltim)
    page = client.get(reverse("assessor_detail", args=[ours.pk])).content.decode()
    assert ours.full_name in page and ours.met_number in page
    assert ours.nik not in page and ours.phone not in page
    assert client.get(reverse("assessor_create")).status_code == 403
    assert client.post(reverse("assessor_update", args=[ours.pk]), {}).status_code == 403
    scope = ours.scopes.get()
    assert client.post(reverse("assessor_scope_delete", args=[scope.pk])).status_code == 403
    assert TechnicalScope.objects.filter(pk=scope.pk).exists()


def test_certificate_scans_leave_only_through_the_checked_view(client, admin_a, ours):
    certificate = ours.certificates.get()
    assert certificate.file.url.startswith("/media-not-served/")
    url = reverse("assessor_certificate_file", args=[certificate.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(admin_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_anonymous_users_are_sent_to_sign_in(client, ours):
    for url in (reverse("assessor_list"), reverse("assessor_detail", args=[ours.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk/" in response.url


# --- the list -------------------------------------------------------------------------------------
def test_the_list_query_count_does_not_grow_with_rows(client, admin_a, lsp_a):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("assessor_list")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(admin_a)
    for _ in range(2):
        a = factories.AssessorFactory(lsps=[lsp_a], home_school=factories.SchoolFactory())
        factories.AssessorCertificateFactory(assessor=a)
    few = count()
    for _ in range(8):
        a = factories.AssessorFactory(lsps=[lsp_a, factories.LspFactory()])
        factories.AssessorCertificateFactory(assessor=a)
    assert count() == few


def test_the_list_runs_a_fixed_number_of_queries(client, admin_a, lsp_a, django_assert_num_queries):
    for _ in range(5):
        factories.AssessorCertificateFactory(assessor=factories.AssessorFactory(lsps=[lsp_a]))
    client.force_login(admin_a)
    client.get(reverse("assessor_list"))  # warm the session
    # session, user, roles, filter choices (LSP, school, scheme), count, page, LSPs prefetch
    with django_assert_num_queries(9):
        client.get(reverse("assessor_list"))


def _with_days_left(lsp, name, days):
    assessor = factories.AssessorFactory(lsps=[lsp], full_name=name)
    today = timezone.localdate()
    factories.AssessorCertificateFactory(
        assessor=assessor,
        issued_on=today - datetime.timedelta(days=800),
        valid_until=today + datetime.timedelta(days=days),
    )
    return assessor


def test_filter_and_sort_by_status(client, admin_a, lsp_a):
    _with_days_left(lsp_a, "Aktif", 400)
    _with_days_left(lsp_a, "Hampir", 30)
    _with_days_left(lsp_a, "Lewat", -1)
    factories.AssessorFactory(lsps=[lsp_a], full_name="Tanpa")
    client.force_login(admin_a)
    url = reverse("assessor_list")
    assert names(client.get(url, {"status": "expiring"})) == {"Hampir"}
    assert names(client.get(url, {"status": "expired"})) == {"Lewat"}
    assert names(client.get(url, {"status": "without"})) == {"Tanpa"}
    ordered = [a.full_name for a in client.get(url, {"order": "expiry"}).context["object_list"]]
    assert ordered == ["Tanpa", "Lewat", "Hampir", "Aktif"]
    page = client.get(url, {"status": "expired"}).content.decode()
    since = timezone.localdate()
    assert "Expired since" in page and str(since.year) in page


def test_filter_by_lsp_school_scheme_and_search(client, superuser, ours, theirs, lsp_a, lsp_b):
    client.force_login(superuser)
    url = reverse("assessor_list")
    assert names(client.get(url, {"lsp": lsp_b.pk})) == {"Budi Santoso"}
    assert names(client.get(url, {"school": lsp_a.host_school.pk})) == {"Sri Wahyuni"}
    scheme = ours.scopes.get().scheme
    assert names(client.get(url, {"scheme": scheme.pk})) == {"Sri Wahyuni"}
    assert names(client.get(url, {"q": "budi"})) == {"Budi Santoso"}
    assert names(client.get(url, {"q": ours.met_number[:12]})) >= {"Sri Wahyuni"}
    assert names(client.get(url, {"q": lsp_a.host_school.name})) == {"Sri Wahyuni"}


# --- forms ----------------------------------------------------------------------------------------
def _form(lsp, **overrides):
    data = {
        "full_name": "Agus Salim, S.Kom.",
        "nik": "6472010101800001",
        "met_number": "met.000.004417.2017",
        "email": "agus@example.id",
        "phone": "0812-3456-7890",
        "home_school": lsp.host_school.pk,
        "lsps": [lsp.pk],
        "certificate_number": "12345/BNSP/ASKOM/2024",
        "issued_on": "2024-03-01",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_an_assessor_with_their_certificate(client, admin_a, lsp_a):
    client.force_login(admin_a)
    scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("assessor_create"), _form(lsp_a, certificate_file=scan))
    assessor = Assessor.objects.get()
    assert response.status_code == 302 and response.url == assessor.get_absolute_url()
    assert assessor.met_number == "MET.000.004417 2017"
    assert assessor.phone == "+6281234567890"
    assert list(assessor.lsps.all()) == [lsp_a]
    certificate = assessor.certificates.get()
    assert certificate.valid_until == datetime.date(2027, 3, 1)
    assert certificate.kind == AssessorCertificate.Kind.INITIAL
    assert certificate.file.read() == PDF


def test_a_bad_form_shows_the_errors_and_keeps_what_was_typed(client, admin_a, lsp_a):
    factories.AssessorFactory(met_number="MET.000.004417 2017")
    client.force_login(admin_a)
    response = client.post(
        reverse("assessor_create"),
        _form(lsp_a, nik="64720101", met_number="MET.000.004417.2017", phone="12"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "NIK must be exactly 16 digits." in form.errors["nik"]
    assert form.errors["met_number"]  # already on record
    assert form.errors["phone"]
    page = response.content.decode()
    assert 'value="Agus Salim, S.Kom."' in page and 'value="64720101"' in page
    assert Assessor.objects.count() == 1


def test_a_bad_met_number_is_explained(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(reverse("assessor_create"), _form(lsp_a, met_number="MET 4417"))
    assert "is not a MET number" in str(response.context["form"].errors["met_number"])


def test_a_scan_is_accepted_by_content_not_by_name(client, admin_a, lsp_a):
    client.force_login(admin_a)
    fake = SimpleUploadedFile("scan.pdf", b"<html><script>", content_type="application/pdf")
    response = client.post(reverse("assessor_create"), _form(lsp_a, certificate_file=fake))
    assert response.status_code == 200
    assert "This file type is not accepted" in str(response.context["form"].errors)
    assert not Assessor.objects.exists()


def test_a_certificate_needs_its_issue_date(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(reverse("assessor_create"), _form(lsp_a, issued_on=""))
    assert response.context["form"].errors["issued_on"]


def test_viewers_and_assessors_may_not_create(client, viewer_kaltim, lsp_a):
    for user in (viewer_kaltim, factories.assessor(lsp_a)):
        client.force_login(user)
        assert client.post(reverse("assessor_create"), _form(lsp_a)).status_code == 403
    assert not Assessor.objects.exists()


def test_an_edit_keeps_the_lsps_the_admin_does_not_keep(client, admin_a, lsp_a, lsp_b):
    shared = factories.AssessorFactory(lsps=[lsp_a, lsp_b])
    client.force_login(admin_a)
    data = _form(lsp_a, nik=shared.nik, met_number=shared.met_number, full_name="Nama Baru")
    response = client.post(reverse("assessor_update", args=[shared.pk]), data)
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.full_name == "Nama Baru"
    assert set(shared.lsps.all()) == {lsp_a, lsp_b}
    assert not shared.certificates.exists()  # the edit form records no certificate


def test_linking_an_account_gives_it_the_assessor_role_of_each_lsp(client, admin_a, lsp_a, ours):
    account = factories.UserFactory(username="sri.wahyuni")
    Role.objects.create(user=account, kind=Role.Kind.ASSESSOR, lsp=lsp_a)
    other_lsp = factories.LspFactory()
    factories.lsp_admin(other_lsp, username="admin.other")
    client.force_login(admin_a)
    data = _form(lsp_a, nik=ours.nik, met_number=ours.met_number, user=account.pk)
    assert client.post(reverse("assessor_update", args=[ours.pk]), data).status_code == 302
    assert set(account.roles.values_list("kind", "lsp")) == {(Role.Kind.ASSESSOR, lsp_a.pk)}
    # Unlinking takes the role away again.
    data.pop("user")
    client.post(reverse("assessor_update", args=[ours.pk]), data)
    assert not account.roles.exists()


def test_renewal_makes_an_expired_assessor_active(client, admin_a, lsp_a):
    assessor = _with_days_left(lsp_a, "Lewat", -10)
    client.force_login(admin_a)
    url = reverse("assessor_certificate_create", args=[assessor.pk])
    assert client.get(url).context["form"].initial["kind"] == AssessorCertificate.Kind.RCC
    today = timezone.localdate()
    response = client.post(
        url, {"number": "RCC-0001", "issued_on": today.isoformat(), "kind": "rcc"}
    )
    assert response.status_code == 302
    assert assessor.status_on(today) == Status.ACTIVE
    assert assessor.certificates.count() == 2
    page = client.get(assessor.get_absolute_url()).content.decode()
    assert "Active until" in page and "RCC-0001" in page


def test_scope_is_chosen_from_the_assessors_lsps_only(client, admin_a, lsp_a, lsp_b, ours):
    mine = factories.SchemeFactory(lsp=lsp_a, title="Skema Kami")
    foreign = factories.SchemeFactory(lsp=lsp_b, title="Skema Mereka")
    client.force_login(admin_a)
    url = reverse("assessor_scope_create", args=[ours.pk])
    choices = set(client.get(url).context["form"].fields["scheme"].queryset)
    assert mine in choices and foreign not in choices
    valid_until = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    data = {"scheme": foreign.pk, "certificate_number": "K-1", "valid_until": valid_until}
    assert client.post(url, data).status_code == 200
    assert client.post(url, {**data, "scheme": mine.pk}).status_code == 302
    assert ours.scopes.filter(scheme=mine).exists()
    scope = ours.scopes.get(scheme=mine)
    assert client.post(reverse("assessor_scope_delete", args=[scope.pk])).status_code == 302
    assert not ours.scopes.filter(scheme=mine).exists()


# --- Excel ----------------------------------------------------------------------------------------
def _sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in workbook.active.iter_rows()]


def test_admins_download_personal_columns_viewers_do_not(client, admin_a, viewer_kaltim, ours):
    ours.full_name = "=HYPERLINK(1)"
    ours.save()
    client.force_login(admin_a)
    rows = _sheet(client.get(reverse("assessor_export")))
    assert "NIK" in rows[0] and rows[1][rows[0].index("NIK")] == ours.nik
    assert rows[1][0] == "'=HYPERLINK(1)"  # a formula is never written as one
    client.force_login(viewer_kaltim)
    rows = _sheet(client.get(reverse("assessor_export")))
    assert "NIK" not in rows[0] and "No. HP" not in rows[0]
    assert ours.nik not in {str(v) for row in rows for v in row}
    exports = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert exports.count() == 2
    assert set(exports.values_list("actor__username", flat=True)) == {"admin.a", "viewer.kaltim"}


def test_the_download_follows_the_filters(client, admin_a, lsp_a):
    _with_days_left(lsp_a, "Aktif", 400)
    _with_days_left(lsp_a, "Lewat", -1)
    client.force_login(admin_a)
    rows = _sheet(client.get(reverse("assessor_export"), {"status": "expired"}))
    assert [r[0] for r in rows[1:]] == ["Lewat"]


def test_navigation_shows_what_each_role_uses(client, admin_a, own_user):
    client.force_login(admin_a)
    labels = {i["label"] for i in client.get(reverse("assessor_list")).context["nav_items"]}
    assert "Assessors" in labels and "My profile" not in labels
    client.force_login(own_user)
    home = client.get(reverse("assessor_home"))
    labels = {i["label"] for i in home.context["nav_items"]}
    assert "My profile" in labels and "Assessors" not in labels
    assert "Active until" in home.content.decode()


def test_the_list_shows_and_filters_the_rcc_outcome(client, admin_a, lsp_a):
    from assessors.models import LogbookEntry

    ready = _with_days_left(lsp_a, "Siap RCC", 100)
    for n in range(6):
        LogbookEntry.objects.create(
            assessor=ready,
            date=timezone.localdate() - datetime.timedelta(days=10 + n),
            lsp_name="LSP Lain",
            scheme_name="Skema",
            asesi_count=5,
        )
    _with_days_left(lsp_a, "Rawan", 100)
    client.force_login(admin_a)
    url = reverse("assessor_list")
    assert names(client.get(url, {"outcome": "eligible"})) == {"Siap RCC"}
    assert names(client.get(url, {"outcome": "at_risk"})) == {"Rawan"}
    assert 'data-outcome="eligible"' in client.get(url).content.decode()
    rows = _sheet(client.get(reverse("assessor_export"), {"outcome": "eligible"}))
    assert [r[0] for r in rows[1:]] == ["Siap RCC"]
    assert rows[1][rows[0].index("Asesmen")] == 6
