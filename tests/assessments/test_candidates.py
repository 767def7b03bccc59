"""Students are minors: only the admins of the LSP certifying their school see and change them."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Candidate
from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_a(lsp_a):
    return factories.CandidateFactory(school=lsp_a.host_school, full_name="Siti Nurhaliza")


@pytest.fixture
def student_b(lsp_b):
    school = factories.SchoolFactory(name="SMK Jejaring Beta")
    lsp_b.network_schools.add(school)
    return factories.CandidateFactory(school=school, full_name="Budi Santoso")


def test_admin_lists_only_students_of_own_schools(client, admin_a, student_a, student_b):
    client.force_login(admin_a)
    page = client.get(reverse("candidate_list")).content.decode()
    assert "Siti Nurhaliza" in page and "Budi Santoso" not in page


def test_admin_cannot_open_or_change_another_lsps_student(client, admin_a, student_b):
    client.force_login(admin_a)
    assert client.get(reverse("candidate_detail", args=[student_b.pk])).status_code == 404
    url = reverse("candidate_update", args=[student_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"full_name": "Diubah"}).status_code == 404
    student_b.refresh_from_db()
    assert student_b.full_name == "Budi Santoso"


def test_admin_cannot_create_a_student_in_another_lsps_school(client, admin_a, student_b):
    client.force_login(admin_a)
    response = client.post(
        reverse("candidate_create"),
        {
            "full_name": "Siswa Nyasar",
            "nisn": "0012345678",
            "nik": "6472011234567890",
            "birth_place": "Samarinda",
            "birth_date": "2008-01-02",
            "sex": "L",
            "school": student_b.school_id,
            "concentration": factories.concentration().pk,
            "level": "XII",
            "school_year": "2025/2026",
        },
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert response.context["form"]["full_name"].value() == "Siswa Nyasar"  # kept as typed
    assert not Candidate.objects.filter(nisn="0012345678").exists()


@pytest.mark.parametrize("who", ["viewer", "assessor"])
def test_viewers_and_assessors_get_no_student_pages(client, lsp_a, student_a, who):
    user = factories.viewer() if who == "viewer" else factories.assessor(lsp_a)
    client.force_login(user)
    for url in (
        reverse("candidate_list"),
        reverse("candidate_detail", args=[student_a.pk]),
        reverse("candidate_export"),
        reverse("candidate_create"),
    ):
        assert client.get(url).status_code == 403, url


def test_admin_creates_a_student_keeping_leading_zeros(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("candidate_create"),
        {
            "full_name": "Ahmad Fauzi",
            "nisn": "0071234567",
            "nik": "6472010101080001",
            "birth_place": "Samarinda",
            "birth_date": "2008-01-01",
            "sex": "L",
            "school": lsp_a.host_school_id,
            "concentration": factories.concentration().pk,
            "level": "XII",
            "class_name": "XII TKJ 2",
            "school_year": "2025/2026",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Candidate.objects.get(full_name="Ahmad Fauzi").nisn == "0071234567"


def test_list_filters_by_school_class_and_year(client, admin_a, lsp_a):
    network = factories.SchoolFactory()
    lsp_a.network_schools.add(network)
    factories.CandidateFactory(school=lsp_a.host_school, full_name="Kelas Sepuluh", level="X")
    factories.CandidateFactory(school=network, full_name="Di Jejaring", school_year="2024/2025")
    client.force_login(admin_a)

    def names(**params):
        response = client.get(reverse("candidate_list"), params)
        return [c.full_name for c in response.context["object_list"]]

    assert names(level="X") == ["Kelas Sepuluh"]
    assert names(school=network.pk) == ["Di Jejaring"]
    assert names(school_year="2024/2025") == ["Di Jejaring"]
    assert names(q="sepuluh") == ["Kelas Sepuluh"]


def test_list_query_count_does_not_grow(client, admin_a, lsp_a):
    client.force_login(admin_a)
    factories.CandidateFactory(school=lsp_a.host_school)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("candidate_list")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    factories.CandidateFactory.create_batch(20, school=lsp_a.host_school)
    assert count() == one


def test_export_is_audited_escaped_and_keeps_ids_as_text(
    client, admin_a, lsp_a, student_b, django_capture_on_commit_callbacks
):
    factories.CandidateFactory(
        school=lsp_a.host_school, full_name='=HYPERLINK("http://x")', nisn="0001234567"
    )
    client.force_login(admin_a)
    response = client.get(reverse("candidate_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1  # another LSP's student is not in it
    assert rows[0][0].startswith("'=")
    assert rows[0][1] == "0001234567"
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == admin_a and lsp_a in entry.lsps.all()
