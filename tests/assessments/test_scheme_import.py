import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Criterion, Element, SchemeUnit, Unit
from assessments.services import scheme_import
from assessments.services.scheme_import import (
    SchemeImportError,
    commit_scheme_units,
    preview_scheme_units,
)
from lsp.models import AuditEntry, ImportBatch
from lsp.spreadsheets import read_rows
from tests import factories

pytestmark = pytest.mark.django_db

HEADERS = ["Kode Unit", "Judul Unit", "Elemen", "KUK"]
ROWS = [
    ["J.611000.001.01", "Memasang jaringan kabel", "Merencanakan pemasangan", "Topologi dibaca."],
    ["J.611000.001.01", "Memasang jaringan kabel", "Merencanakan pemasangan", "Kabel dihitung."],
    ["J.611000.001.01", "Memasang jaringan kabel", "Memasang kabel", "Konektor dipasang."],
    ["J.611000.002.01", "Memasang jaringan nirkabel", "Mengonfigurasi AP", "SSID diatur."],
    # An element seen before in its unit: it keeps its number, the KUK goes under it.
    ["J.611000.001.01", "Memasang jaringan kabel", "merencanakan  pemasangan", "Alat disiapkan."],
]


def _xlsx(rows, headers=HEADERS, name="unit.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _tree(unit):
    return [
        (e.number, e.title, [(c.number, c.text) for c in e.criteria.all()])
        for e in unit.elements.all()
    ]


def _counts():
    return [m.objects.count() for m in (Unit, Element, Criterion, SchemeUnit)]


@pytest.fixture
def scheme(lsp_a):
    return factories.SchemeFactory(lsp=lsp_a)


def _import(scheme, user, rows, **kwargs):
    batch = preview_scheme_units(scheme=scheme, file=_xlsx(rows, **kwargs), user=user)
    return batch


# --- Reading and checking ---------------------------------------------------------------------
def test_a_good_file_previews_without_problems_and_writes_nothing(scheme, admin_a):
    batch = _import(scheme, admin_a, ROWS)
    assert batch.kind == "scheme_units" and batch.target == {"scheme": scheme.pk}
    assert not batch.has_errors
    assert [row["number"] for row in batch.rows] == [2, 3, 4, 5, 6]
    assert {row["action"] for row in batch.rows} == {"create"}
    assert _counts() == [0, 0, 0, 0]


def test_commit_writes_units_elements_and_kuk_in_file_order(scheme, admin_a):
    batch = _import(scheme, admin_a, ROWS)
    outcome = commit_scheme_units(batch=batch, user=admin_a)
    assert outcome.units_created == 2
    cabled, wireless = scheme.ordered_units()
    assert cabled.code == "J.611000.001.01" and cabled.lsp == scheme.lsp
    assert _tree(cabled) == [
        (1, "Merencanakan pemasangan", [(1, "Topologi dibaca."), (2, "Kabel dihitung."),
                                        (3, "Alat disiapkan.")]),
        (2, "Memasang kabel", [(1, "Konektor dipasang.")]),
    ]  # fmt: skip
    assert _tree(wireless) == [(1, "Mengonfigurasi AP", [(1, "SSID diatur.")])]
    assert ImportBatch.objects.get(pk=batch.pk).status == "committed"


def test_the_long_headers_and_an_english_title_are_accepted(scheme, admin_a):
    headers = [
        "KODE UNIT KOMPETENSI",
        "Judul Unit Kompetensi",
        "Judul Unit (EN)",
        "Elemen Kompetensi",
        "Kriteria Unjuk Kerja",
    ]
    rows = [["J.611000.001.01", "Memasang kabel", "Installing cables", "Memasang", "KUK"]]
    batch = _import(scheme, admin_a, rows, headers=headers)
    commit_scheme_units(batch=batch, user=admin_a)
    assert Unit.objects.get().title_en == "Installing cables"


def test_merged_cells_continue_the_unit_and_element_above(scheme, admin_a):
    rows = [
        ["J.611000.001.01", "Memasang jaringan kabel", "Merencanakan", "KUK 1.1"],
        [None, None, None, "KUK 1.2"],
        [None, None, "Memasang", "KUK 2.1"],
        ["J.611000.002.01", "Memasang nirkabel", "Menyiapkan", "KUK 1.1"],
    ]
    batch = _import(scheme, admin_a, rows)
    assert not batch.has_errors
    commit_scheme_units(batch=batch, user=admin_a)
    cabled = Unit.objects.get(code="J.611000.001.01")
    assert _tree(cabled) == [
        (1, "Merencanakan", [(1, "KUK 1.1"), (2, "KUK 1.2")]),
        (2, "Memasang", [(1, "KUK 2.1")]),
    ]


def _errors(batch):
    return {(row["number"], field) for row in batch.rows for field in row["errors"]}


def test_every_problem_is_reported_by_row_and_column(scheme, admin_a):
    rows = [
        ["J-611000", "Kode salah", "Elemen", "KUK"],
        ["J.611000.002.01", "", "Elemen", "KUK"],
        ["J.611000.003.01", "Judul", "", "KUK"],
        ["J.611000.003.01", "Judul", "Elemen", ""],
        ["J.611000.003.01", "Judul lain", "Elemen", "KUK lain"],
    ]
    batch = _import(scheme, admin_a, rows)
    assert _errors(batch) == {
        (2, "unit_code"),
        (3, "unit_title"),
        (4, "element"),
        (5, "criterion"),
        (6, "unit_title"),
    }
    problems = scheme_import.batch_problems(batch)
    assert [(p.row, p.column) for p in problems][:2] == [(2, "Kode Unit"), (3, "Judul Unit")]
    assert "row 4" in problems[-1].message and "Judul" in problems[-1].message


def test_import_with_a_bad_unit_code_writes_nothing(scheme, admin_a):
    factories.UnitFactory(lsp=scheme.lsp, code="J.611000.001.01", title="Lama")
    before = _counts()
    batch = _import(scheme, admin_a, [*ROWS, ["BUKAN KODE", "Judul", "Elemen", "KUK"]])
    with pytest.raises(SchemeImportError) as error:
        commit_scheme_units(batch=batch, user=admin_a)
    assert error.value.code == SchemeImportError.HAS_ERRORS
    assert _counts() == before
    assert Unit.objects.get(code="J.611000.001.01").title == "Lama"
    assert ImportBatch.objects.get(pk=batch.pk).status == "preview"


def test_a_file_without_the_columns_is_a_file_level_problem(scheme, admin_a):
    batch = _import(scheme, admin_a, [["J.611000.001.01", "Judul"]], headers=["Kode Unit", "Judul"])
    assert batch.errors and "Elemen" in batch.errors[0]
    with pytest.raises(SchemeImportError) as error:
        commit_scheme_units(batch=batch, user=admin_a)
    assert error.value.code == SchemeImportError.HAS_ERRORS


# --- Existing units, repeats --------------------------------------------------------------------
def test_an_existing_unit_is_reused_and_its_elements_replaced(scheme, admin_a):
    existing = factories.UnitFactory(lsp=scheme.lsp, code="J.611000.001.01", title="Judul lama")
    old = Element.objects.create(unit=existing, number=1, title="Lama")
    Element.objects.create(unit=existing, number=2, title="Dibuang")
    Criterion.objects.create(element=old, number=1, text="KUK lama")
    other = factories.SchemeFactory(lsp=scheme.lsp)
    SchemeUnit.objects.create(scheme=other, unit=existing, order=1)
    batch = _import(scheme, admin_a, ROWS)
    assert {r["values"]["unit_code"]: r["action"] for r in batch.rows} == {
        "J.611000.001.01": "replace",
        "J.611000.002.01": "create",
    }
    planned = scheme_import.plan_batch(batch, scheme=scheme)
    assert planned[0].existing == existing and planned[0].title_changes
    assert planned[0].other_schemes == [other]

    outcome = commit_scheme_units(batch=batch, user=admin_a)
    assert (outcome.units_created, outcome.units_replaced) == (1, 1)
    existing.refresh_from_db()
    assert existing.title == "Memasang jaringan kabel"
    assert [t for _n, t, _k in _tree(existing)] == ["Merencanakan pemasangan", "Memasang kabel"]
    assert Unit.objects.filter(code="J.611000.001.01").count() == 1


def test_reimporting_the_same_file_changes_nothing(
    scheme, admin_a, django_capture_on_commit_callbacks
):
    commit_scheme_units(batch=_import(scheme, admin_a, ROWS), user=admin_a)
    rows_before = sorted(Criterion.objects.values_list("pk", "element_id", "number", "text"))
    counts, audit = _counts(), AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit_scheme_units(batch=_import(scheme, admin_a, ROWS), user=admin_a)
    assert outcome.changes == 0
    assert _counts() == counts
    assert (
        sorted(Criterion.objects.values_list("pk", "element_id", "number", "text")) == rows_before
    )
    assert AuditEntry.objects.count() == audit


def test_the_schemes_units_become_the_files_units_in_file_order(scheme, admin_a):
    dropped = factories.UnitFactory(lsp=scheme.lsp, code="J.620100.004.02")
    SchemeUnit.objects.create(scheme=scheme, unit=dropped, order=1)
    rows = [ROWS[3], ROWS[0]]  # wireless first
    commit_scheme_units(batch=_import(scheme, admin_a, rows), user=admin_a)
    assert [u.code for u in scheme.ordered_units()] == ["J.611000.002.01", "J.611000.001.01"]
    assert Unit.objects.filter(pk=dropped.pk).exists()  # the unit itself stays


def test_committing_twice_does_nothing_the_second_time(scheme, admin_a):
    batch = _import(scheme, admin_a, ROWS)
    commit_scheme_units(batch=batch, user=admin_a)
    Element.objects.filter(title="Memasang kabel").update(title="Diubah tangan")
    stale = ImportBatch.objects.get(pk=batch.pk)
    stale.status = "preview"  # a second click from a page loaded before the first commit
    with pytest.raises(SchemeImportError) as error:
        commit_scheme_units(batch=stale, user=admin_a)
    assert error.value.code == SchemeImportError.ALREADY_COMMITTED
    assert Element.objects.filter(title="Diubah tangan").exists()


def test_a_commit_that_fails_half_way_writes_nothing(scheme, admin_a, monkeypatch):
    batch = _import(scheme, admin_a, ROWS)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scheme_import, "set_scheme_units", broken)
    with pytest.raises(RuntimeError):
        commit_scheme_units(batch=batch, user=admin_a)
    assert _counts() == [0, 0, 0, 0]
    assert ImportBatch.objects.get(pk=batch.pk).status == "preview"


def test_only_an_admin_of_the_schemes_lsp_may_commit(scheme, admin_a, admin_b):
    batch = _import(scheme, admin_a, ROWS)
    with pytest.raises(SchemeImportError) as error:
        commit_scheme_units(batch=batch, user=admin_b)
    assert error.value.code == SchemeImportError.NOT_ALLOWED
    assert _counts() == [0, 0, 0, 0]


# --- Pages ------------------------------------------------------------------------------------
def test_upload_preview_and_commit_through_the_pages(client, scheme, admin_a):
    client.force_login(admin_a)
    detail = client.get(reverse("scheme_detail", args=[scheme.pk])).content.decode()
    assert reverse("scheme_import", args=[scheme.pk]) in detail
    response = client.post(reverse("scheme_import", args=[scheme.pk]), {"file": _xlsx(ROWS)})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("scheme_import_preview", args=[scheme.pk, batch.pk])
    page = client.get(response.url).content.decode()
    assert "J.611000.002.01" in page and "Konektor dipasang." in page and ">1.3<" in page
    assert 'data-testid="new"' in page and 'data-testid="commit-button"' in page
    commit = reverse("scheme_import_commit", args=[scheme.pk, batch.pk])
    assert client.get(commit).status_code == 405
    assert client.post(commit).url == scheme.get_absolute_url()
    assert scheme.units.count() == 2
    client.post(commit)  # a second click
    assert _counts() == [2, 3, 5, 2]


def test_the_preview_lists_each_problem_and_offers_no_commit(client, scheme, admin_a):
    client.force_login(admin_a)
    rows = [["J.611000.001.01", "Judul", "Elemen", ""]]
    client.post(reverse("scheme_import", args=[scheme.pk]), {"file": _xlsx(rows)})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("scheme_import_preview", args=[scheme.pk, batch.pk]))
    html = page.content.decode()
    assert 'data-testid="problems"' in html and "commit-button" not in html
    assert [(p.row, p.column) for p in page.context["problems"]] == [(2, "KUK")]
    client.post(reverse("scheme_import_commit", args=[scheme.pk, batch.pk]))
    assert _counts() == [0, 0, 0, 0]


def test_a_file_that_is_not_xlsx_is_refused_on_the_upload_form(client, scheme, admin_a):
    client.force_login(admin_a)
    csv = SimpleUploadedFile("unit.csv", b"Kode Unit;Judul Unit\n")
    response = client.post(reverse("scheme_import", args=[scheme.pk]), {"file": csv})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_another_lsps_admin_cannot_reach_the_import(client, scheme, admin_a, admin_b):
    batch = _import(scheme, admin_a, ROWS)
    client.force_login(admin_b)
    urls = [
        reverse("scheme_import", args=[scheme.pk]),
        reverse("scheme_import_preview", args=[scheme.pk, batch.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    upload = client.post(urls[0], {"file": _xlsx(ROWS)})
    assert upload.status_code == 404
    commit = client.post(reverse("scheme_import_commit", args=[scheme.pk, batch.pk]))
    assert commit.status_code == 404
    assert _counts() == [0, 0, 0, 0] and ImportBatch.objects.count() == 1


def test_a_batch_is_reached_only_through_its_own_scheme(client, scheme, admin_a, lsp_a):
    other = factories.SchemeFactory(lsp=lsp_a)
    batch = _import(scheme, admin_a, ROWS)
    client.force_login(admin_a)
    assert (
        client.get(reverse("scheme_import_preview", args=[other.pk, batch.pk])).status_code == 404
    )
    client.post(reverse("scheme_import_commit", args=[other.pk, batch.pk]))
    assert not other.units.exists() and not scheme.units.exists()


@pytest.mark.parametrize("role", ["viewer", "assessor"])
def test_viewer_and_assessor_may_not_import(client, scheme, admin_a, lsp_a, role):
    user = factories.viewer() if role == "viewer" else factories.assessor(lsp_a)
    batch = _import(scheme, admin_a, ROWS)
    client.force_login(user)
    page = client.get(reverse("scheme_detail", args=[scheme.pk])).content.decode()
    assert reverse("scheme_import", args=[scheme.pk]) not in page
    assert client.get(reverse("scheme_import", args=[scheme.pk])).status_code == 403
    assert (
        client.post(reverse("scheme_import", args=[scheme.pk]), {"file": _xlsx(ROWS)}).status_code
        == 403
    )
    for name in ("scheme_import_preview", "scheme_import_commit"):
        assert client.post(reverse(name, args=[scheme.pk, batch.pk])).status_code == 403
    assert client.get(reverse("scheme_import_template")).status_code == 403
    assert _counts() == [0, 0, 0, 0]


def test_the_template_has_the_columns_the_import_reads(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("scheme_import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.active[1]] == [
        "Kode Unit", "Judul Unit", "Judul Unit (EN)", "Elemen", "KUK"
    ]  # fmt: skip
    workbook.active.append(["J.611000.001.01", "Judul", "", "Elemen", "KUK"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    rows = read_rows(buffer, columns=scheme_import.COLUMNS, required=scheme_import.REQUIRED)
    assert rows[0].values["unit_code"] == "J.611000.001.01"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are checked in the source language; the catalogue test covers Indonesian."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
