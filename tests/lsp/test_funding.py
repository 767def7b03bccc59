"""Funding programme pages: who sees and changes what, the per-school table, the Excel, the edit
form with its school quotas, and query counts that do not grow with the schools."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Verdict
from lsp.models import AuditEntry, FundingProgramme, FundingQuota, Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def shared(lsp_b):
    """A network school of both LSPs."""
    school = factories.SchoolFactory(name="SMK Bersama")
    lsp_b.network_schools.add(school)
    return school


@pytest.fixture
def programme(lsp_a, shared):
    """Kept by LSP A: its host school, and a school A shares with LSP B."""
    lsp_a.network_schools.add(shared)
    programme = factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Alpha")
    factories.FundingQuotaFactory(programme=programme, school=lsp_a.host_school, quota=10)
    factories.FundingQuotaFactory(programme=programme, school=shared, quota=4)
    return programme


@pytest.fixture
def assessor_user(lsp_a):
    return factories.assessor(lsp_a, username="asesor.a")


def _enrol(programme, school, n, decision=""):
    session = factories.SessionFactory(
        lsp=programme.lsp, programme=programme, funding=programme.kind
    )
    for _ in range(n):
        factories.EnrolmentFactory(session=session, candidate__school=school, decision=decision)
    return session


def _url(name, programme=None):
    return reverse(name, args=[programme.pk]) if programme else reverse(name)


def _names(response):
    return [p.name for p in response.context["object_list"]]


# --- who sees what --------------------------------------------------------------------------------
def test_the_list_shows_each_role_its_programmes(
    client, programme, admin_a, admin_b, viewer_kaltim, assessor_user, lsp_b
):
    factories.FundingProgrammeFactory(lsp=lsp_b, name="BANPER Beta")
    elsewhere = factories.FundingProgrammeFactory(name="BANPER Gamma")  # a third LSP
    expected = {
        admin_a: ["BANPER Alpha"],
        admin_b: ["BANPER Alpha", "BANPER Beta"],  # Alpha funds one of B's schools
        viewer_kaltim: ["BANPER Alpha", "BANPER Beta", "BANPER Gamma"],
        assessor_user: [],
    }
    assert elsewhere.province.code == "64"
    for user, names in expected.items():
        client.force_login(user)
        assert sorted(_names(client.get(_url("funding_programme_list")))) == names


def test_an_lsp_admin_sees_only_its_own_schools_in_another_lsps_programme(
    client, programme, admin_a, admin_b, shared, lsp_a
):
    _enrol(programme, shared, 3)
    _enrol(programme, lsp_a.host_school, 2)
    client.force_login(admin_b)
    response = client.get(_url("funding_programme_detail", programme))
    assert [r.school.name for r in response.context["rows"]] == ["SMK Bersama"]
    assert response.context["total"].enrolled == 3
    assert not response.context["can_edit"]
    page = response.content.decode()
    assert 'data-testid="partial"' in page and 'data-testid="edit"' not in page
    assert lsp_a.host_school.name not in page
    listed = client.get(_url("funding_programme_list")).context["object_list"]
    assert [(p.use.quota, p.use.enrolled) for p in listed] == [(4, 3)]

    client.force_login(admin_a)
    response = client.get(_url("funding_programme_detail", programme))
    assert len(response.context["rows"]) == 2 and response.context["total"].enrolled == 5


def test_refusals_other_lsp_viewer_and_assessor(
    client, programme, admin_b, viewer_kaltim, assessor_user, lsp_b
):
    stranger = factories.lsp_admin(factories.LspFactory(), username="admin.c")
    edit = _url("funding_programme_edit", programme)
    data = {"name": "Diubah", "year": programme.year}
    # An LSP with nothing in it: the programme does not exist for them.
    client.force_login(stranger)
    for name in ("funding_programme_detail", "funding_programme_edit", "funding_programme_export"):
        assert client.get(_url(name, programme)).status_code == 404
    assert client.post(edit, data).status_code == 404
    # The LSP one of whose schools it funds, and the province's viewer: read-only.
    for user in (admin_b, viewer_kaltim):
        client.force_login(user)
        assert client.get(_url("funding_programme_detail", programme)).status_code == 200
        assert client.get(edit).status_code == 403
        assert client.post(edit, data).status_code == 403
    # Assessors: nothing; viewers and assessors create nothing.
    client.force_login(assessor_user)
    assert client.get(_url("funding_programme_detail", programme)).status_code == 404
    assert client.get(_url("funding_programme_export", programme)).status_code == 404
    for user in (viewer_kaltim, assessor_user):
        client.force_login(user)
        assert client.get(_url("funding_programme_create")).status_code == 403
        assert client.post(_url("funding_programme_create"), data).status_code == 403
    programme.refresh_from_db()
    assert programme.name == "BANPER Alpha"
    assert FundingProgramme.objects.count() == 1


def test_the_list_filters_by_year_kind_and_search(client, superuser, lsp_a):
    factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Lama", year=2024)
    factories.FundingProgrammeFactory(lsp=lsp_a, name="BANPER Baru", year=2026)
    factories.FundingProgrammeFactory(
        lsp=lsp_a, name="Dana Sekolah", year=2026, kind=factories.funding("2")
    )
    client.force_login(superuser)
    url = _url("funding_programme_list")
    assert _names(client.get(url, {"year": 2024})) == ["BANPER Lama"]
    assert _names(client.get(url, {"kind": factories.funding("2").pk})) == ["Dana Sekolah"]
    assert _names(client.get(url, {"q": "baru"})) == ["BANPER Baru"]


# --- the page and the Excel -----------------------------------------------------------------------
def test_the_page_shows_each_school_and_the_totals(client, programme, admin_a, lsp_a, shared):
    _enrol(programme, lsp_a.host_school, 3, decision=Verdict.K)
    _enrol(programme, shared, 1)
    client.force_login(admin_a)
    response = client.get(_url("funding_programme_detail", programme))
    rows = {r.school.name: r for r in response.context["rows"]}
    host = rows[lsp_a.host_school.name]
    assert (host.quota, host.enrolled, host.assessed, host.remaining) == (10, 3, 3, 7)
    assert (host.budget, host.used) == (5_000_000, 1_500_000)
    total = response.context["total"]
    assert (total.quota, total.enrolled, total.assessed, total.remaining) == (14, 4, 3, 10)
    assert total.budget == 7_000_000
    page = response.content.decode()
    assert 'data-testid="total-row"' in page and "7,000,000" in page


def test_the_excel_download_holds_the_table_escaped_and_is_audited(
    client, programme, admin_a, shared
):
    shared.name = "=SUM(A1)"
    shared.save()
    _enrol(programme, shared, 2)
    client.force_login(admin_a)
    response = client.get(_url("funding_programme_export", programme))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("School", "NPSN", "Regency", "Quota", "Enrolled")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["'=SUM(A1)"][3:8] == (4, 2, 0, 0, 2)
    assert sheet.cell(row=2, column=2).number_format == "@"  # NPSN as text
    assert rows[-1][0] == "Total" and rows[-1][3:5] == (14, 2)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin_a and entry.object_id == str(programme.pk)


# --- create and edit ------------------------------------------------------------------------------
def _form_data(rows, **fields):
    data = {
        "name": "BANPER Baru",
        "year": 2026,
        "funder": "directorate",
        "kind": factories.funding("1").pk,
        "reference": "123/D5/KU/2026",
        "notes": "",
        "quotas-TOTAL_FORMS": len(rows),
        "quotas-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "quotas-MIN_NUM_FORMS": 0,
        "quotas-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"quotas-{i}-{key}"] = value
    return data


def test_an_admin_creates_a_programme_with_quotas_for_its_schools(
    client, admin_a, lsp_a, shared, django_capture_on_commit_callbacks
):
    lsp_a.network_schools.add(shared)
    client.force_login(admin_a)
    page = client.get(_url("funding_programme_create"))
    assert page.status_code == 200
    offered = page.context["formset"].initial_extra
    assert {r["school"] for r in offered} == {lsp_a.host_school.pk, shared.pk}
    assert [r["school"] for r in offered] == [shared.pk, lsp_a.host_school.pk]  # by name
    rows = [
        {"school": shared.pk, "quota": "", "amount_per_student": 0},  # untouched: ignored
        {"school": lsp_a.host_school.pk, "quota": 25, "amount_per_student": 500000},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("funding_programme_create"), _form_data(rows))
    assert response.status_code == 302, response.context["formset"].errors
    programme = FundingProgramme.objects.get(name="BANPER Baru")
    assert (programme.lsp, programme.province) == (lsp_a, lsp_a.province)
    assert list(programme.quotas.values_list("school", "quota")) == [(lsp_a.host_school.pk, 25)]
    assert AuditEntry.objects.filter(object_repr__startswith="BANPER Baru", actor=admin_a).exists()
    assert AuditEntry.objects.filter(object_repr__contains="· SMK", action="create").count() == 1


def test_quotas_name_only_the_lsps_schools(client, admin_a, lsp_a):
    stranger = factories.SchoolFactory(name="SMK Luar")
    client.force_login(admin_a)
    rows = [{"school": stranger.pk, "quota": 5, "amount_per_student": 0}]
    response = client.post(_url("funding_programme_create"), _form_data(rows))
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["formset"].errors)
    twice = [{"school": lsp_a.host_school.pk, "quota": 5, "amount_per_student": 0}] * 2
    response = client.post(_url("funding_programme_create"), _form_data(twice))
    assert "Please correct the duplicate data" in str(response.context["formset"].non_form_errors())
    assert not FundingProgramme.objects.exists()


def test_a_quota_cannot_go_below_the_enrolled_nor_a_school_with_students_leave(
    client, admin_a, programme, shared, lsp_a
):
    _enrol(programme, shared, 3)
    client.force_login(admin_a)
    quotas = {q.school_id: q for q in programme.quotas.all()}
    host, ours = quotas[lsp_a.host_school.pk], quotas[shared.pk]

    def rows(shared_quota, delete=""):
        return [
            {"id": host.pk, "school": host.school_id, "quota": 10, "amount_per_student": 500000},
            {"id": ours.pk, "school": ours.school_id, "quota": shared_quota,
             "amount_per_student": 500000, "DELETE": delete},
        ]  # fmt: skip

    data = _form_data(rows(2), name="BANPER Alpha", year=programme.year)
    response = client.post(_url("funding_programme_edit", programme), data)
    assert "3 students are already enrolled: the quota cannot be lower." in str(
        response.context["formset"].errors
    )
    data = _form_data(rows(4, delete="on"), name="BANPER Alpha", year=programme.year)
    response = client.post(_url("funding_programme_edit", programme), data)
    assert "3 students of SMK Bersama are enrolled under this programme: the school stays." in (
        response.context["formset"].non_form_errors()
    )
    data = _form_data(rows(3), name="BANPER Alpha", year=programme.year)
    response = client.post(_url("funding_programme_edit", programme), data)
    assert response.status_code == 302
    assert FundingQuota.objects.get(pk=ours.pk).quota == 3


def test_with_sessions_the_programme_keeps_its_lsp_year_and_kind(
    client, admin_a, programme, shared
):
    _enrol(programme, shared, 1)
    client.force_login(admin_a)
    form = client.get(_url("funding_programme_edit", programme)).context["form"]
    assert all(form.fields[name].disabled for name in ("lsp", "year", "kind"))


# --- query counts ---------------------------------------------------------------------------------
def _schools(lsp, programme, n):
    for _ in range(n):
        school = factories.SchoolFactory()
        lsp.network_schools.add(school)
        factories.FundingQuotaFactory(programme=programme, school=school, quota=5)
        _enrol(programme, school, 1, decision=Verdict.K)


@pytest.mark.parametrize("name", ["funding_programme_list", "funding_programme_detail"])
def test_queries_do_not_grow_with_the_schools(
    client, admin_a, lsp_a, django_assert_num_queries, name
):
    programme = factories.FundingProgrammeFactory(lsp=lsp_a)
    other = factories.FundingProgrammeFactory(lsp=lsp_a)
    _schools(lsp_a, programme, 3)
    url = _url(name, programme if name.endswith("detail") else None)
    client.force_login(admin_a)
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _schools(lsp_a, programme, 27)
    _schools(lsp_a, other, 5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    if name.endswith("detail"):
        assert len(response.context["rows"]) == 30
    else:
        assert sorted(p.use.schools for p in response.context["object_list"]) == [5, 30]


def test_links_from_the_lsp_page_and_the_session_list(client, admin_a, lsp_a):
    client.force_login(admin_a)
    for url in (lsp_a.get_absolute_url(), reverse("session_list")):
        assert _url("funding_programme_list") in client.get(url).content.decode()
    assert Role.objects.filter(user=admin_a).count() == 1
