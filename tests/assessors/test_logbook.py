"""The assessor's logbook: the page, who adds and deletes entries, evidence, Excel import."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import SessionAssessor
from assessors.models import Assessor, LogbookEntry, Standing
from assessors.services.logbook_import import (
    LABELS,
    TEMPLATE_FIELDS,
    LogbookImportError,
    commit_logbook,
    preview_logbook,
)
from lsp.models import AuditEntry, ImportBatch, Role
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%logbook\n"
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def ours(lsp_a):
    """An assessor of LSP A whose certificate was issued 500 days ago (window: 500 days back)."""
    assessor = factories.AssessorFactory(
        lsps=[lsp_a], full_name="Sri Wahyuni", met_number="MET.000.004417 2017"
    )
    factories.AssessorCertificateFactory(assessor=assessor, issued_on=days(-500))
    return assessor


@pytest.fixture
def entry(ours):
    return LogbookEntry.objects.create(
        assessor=ours,
        date=days(-100),
        lsp_name="LSP P1 SMKN 1 Balikpapan",
        scheme_name="Junior Web Developer",
        tuk_name="TUK Mandiri Lab RPL",
        asesi_count=12,
        evidence=SimpleUploadedFile("st.pdf", PDF, content_type="application/pdf"),
    )


@pytest.fixture
def own_user(ours, lsp_a):
    user = factories.UserFactory(username="sri")
    ours.user = user
    ours.save()
    Role.objects.create(user=user, kind=Role.Kind.ASSESSOR, lsp=lsp_a)
    return user


def _form(**overrides):
    data = {
        "date": days(-30).isoformat(),
        "lsp": "",
        "lsp_name": "LSP P1 SMKN 2 Samarinda",
        "scheme_name": "Teknisi Jaringan",
        "tuk_name": "TUK Sewaktu",
        "asesi_count": "10",
        "notes": "Sebelum Kompeten",
    }
    data.update(overrides)
    return data


# --- on the assessor's page -----------------------------------------------------------------------
def test_the_page_shows_the_count_the_outcome_and_each_counted_assessment(
    client, admin_a, ours, entry, lsp_a
):
    session = factories.SessionFactory(lsp=lsp_a, start_date=days(-20))
    SessionAssessor.objects.create(session=session, assessor=ours, submitted_at=timezone.now())
    factories.EnrolmentFactory(session=session, assessor=ours)
    unsubmitted = factories.SessionFactory(lsp=lsp_a, start_date=days(-10))
    SessionAssessor.objects.create(session=unsubmitted, assessor=ours)
    client.force_login(admin_a)
    response = client.get(ours.get_absolute_url())
    page = response.content.decode()
    recognition = response.context["recognition"]
    assert recognition.done == 2
    assert "2 of 6" in page
    assert 'data-outcome="on_track"' in page and "On track" in page
    assert "4 more assessments before" in page
    assert session.get_absolute_url() in page  # the session is linked
    assert unsubmitted.get_absolute_url() not in page  # nothing submitted, nothing counted
    assert reverse("logbook_evidence", args=[entry.pk]) in page
    assert "TUK Mandiri Lab RPL" in page and "LSP P1 SMKN 1 Balikpapan" in page
    assert "not counted in the current window" not in page
    assert reverse("logbook_create", args=[ours.pk]) in page


def test_an_admin_adds_an_entry_with_its_evidence(
    client, admin_a, ours, lsp_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    scan = SimpleUploadedFile("surat-tugas.pdf", PDF, content_type="application/pdf")
    url = reverse("logbook_create", args=[ours.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(lsp=lsp_a.pk, lsp_name="", evidence=scan))
    assert response.status_code == 302 and response.url.endswith("#logbook")
    entry = LogbookEntry.objects.get()
    assert entry.lsp == lsp_a and entry.lsp_name == "" and entry.asesi_count == 10
    assert entry.evidence.read() == PDF
    assert ours.recognition(TODAY).done == 1
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_id=str(entry.pk))
    assert created.exists()


def test_a_date_outside_the_window_is_kept_but_not_counted(client, admin_a, ours):
    client.force_login(admin_a)
    url = reverse("logbook_create", args=[ours.pk])
    response = client.post(url, _form(date=days(-900).isoformat()), follow=True)
    page = response.content.decode()
    assert LogbookEntry.objects.count() == 1
    assert "not counted in the window" in page  # the message
    assert "not counted in the current window" in page  # the row's badge
    assert "0 of 6" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": days(1).isoformat()}, "date", "The date cannot be in the future."),
        ({"lsp_name": ""}, "lsp", "Choose the LSP or write its name."),
        ({"asesi_count": "0"}, "asesi_count", ""),
        ({"scheme_name": ""}, "scheme_name", ""),
    ],
)
def test_a_bad_entry_is_explained(client, admin_a, ours, overrides, field, message):
    client.force_login(admin_a)
    response = client.post(reverse("logbook_create", args=[ours.pk]), _form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in str(errors[field])
    assert not LogbookEntry.objects.exists()


def test_evidence_is_accepted_by_content_not_by_name(client, admin_a, ours):
    client.force_login(admin_a)
    fake = SimpleUploadedFile("st.pdf", b"<html><script>", content_type="application/pdf")
    response = client.post(reverse("logbook_create", args=[ours.pk]), _form(evidence=fake))
    assert "This file type is not accepted" in str(response.context["form"].errors["evidence"])
    assert not LogbookEntry.objects.exists()


def test_the_same_entry_twice_is_refused(client, admin_a, ours, entry):
    client.force_login(admin_a)
    data = _form(
        date=entry.date.isoformat(),
        lsp_name=entry.lsp_name.upper(),
        scheme_name=entry.scheme_name,
    )
    response = client.post(reverse("logbook_create", args=[ours.pk]), data)
    assert "already in the logbook" in str(response.context["form"].errors)
    assert LogbookEntry.objects.count() == 1


def test_an_admin_deletes_an_entry(client, admin_a, ours, entry):
    client.force_login(admin_a)
    assert client.get(reverse("logbook_delete", args=[entry.pk])).status_code == 405
    response = client.post(reverse("logbook_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not LogbookEntry.objects.exists()


# --- who may do what ------------------------------------------------------------------------------
def test_a_viewer_reads_the_logbook_but_may_not_add_or_delete(client, viewer_kaltim, ours, entry):
    client.force_login(viewer_kaltim)
    page = client.get(ours.get_absolute_url()).content.decode()
    assert "Junior Web Developer" in page
    assert reverse("logbook_create", args=[ours.pk]) not in page
    assert reverse("logbook_delete", args=[entry.pk]) not in page
    url = reverse("logbook_create", args=[ours.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form()).status_code == 403
    assert client.post(reverse("logbook_delete", args=[entry.pk])).status_code == 403
    assert LogbookEntry.objects.count() == 1


def test_another_lsps_admin_gets_404_by_url_and_post(client, admin_b, ours, entry):
    client.force_login(admin_b)
    url = reverse("logbook_create", args=[ours.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert client.post(reverse("logbook_delete", args=[entry.pk])).status_code == 404
    assert client.get(reverse("logbook_evidence", args=[entry.pk])).status_code == 404
    assert LogbookEntry.objects.count() == 1


def test_the_assessor_reads_their_logbook_on_their_profile_only(client, own_user, ours, entry):
    client.force_login(own_user)
    page = client.get(reverse("assessor_profile")).content.decode()
    assert "Junior Web Developer" in page and "1 of 6" in page
    assert reverse("logbook_evidence", args=[entry.pk]) in page
    assert reverse("logbook_delete", args=[entry.pk]) not in page
    assert client.post(reverse("logbook_create", args=[ours.pk]), _form()).status_code == 403
    assert client.post(reverse("logbook_delete", args=[entry.pk])).status_code == 403


def test_evidence_is_served_only_to_those_who_may_see_the_assessor(
    client, admin_a, viewer_kaltim, own_user, entry, lsp_a
):
    url = reverse("logbook_evidence", args=[entry.pk])
    assert entry.evidence.url.startswith("/media-not-served/")
    assert client.get(url).status_code == 302  # to the login page
    for user in (admin_a, viewer_kaltim, own_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"
    elsewhere = factories.ProvinceFactory(code="91", name="Papua")
    for user in (
        factories.viewer(province=elsewhere, username="viewer.papua"),
        factories.assessor(lsp_a, username="colleague"),  # another assessor of the same LSP
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
    # An entry without evidence has nothing to serve.
    entry.evidence = ""
    entry.save()
    client.force_login(admin_a)
    assert client.get(url).status_code == 404


# --- the import -----------------------------------------------------------------------------------
def row(**overrides):
    values = {
        "No. Registrasi MET": "MET.000.004417 2017",
        "Tanggal": "15/01/2025",
        "LSP": "LSP P1 SMKN 1 Balikpapan",
        "Skema": "Junior Web Developer",
        "TUK": "TUK Mandiri",
        "Jumlah Asesi": 12,
    }
    values.update(overrides)
    return values


def xlsx(rows, headers=None, name="logbook.xlsx"):
    headers = headers or [LABELS[f] for f in TEMPLATE_FIELDS]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def preview(lsp, user, rows, **kwargs):
    file = xlsx(rows, **kwargs)
    return preview_logbook(lsp=lsp, file=file, filename=file.name, user=user)


def errors_by_row(batch) -> dict[int, dict[str, str]]:
    return {r["number"]: r["codes"] for r in batch.rows if r["errors"]}


def test_a_good_file_is_previewed_then_committed_once(admin_a, ours, lsp_a, lsp_b):
    batch = preview(
        lsp_a,
        admin_a,
        [
            row(),
            row(**{"Tanggal": "02/02/2025", "LSP": lsp_b.name.upper()}),
            row(**{"Tanggal": datetime.datetime(2025, 3, 3), "LSP": None, "TUK": None}),
        ],
    )
    assert not batch.has_errors, batch.rows
    assert not LogbookEntry.objects.exists()  # nothing before the commit
    Assessor.objects.with_standing(TODAY).get(pk=ours.pk)  # its count kept before the import
    assert commit_logbook(batch=batch, user=admin_a) == 3
    # bulk_create sends no signal: the import forgets the kept count itself.
    assert Standing.objects.get(assessor=ours).on is None
    entries = {e.date: e for e in LogbookEntry.objects.filter(assessor=ours)}
    assert entries[datetime.date(2025, 1, 15)].lsp_name == "LSP P1 SMKN 1 Balikpapan"
    assert entries[datetime.date(2025, 2, 2)].lsp == lsp_b  # an LSP in Kompeten, by its name
    assert entries[datetime.date(2025, 3, 3)].lsp == lsp_a  # empty: the LSP imported for
    assert entries[datetime.date(2025, 1, 15)].asesi_count == 12
    assert AuditEntry.objects.filter(object_repr__contains="3 entri logbook").exists()
    with pytest.raises(LogbookImportError) as error:
        commit_logbook(batch=batch, user=admin_a)
    assert error.value.code == "already_committed"
    assert LogbookEntry.objects.count() == 3


def test_errors_are_given_by_row_and_field_and_nothing_is_written(
    client, admin_a, ours, entry, lsp_a, lsp_b
):
    foreign = factories.AssessorFactory(lsps=[lsp_b], met_number="MET.000.000999 2020")
    tomorrow = days(1).strftime("%d/%m/%Y")
    recorded = {
        "Tanggal": entry.date.strftime("%d/%m/%Y"),
        "LSP": entry.lsp_name,
        "Skema": entry.scheme_name.lower(),
    }
    batch = preview(
        lsp_a,
        admin_a,
        [
            row(),  # row 2: fine
            row(**{"No. Registrasi MET": foreign.met_number}),  # 3: not this LSP's
            row(**{"Tanggal": "31/02/2025"}),  # 4
            row(**{"Tanggal": tomorrow}),  # 5
            row(**{"Skema": None}),  # 6
            row(**{"Jumlah Asesi": 0, "Skema": "Skema 7"}),  # 7
            row(**{"Jumlah Asesi": "banyak", "Skema": "Skema 8"}),  # 8
            row(),  # 9: the same as row 2
            row(**recorded),  # 10: already in the logbook
            row(**{"No. Registrasi MET": "MET 12"}),  # 11
            row(**{"No. Registrasi MET": None}),  # 12
        ],
    )
    assert errors_by_row(batch) == {
        3: {"met_number": "unknown_assessor"},
        4: {"date": "bad_date"},
        5: {"date": "future_date"},
        6: {"scheme": "required"},
        7: {"asesi": "bad_count"},
        8: {"asesi": "bad_count"},
        9: {"date": "duplicate_in_file"},
        10: {"date": "on_record"},
        11: {"met_number": "bad_met"},
        12: {"met_number": "required"},
    }
    duplicate = next(r for r in batch.rows if r["number"] == 9)
    assert "row 2" in duplicate["errors"]["date"]
    # The preview names the file's columns; the commit is refused and writes nothing.
    client.force_login(admin_a)
    page = client.get(reverse("logbook_import_preview", args=[batch.pk])).content.decode()
    assert "Jumlah Asesi" in page and "No. Registrasi MET" in page and "row 2" in page
    assert 'data-testid="commit-button"' not in page
    response = client.post(reverse("logbook_import_commit", args=[batch.pk]), follow=True)
    assert "Some rows have errors" in response.content.decode()
    assert LogbookEntry.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_a_nik_column_names_the_assessor_too(admin_a, ours, lsp_a):
    other = factories.AssessorFactory(lsps=[lsp_a])
    headers = ["NIK", "Tanggal", "Skema", "Jumlah Asesi"]
    batch = preview(
        lsp_a,
        admin_a,
        [
            {"NIK": ours.nik, "Tanggal": "15/01/2025", "Skema": "A", "Jumlah Asesi": 3},
            {"NIK": "6400000000000000", "Tanggal": "15/01/2025", "Skema": "A", "Jumlah Asesi": 3},
        ],
        headers=headers,
    )
    assert errors_by_row(batch) == {3: {"nik": "unknown_assessor"}}
    assert batch.rows[0]["values"]["assessor_id"] == ours.pk
    assert "nik" not in batch.rows[0]["values"]  # matched, not kept
    mismatch = preview(
        lsp_a,
        admin_a,
        [{"NIK": other.nik, **row()}],
        headers=["NIK", *[LABELS[f] for f in TEMPLATE_FIELDS]],
    )
    assert errors_by_row(mismatch) == {2: {"nik": "mismatch"}}


def test_a_file_without_the_met_or_nik_column_is_refused_as_a_whole(admin_a, ours, lsp_a):
    batch = preview(lsp_a, admin_a, [row()], headers=["Tanggal", "LSP", "Skema", "Jumlah Asesi"])
    assert batch.errors and "No. Registrasi MET" in batch.errors[0]
    assert batch.rows == []


def test_a_commit_after_the_records_changed_writes_nothing(admin_a, ours, lsp_a):
    batch = preview(lsp_a, admin_a, [row(), row(**{"Tanggal": "16/01/2025"})])
    LogbookEntry.objects.create(
        assessor=ours,
        date=datetime.date(2025, 1, 16),
        lsp_name="LSP P1 SMKN 1 Balikpapan",
        scheme_name="Junior Web Developer",
        asesi_count=1,
    )
    with pytest.raises(LogbookImportError) as error:
        commit_logbook(batch=batch, user=admin_a)
    assert error.value.code == "stale"
    assert LogbookEntry.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_the_import_pages_upload_preview_and_commit(client, admin_a, ours, lsp_a):
    client.force_login(admin_a)
    assert client.get(reverse("logbook_import")).status_code == 200
    response = client.post(reverse("logbook_import"), {"lsp": lsp_a.pk, "file": xlsx([row()])})
    batch = ImportBatch.objects.get(kind="assessor_logbook")
    assert response.status_code == 302 and response.url == reverse(
        "logbook_import_preview", args=[batch.pk]
    )
    page = client.get(response.url).content.decode()
    assert "Sri Wahyuni" in page and 'data-testid="commit-button"' in page
    response = client.post(reverse("logbook_import_commit", args=[batch.pk]))
    assert response.status_code == 302
    assert LogbookEntry.objects.filter(assessor=ours).count() == 1


def test_the_template_has_the_columns_with_met_as_text(client, admin_a, lsp_a):
    client.force_login(admin_a)
    response = client.get(reverse("logbook_import_template"), {"lsp": lsp_a.pk})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == ["No. Registrasi MET", "Tanggal", "LSP", "Skema", "TUK", "Jumlah Asesi"]
    assert sheet["A2"].number_format == "@"
    assert sheet["B2"].number_format == "DD/MM/YYYY"
    assert "Petunjuk" in workbook.sheetnames


def test_the_import_is_for_lsp_admins_of_their_own_lsps(
    client, admin_a, admin_b, viewer_kaltim, ours, lsp_a, lsp_b
):
    batch = preview(lsp_a, admin_a, [row()])
    client.force_login(viewer_kaltim)
    assert client.get(reverse("logbook_import")).status_code == 403
    assert client.post(reverse("logbook_import_commit", args=[batch.pk])).status_code == 403
    client.force_login(admin_b)
    assert client.get(reverse("logbook_import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("logbook_import_commit", args=[batch.pk])).status_code == 404
    assert client.get(reverse("logbook_import_template"), {"lsp": lsp_a.pk}).status_code == 404
    # Their own LSP has no assessor with that MET: unknown, nothing of LSP A is told.
    theirs = preview(lsp_b, admin_b, [row()])
    assert errors_by_row(theirs) == {2: {"met_number": "unknown_assessor"}}
    with pytest.raises(LogbookImportError):
        preview(lsp_a, admin_b, [row()])
    assert not LogbookEntry.objects.exists()
