"""Certificates in the browser: an admin issues a decided session in bulk, watches the progress
reach 100 %, downloads the ZIP; anyone verifies one from its URL; the admin revokes it."""

import re
import zipfile

from playwright.sync_api import expect

from assessments.models import AssessmentSession
from certificates.models import Certificate
from tests.e2e.conftest import E2E, login

pytestmark = E2E


def test_issue_a_session_verify_and_revoke(demo, live_server, page, tmp_path, monkeypatch):
    # Rendered inline in the live server: independent of what a worker test left in app.conf.
    from lsp.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    session = AssessmentSession.objects.filter(
        lsp__name="LSP P1 SMK Negeri 1 Samarinda", status=AssessmentSession.Status.DECIDED
    ).first()
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/jadwal/{session.pk}/")
    page.get_by_test_id("issue-certificates").click()
    expect(page).to_have_url(re.compile(r"/sertifikat/proses/\d+/$"))
    bar = page.get_by_test_id("progress-bar")
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    issued = Certificate.objects.filter(session=session)
    assert issued.exists() and not issued.filter(sha256="").exists()

    with page.expect_download() as download:
        page.get_by_test_id("download-zip").click()
    path = tmp_path / "sertifikat.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == issued.count()

    certificate = issued.order_by("sequence").first()
    verification = f"{live_server.url}{certificate.get_verification_url()}"
    public = page.context.browser.new_page()  # anyone, without signing in
    public.goto(verification)
    expect(public.get_by_test_id("state")).to_have_attribute("data-state", "valid")
    expect(public.get_by_test_id("number")).to_contain_text(certificate.number)

    page.goto(f"{live_server.url}/sertifikat/{certificate.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("revoke-form").locator("textarea").fill("Data kelahiran salah.")
    page.get_by_test_id("revoke-form").locator("[type=submit]").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "revoked")
    public.reload()
    expect(public.get_by_test_id("state")).to_have_attribute("data-state", "revoked")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
