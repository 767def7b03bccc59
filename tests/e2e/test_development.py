"""Development points in the browser: asesor1 records an activity on a phone, admin.lsp1 verifies
it, and asesor1's semester total moves."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from development.models import Activity, ActivityKind, Teacher
from development.rules import Semester
from tests.development.helpers import PDF
from tests.e2e.conftest import DESKTOP, E2E, PHONE, login

pytestmark = E2E


def test_assessor_records_admin_verifies_and_the_total_moves(demo, live_server, page, tmp_path):
    today = timezone.localdate()
    teacher = Teacher.objects.get(user__username="asesor1")
    before = teacher.points_in(Semester.of(today))
    magang = ActivityKind.objects.get(code="magang")
    evidence = tmp_path / "sertifikat-magang.pdf"
    evidence.write_bytes(PDF)

    # The assessor, on a phone, from "Profil saya".
    page.set_viewport_size(PHONE)
    login(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/asesor/profil/")
    page.get_by_test_id("development").click()
    expect(page).to_have_url(re.compile(r"/pengembangan/$"))
    expect(page.get_by_test_id("points")).to_have_text(str(before))
    page.get_by_test_id("record").click()
    page.locator("#id_kind").select_option(str(magang.pk))
    page.locator("#id_title").fill("Magang industri jaringan (uji peramban)")
    page.locator("#id_organiser").fill("PT Jaringan Kaltim")
    start = max(today - datetime.timedelta(days=13), Semester.of(today).start)
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_end_date").fill(today.isoformat())
    page.locator("#id_evidence").set_input_files(str(evidence))
    page.locator("#submit-id-submit").click()
    expect(page).to_have_url(re.compile(r"/pengembangan/guru/\d+/"))
    card = page.get_by_test_id("activity").filter(has_text="uji peramban")
    expect(card).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("points")).to_have_text(str(before))
    # Nothing overflows the phone's width.
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " window.innerWidth + 1).map(e => e.tagName + '.' + e.className + ':' + e.textContent"
        ".slice(0, 40))"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide
    activity = Activity.objects.get(title__endswith="(uji peramban)")
    assert activity.evidence and activity.points == magang.points

    # The LSP admin finds the teacher in the school view and verifies.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/pengembangan/sekolah/")
    row = page.get_by_test_id("teacher-row").filter(has_text=teacher.full_name)
    expect(row).to_have_attribute("data-below", "1")
    row.get_by_role("link", name=teacher.full_name).click()
    card = page.get_by_test_id("activity").filter(has_text="uji peramban")
    card.get_by_test_id("verify").click()
    card = page.get_by_test_id("activity").filter(has_text="uji peramban")
    expect(card).to_have_attribute("data-status", "verified")
    after = before + magang.points
    expect(page.get_by_test_id("points")).to_have_text(str(min(after, 128)))

    # And the assessor sees the total moved.
    page.context.clear_cookies()
    login(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/pengembangan/")
    expect(page.get_by_test_id("points")).to_have_text(str(min(after, 128)))


def test_admin_gives_a_teacher_an_account_who_signs_in_to_their_points(demo, live_server, page):
    """A teacher who is not an assessor: added by admin.lsp1, given an account with a password
    shown once, signs in with it and lands on their own points, with nothing else in the menu."""
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/pengembangan/guru/baru/")
    page.locator("#id_full_name").fill("Rina Kartika, S.Pd.")
    page.locator("#id_school").select_option(index=1)
    page.locator("#submit-id-submit").click()
    expect(page).to_have_url(re.compile(r"/pengembangan/guru/\d+/"))
    page.get_by_test_id("give-account").click()
    expect(page.locator("#id_username")).to_have_value("rina.kartika")
    page.locator("#submit-id-submit").click()
    expect(page.get_by_test_id("username")).to_have_text("rina.kartika")
    password = page.get_by_test_id("password").inner_text()
    teacher = Teacher.objects.get(full_name="Rina Kartika, S.Pd.")
    assert teacher.user.check_password(password)

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login(page, live_server, "rina.kartika", password)
    expect(page).to_have_url(re.compile(r"/pengembangan/$"))
    expect(page.get_by_test_id("page-title")).to_be_visible()
    expect(page.get_by_test_id("points")).to_have_text("0")
    assert page.locator("#nav-main .me-auto .nav-link").count() == 2  # home and their points
