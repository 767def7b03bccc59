"""The watch page: expiring, at risk, must retrain, eligible for RCC; Excel; the LSP card."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import SessionAssessor
from assessors.models import AssessorFlag, LogbookEntry
from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

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


def certified(lsp, name, *, left: int, assessed: int = 0, logged: int = 0):
    """An assessor of `lsp` whose certificate has `left` days to run, with `assessed` sessions
    whose verdicts were submitted and `logged` logbook entries, all within the window."""
    session = factories.SessionFactory(lsp=lsp, start_date=days(-60))
    assessor = factories.session_assessor(session, full_name=name)
    certificate = assessor.certificates.get()
    certificate.issued_on = days(left - 3 * 365)
    certificate.valid_until = days(left)
    certificate.save()
    assignments = [SessionAssessor.objects.get(session=session, assessor=assessor)]
    for n in range(1, assessed):
        other = factories.SessionFactory(lsp=lsp, start_date=days(-60 - n))
        assignments.append(SessionAssessor.objects.create(session=other, assessor=assessor))
    for assignment in assignments[:assessed]:
        assignment.submitted_at = timezone.now()
        assignment.save()
    for n in range(logged):
        LogbookEntry.objects.create(
            assessor=assessor,
            date=days(-200 - n),
            lsp_name="LSP P1 Lama",
            scheme_name=f"Skema lama {n}",
            asesi_count=10,
        )
    return assessor


@pytest.fixture
def crowd(lsp_a, lsp_b):
    """One assessor of LSP A per case, and one of LSP B that A's admin never sees."""
    return {
        "eligible": certified(lsp_a, "Eka Layak", left=400, assessed=2, logged=4),
        "on_track": certified(lsp_a, "Tono Aman", left=700, assessed=1),
        "at_risk": certified(lsp_a, "Rina Risiko", left=150, assessed=3, logged=1),
        "expiring_eligible": certified(lsp_a, "Dewi Segera", left=30, assessed=6),
        "expiring_at_risk": certified(lsp_a, "Budi Segera", left=60, assessed=1),
        "must_retrain": certified(lsp_a, "Joko Lewat", left=-5, assessed=1),
        # Five sessions, a sixth assigned but never submitted: not eligible.
        "five": certified(lsp_a, "Lima Saja", left=100, assessed=5),
        "theirs": certified(lsp_b, "Orang Lain", left=-1),
    }


def listed(response) -> dict[str, set[str]]:
    return {w["key"]: {a.full_name for a in w["rows"]} for w in response.context["lists"]}


def test_the_page_groups_the_admins_assessors(client, admin_a, crowd, lsp_a):
    five = crowd["five"]
    SessionAssessor.objects.create(
        session=factories.SessionFactory(lsp=lsp_a, start_date=days(-3)), assessor=five
    )
    client.force_login(admin_a)
    response = client.get(reverse("assessor_watch"))
    assert response.status_code == 200
    assert listed(response) == {
        "expiring": {"Dewi Segera", "Budi Segera"},
        "at_risk": {"Rina Risiko", "Budi Segera", "Lima Saja"},
        "must_retrain": {"Joko Lewat"},
        "eligible": {"Eka Layak", "Dewi Segera"},
    }
    assert response.context["counts"] == {
        "expiring": 2,
        "at_risk": 3,
        "must_retrain": 1,
        "eligible": 2,
    }
    rows = {a.full_name: a for w in response.context["lists"] for a in w["rows"]}
    assert rows["Dewi Segera"].days_left == 30
    assert rows["Rina Risiko"].assessments_done == 4
    assert rows["Joko Lewat"].days_ago == 5
    page = response.content.decode()
    assert "expired 5 days ago" in page and "4 / 6" in page
    assert "Orang Lain" not in page
    # Soonest first: the admin plans from the top.
    expiring = next(w for w in response.context["lists"] if w["key"] == "expiring")
    assert [a.full_name for a in expiring["rows"]] == ["Dewi Segera", "Budi Segera"]


def test_a_viewer_reads_the_province_and_the_superuser_all(client, viewer_kaltim, superuser, crowd):
    client.force_login(viewer_kaltim)
    response = client.get(reverse("assessor_watch"))
    assert response.status_code == 200
    assert "Orang Lain" in listed(response)["must_retrain"]  # LSP B is in Kaltim too
    assert 'data-testid="logbook-import"' not in response.content.decode()
    client.force_login(superuser)
    assert "Orang Lain" in listed(client.get(reverse("assessor_watch")))["must_retrain"]


def test_the_page_narrows_to_one_of_the_users_lsps(client, superuser, admin_a, crowd, lsp_b):
    client.force_login(superuser)
    response = client.get(reverse("assessor_watch"), {"lsp": lsp_b.pk})
    assert listed(response) == {
        "expiring": set(),
        "at_risk": set(),
        "must_retrain": {"Orang Lain"},
        "eligible": set(),
    }
    client.force_login(admin_a)
    assert client.get(reverse("assessor_watch"), {"lsp": lsp_b.pk}).status_code == 404
    assert client.get(reverse("assessor_watch"), {"lsp": "x"}).status_code == 404


def test_assessors_and_strangers_may_not_watch(client, lsp_a):
    url = reverse("assessor_watch")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(factories.assessor(lsp_a, username="asesor"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("assessor_watch_export"), {"list": "eligible"}).status_code == 403


def test_the_latest_flags_of_the_users_assessors(client, admin_a, crowd):
    def flag(assessor, stage, raised):
        return AssessorFlag.objects.create(
            assessor=assessor,
            certificate=assessor.certificates.get(),
            kind=AssessorFlag.Kind.EXPIRY,
            stage=stage,
            raised_on=raised,
            valid_until=assessor.certificates.get().valid_until,
            run=uuid.uuid4(),
        )

    older = flag(crowd["expiring_at_risk"], "90", days(-30))
    newer = flag(crowd["expiring_eligible"], "30", days(0))
    flag(crowd["theirs"], "expired", days(0))
    client.force_login(admin_a)
    response = client.get(reverse("assessor_watch"))
    assert response.context["flags"] == [newer, older]
    assert "Expires within 30 days" in response.content.decode()


# --- Excel ----------------------------------------------------------------------------------------
def sheet(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in workbook.active.iter_rows()]


def test_each_list_downloads_with_its_columns_and_is_audited(
    client, admin_a, crowd, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    response = client.get(reverse("assessor_watch_export"), {"list": "at_risk"})
    assert response.status_code == 200
    rows = sheet(response)
    assert rows[0] == [
        "Nama Lengkap",
        "No. Registrasi MET",
        "NIK",
        "Email",
        "No. HP",
        "Sekolah Asal",
        "LSP",
        "Sertifikat Berlaku s.d.",
        "Sisa Hari",
        "Asesmen Dilakukan",
        "Ambang RCC",
        "Hasil",
    ]
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_name) == {"Rina Risiko", "Budi Segera", "Lima Saja"}
    rina = by_name["Rina Risiko"]
    assert rina["NIK"] == crowd["at_risk"].nik
    assert rina["Sisa Hari"] == 150 and rina["Asesmen Dilakukan"] == 4
    assert rina["Ambang RCC"] == 6 and rina["Hasil"] == "At risk"
    assert rina["Sertifikat Berlaku s.d."].date() == days(150)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin_a and "berisiko" in entry.object_repr
    assert entry.changes["list"] == "at_risk"
    assert client.get(reverse("assessor_watch_export"), {"list": "all"}).status_code == 404


def test_viewers_download_no_nik_email_or_phone(client, viewer_kaltim, crowd):
    client.force_login(viewer_kaltim)
    rows = sheet(client.get(reverse("assessor_watch_export"), {"list": "must_retrain"}))
    assert "NIK" not in rows[0] and "No. HP" not in rows[0] and "Email" not in rows[0]
    cells = {str(v) for row in rows for v in row}
    assert crowd["must_retrain"].nik not in cells and crowd["must_retrain"].phone not in cells
    assert {r[0] for r in rows[1:]} == {"Joko Lewat", "Orang Lain"}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=viewer_kaltim).exists()
    # Nor on the page.
    page = client.get(reverse("assessor_watch")).content.decode()
    assert crowd["must_retrain"].nik not in page


# --- queries --------------------------------------------------------------------------------------
def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_and_the_download_run_a_fixed_number_of_queries(
    client, admin_a, lsp_a, django_assert_num_queries
):
    certified(lsp_a, "A", left=30, assessed=1)
    certified(lsp_a, "B", left=-3)
    certified(lsp_a, "C", left=300, assessed=6)
    client.force_login(admin_a)
    url, export = reverse("assessor_watch"), reverse("assessor_watch_export")
    client.get(url)  # warm the session
    few, few_export = _queries(client, url), _queries(client, export, {"list": "at_risk"})
    for n in range(4):
        certified(lsp_a, f"C{n}", left=40 + n, assessed=2, logged=1)
        certified(lsp_a, f"D{n}", left=-10 - n, logged=2)
        certified(lsp_a, f"E{n}", left=300, assessed=6)
    for n in range(3):
        assessor = certified(lsp_a, f"F{n}", left=20)
        AssessorFlag.objects.create(
            assessor=assessor,
            certificate=assessor.certificates.get(),
            kind=AssessorFlag.Kind.EXPIRY,
            stage="30",
            raised_on=TODAY,
            valid_until=days(20),
            run=uuid.uuid4(),
        )
    assert _queries(client, url) == few
    assert _queries(client, export, {"list": "at_risk"}) == few_export
    # session, user, roles, LSP choices, counts, four lists, their LSPs, flags
    with django_assert_num_queries(11):
        client.get(url)


# --- the card on the LSP's page -------------------------------------------------------------------
def test_the_lsp_page_shows_the_counts_to_its_admins(
    client, admin_a, viewer_kaltim, crowd, lsp_a, django_assert_num_queries
):
    client.force_login(admin_a)
    page = client.get(lsp_a.get_absolute_url()).content.decode()
    assert 'data-testid="assessor-watch-card"' in page
    assert f"{reverse('assessor_watch')}?lsp={lsp_a.pk}" in page
    assert 'data-testid="watch-at_risk">3<' in page
    assert 'data-testid="watch-eligible">2<' in page
    client.force_login(viewer_kaltim)
    page = client.get(lsp_a.get_absolute_url()).content.decode()
    assert 'data-testid="assessor-watch-card"' not in page
    # The tag alone: one query once the user's roles are known.
    request = RequestFactory().get("/")
    request.user = admin_a
    template = Template("{% load assessor_watch %}{% assessor_watch lsp %}")
    template.render(Context({"request": request, "lsp": lsp_a}))
    with django_assert_num_queries(1):
        html = template.render(Context({"request": request, "lsp": lsp_a}))
    assert 'data-testid="watch-must_retrain">1<' in html
