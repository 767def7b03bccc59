"""Staff pages: who sees and changes what, the list's filters and queries, Excel, blank numbers."""

import datetime
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import AssessmentSession, Verdict
from certificates.models import Certificate
from certificates.services import blanks
from certificates.services.issuing import issue_session
from certificates.services.revoking import revoke
from lsp.models import AuditEntry, ImportBatch
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 8, 17)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    cache.clear()
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def decided_session(lsp, names, code=None):
    session = factories.SessionFactory(
        lsp=lsp, status=AssessmentSession.Status.DECIDED, **({"code": code} if code else {})
    )
    for name in names:
        factories.EnrolmentFactory(
            session=session,
            candidate__full_name=name,
            decision=Verdict.K,
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
    return session


@pytest.fixture
def ours(lsp_a, admin_a):
    session = decided_session(lsp_a, ["Ani Lestari", "Budi Hartono"], code="JDW-A1")
    return issue_session(admin_a, session, issued_on=ON)


@pytest.fixture
def theirs(lsp_b, admin_b):
    session = decided_session(lsp_b, ["Citra Dewi"])
    return issue_session(admin_b, session, issued_on=ON)


@pytest.fixture
def assessor_user(lsp_a):
    return factories.assessor(lsp_a, username="asesor.a")


def names(response):
    return {c.holder_name for c in response.context["object_list"]}


# --- who sees what --------------------------------------------------------------------------------
def test_an_admin_lists_only_their_lsps_certificates(client, admin_a, ours, theirs):
    client.force_login(admin_a)
    response = client.get(reverse("certificate_list"))
    assert response.status_code == 200
    assert names(response) == {"Ani Lestari", "Budi Hartono"}


def test_a_viewer_reads_the_province_without_birth_dates(client, viewer_kaltim, ours, theirs):
    client.force_login(viewer_kaltim)
    assert names(client.get(reverse("certificate_list"))) == {
        "Ani Lestari",
        "Budi Hartono",
        "Citra Dewi",
    }
    page = client.get(ours[0].get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert ours[0].number in html
    assert 'data-testid="birth"' not in html and "17 May 2008" not in html
    assert ours[0].candidate.nik not in html and ours[0].candidate.nisn not in html
    assert 'data-testid="revoke-form"' not in html and 'data-testid="blank-form"' not in html
    # The PDF prints the birth date (403 for viewers): no link to it either.
    assert 'data-testid="pdf"' not in html
    assert reverse("certificate_pdf", args=[ours[0].pk]) not in html
    assert client.get(reverse("certificate_pdf", args=[ours[0].pk])).status_code == 403
    elsewhere = factories.viewer(
        province=factories.ProvinceFactory(code="91", name="Papua"), username="viewer.papua"
    )
    client.force_login(elsewhere)
    assert names(client.get(reverse("certificate_list"))) == set()
    assert client.get(ours[0].get_absolute_url()).status_code == 404


def test_the_admin_sees_the_birth_date_and_the_forms(client, admin_a, ours):
    client.force_login(admin_a)
    html = client.get(ours[0].get_absolute_url()).content.decode()
    assert 'data-testid="birth"' in html and "17 May 2008" in html
    assert 'data-testid="revoke-form"' in html and 'data-testid="blank-form"' in html
    assert f"/verifikasi/{ours[0].public_id}/" in html
    assert reverse("certificate_pdf", args=[ours[0].pk]) in html
    assert 'data-testid="pdf"' in html and 'data-testid="reissue-form"' in html


def test_another_lsps_admin_gets_404_by_url_and_post(client, admin_b, ours):
    target = ours[0]
    client.force_login(admin_b)
    assert client.get(target.get_absolute_url()).status_code == 404
    revoke_url = reverse("certificate_revoke", args=[target.pk])
    blank_url = reverse("certificate_blank", args=[target.pk])
    assert client.post(revoke_url, {"reason": "x"}).status_code == 404
    assert client.post(blank_url, {"blank_number": "X1"}).status_code == 404
    target.refresh_from_db()
    assert target.status == Certificate.Status.VALID and target.blank_number == ""


def test_a_viewer_may_not_revoke_or_record_blanks(client, viewer_kaltim, ours):
    target = ours[0]
    client.force_login(viewer_kaltim)
    assert (
        client.post(reverse("certificate_revoke", args=[target.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(reverse("certificate_blank", args=[target.pk]), {"blank_number": "B1"})
    ).status_code == 403
    assert client.get(reverse("blank_import")).status_code == 403
    target.refresh_from_db()
    assert target.status == Certificate.Status.VALID and target.blank_number == ""


def test_assessors_are_refused(client, assessor_user, ours):
    client.force_login(assessor_user)
    target = ours[0]
    for url in (
        reverse("certificate_list"),
        reverse("certificate_export"),
        target.get_absolute_url(),
        reverse("blank_import"),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("certificate_revoke", args=[target.pk]),
        reverse("certificate_blank", args=[target.pk]),
    ):
        assert client.post(url, {"reason": "x", "blank_number": "B"}).status_code == 403, url
    target.refresh_from_db()
    assert target.status == Certificate.Status.VALID


def test_anonymous_users_are_sent_to_sign_in(client, ours):
    target = ours[0]
    for url in (
        reverse("certificate_list"),
        reverse("certificate_export"),
        target.get_absolute_url(),
        reverse("blank_import"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk/" in response.url, url
    response = client.post(reverse("certificate_revoke", args=[target.pk]), {"reason": "x"})
    assert response.status_code == 302 and "/masuk/" in response.url
    target.refresh_from_db()
    assert target.status == Certificate.Status.VALID


def test_the_menu_shows_certificates_to_admins_and_viewers(client, admin_a, viewer_kaltim):
    for user in (admin_a, viewer_kaltim):
        client.force_login(user)
        items = client.get(reverse("home"), follow=True).context["nav_items"]
        assert reverse("certificate_list") in [item["url"] for item in items]


def test_the_menu_hides_certificates_from_assessors(client, assessor_user):
    client.force_login(assessor_user)
    items = client.get(reverse("home"), follow=True).context["nav_items"]
    assert reverse("certificate_list") not in [item["url"] for item in items]


# --- the list -------------------------------------------------------------------------------------
def test_the_list_query_count_does_not_grow_with_rows(
    client, admin_a, lsp_a, django_assert_num_queries
):
    decided_session(lsp_a, [])  # nothing yet
    client.force_login(admin_a)
    url = reverse("certificate_list")
    issue_session(admin_a, decided_session(lsp_a, ["A Satu", "B Dua"]), issued_on=ON)
    client.get(url)  # warm up (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    issue_session(admin_a, decided_session(lsp_a, [f"Asesi {n}" for n in range(8)]), issued_on=ON)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["object_list"]) == 10


def test_filters(client, admin_a, ours, lsp_a):
    ani, budi = ours
    revoke(admin_a, budi, "Salah")
    other = decided_session(lsp_a, ["Dedi Kurnia"], code="JDW-A2")
    dedi = issue_session(admin_a, other, issued_on=datetime.date(2025, 3, 1))[0]
    Certificate.objects.filter(pk=dedi.pk).update(valid_until=datetime.date(2026, 1, 1))
    client.force_login(admin_a)
    url = reverse("certificate_list")
    assert names(client.get(url, {"state": "valid"})) == {"Ani Lestari"}
    assert names(client.get(url, {"state": "revoked"})) == {"Budi Hartono"}
    assert names(client.get(url, {"state": "expired"})) == {"Dedi Kurnia"}
    assert names(client.get(url, {"year": "2025"})) == {"Dedi Kurnia"}
    assert names(client.get(url, {"session": "jdw-a1"})) == {"Ani Lestari", "Budi Hartono"}
    assert names(client.get(url, {"q": ani.number})) == {"Ani Lestari"}
    assert names(client.get(url, {"q": "kurnia"})) == {"Dedi Kurnia"}
    assert names(client.get(url, {"scheme": other.scheme_id})) == {"Dedi Kurnia"}


# --- Excel ----------------------------------------------------------------------------------------
def test_the_excel_export_has_no_personal_data_and_is_audited(client, viewer_kaltim, ours, theirs):
    client.force_login(viewer_kaltim)
    response = client.get(reverse("certificate_export"), {"q": "Ani"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Nama",
        "No. Sertifikat",
        "No. Blanko",
        "Skema",
        "Kode Jadwal",
        "LSP",
        "Tanggal Terbit",
        "Berlaku s.d.",
        "Status",
    )
    assert len(rows) == 2 and rows[1][0] == "Ani Lestari" and rows[1][1] == ours[0].number
    text = repr(rows)
    candidate = ours[0].candidate
    assert candidate.nik not in text and candidate.nisn not in text and "2008" not in text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == viewer_kaltim
    assert entry.changes["filter"] == {"q": "Ani"}
    assert "1 baris" in entry.object_repr


def test_the_admin_exports_only_their_lsp(client, admin_a, ours, theirs):
    client.force_login(admin_a)
    response = client.get(reverse("certificate_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Ani Lestari",
        "Budi Hartono",
    }
    assert AuditEntry.objects.filter(action="export", actor=admin_a).count() == 1


# --- blank numbers by hand ------------------------------------------------------------------------
def test_the_admin_records_a_blank_number_once_per_lsp(
    client, admin_a, ours, django_capture_on_commit_callbacks
):
    ani, budi = ours
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificate_blank", args=[ani.pk]), {"blank_number": " K 0012345 "}
        )
    assert response.status_code == 302
    ani.refresh_from_db()
    assert ani.blank_number == "K 0012345"
    entry = AuditEntry.objects.get(object_id=str(ani.pk), action="update")
    assert entry.changes["blank_number"] == ["", "K 0012345"] and entry.actor == admin_a
    taken = client.post(reverse("certificate_blank", args=[budi.pk]), {"blank_number": "K 0012345"})
    assert taken.status_code == 400
    assert "already recorded for certificate" in taken.content.decode()
    budi.refresh_from_db()
    assert budi.blank_number == ""


# --- BNSP's Excel ---------------------------------------------------------------------------------
def workbook(rows, headers=("No. Sertifikat", "No. Blanko", "Nama")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("blanko-bnsp.xlsx", buffer.getvalue(), content_type=XLSX)


def upload(client, lsp, rows, **kwargs):
    return client.post(reverse("blank_import"), {"lsp": lsp.pk, "file": workbook(rows, **kwargs)})


def test_an_import_with_errors_names_them_by_row_and_saves_nothing(
    client, admin_a, lsp_a, ours, theirs
):
    ani, budi = ours
    Certificate.objects.filter(pk=budi.pk).update(blank_number="K 0000009")
    client.force_login(admin_a)
    response = upload(
        client,
        lsp_a,
        [
            (ani.number, "K 0000001", "Ani"),  # fine
            (theirs[0].number.replace("0000001", "0000077"), "K 0000002", ""),  # unknown
            (ani.number, "K 0000001", ""),  # same number and blank again
            ("", "K 0000003", ""),  # no number
            (budi.number, "", ""),  # no blank
            (theirs[0].number + "X", "K 0000009", ""),  # unknown, blank taken by Budi
        ],
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(kind=blanks.KIND)
    codes = {row["number"]: row["codes"] for row in batch.rows}
    assert codes[2] == {}
    assert codes[3] == {"number": "unknown_number"}
    assert codes[4] == {"number": "duplicate_in_file", "blank": "duplicate_in_file"}
    assert codes[5] == {"number": "required"}
    assert codes[6] == {"blank": "required"}
    assert codes[7] == {"number": "unknown_number", "blank": "blank_taken"}
    preview = client.get(response.url)
    html = preview.content.decode()
    assert 'data-testid="has-errors"' in html and 'data-testid="commit-button"' not in html
    assert "No certificate of LSP P1 Alpha has this number" in html
    assert preview.context["counts"] == {"set": 1, "change": 0, "same": 0, "error": 5}
    # A forced commit writes nothing.
    commit = client.post(reverse("blank_import_commit", args=[batch.pk]), follow=True)
    assert "Some rows have errors" in commit.content.decode()
    ani.refresh_from_db()
    assert ani.blank_number == ""
    # Another LSP's certificate is unknown to this LSP, whatever its number.
    assert Certificate.objects.get(pk=theirs[0].pk).blank_number == ""


def test_a_clean_import_saves_every_row_at_once_and_only_once(
    client, admin_a, lsp_a, ours, django_capture_on_commit_callbacks
):
    ani, budi = ours
    Certificate.objects.filter(pk=budi.pk).update(blank_number="K 0000050")
    client.force_login(admin_a)
    response = upload(
        client,
        lsp_a,
        [(ani.number.replace(" ", "  "), "K 0000051"), (budi.number, "K 0000052")],
        headers=("Nomor Sertifikat", "Nomor Blanko"),
    )
    batch = ImportBatch.objects.get(kind=blanks.KIND)
    preview = client.get(response.url)
    assert preview.context["counts"] == {"set": 1, "change": 1, "same": 0, "error": 0}
    assert "Replaces K 0000050" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(reverse("blank_import_commit", args=[batch.pk]))
    assert saved.status_code == 302
    assert dict(Certificate.objects.values_list("holder_name", "blank_number")) == {
        "Ani Lestari": "K 0000051",
        "Budi Hartono": "K 0000052",
    }
    entry = AuditEntry.objects.get(action="update", actor=admin_a, object_repr__contains="blanko")
    assert f"{budi.number}: K 0000050 → K 0000052" in entry.changes["blank_number"]
    again = client.post(reverse("blank_import_commit", args=[batch.pk]), follow=True)
    assert "already been saved" in again.content.decode()


def test_a_blank_recorded_since_the_preview_makes_the_commit_stale(client, admin_a, lsp_a, ours):
    ani, budi = ours
    client.force_login(admin_a)
    upload(client, lsp_a, [(ani.number, "K 0000061")])
    batch = ImportBatch.objects.get(kind=blanks.KIND)
    Certificate.objects.filter(pk=budi.pk).update(blank_number="K 0000061")
    response = client.post(reverse("blank_import_commit", args=[batch.pk]), follow=True)
    assert "changed since this preview" in response.content.decode()
    ani.refresh_from_db()
    batch.refresh_from_db()
    assert ani.blank_number == "" and batch.status == ImportBatch.Status.PREVIEW


def test_another_lsps_admin_cannot_see_or_commit_the_batch(client, admin_a, admin_b, lsp_a, ours):
    client.force_login(admin_a)
    upload(client, lsp_a, [(ours[0].number, "K 0000071")])
    batch = ImportBatch.objects.get(kind=blanks.KIND)
    client.force_login(admin_b)
    assert client.get(reverse("blank_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("blank_import_commit", args=[batch.pk])).status_code == 404
    # Nor import into LSP A.
    response = upload(client, lsp_a, [(ours[0].number, "K 0000072")])
    assert response.status_code == 200 and ImportBatch.objects.count() == 1
    assert Certificate.objects.get(pk=ours[0].pk).blank_number == ""
