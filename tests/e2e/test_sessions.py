"""One certification in the browser: the admin schedules and enrols, the assessor records verdicts
on a phone and submits, another admin takes the decision."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import AssessmentSession, Enrolment, Verdict
from assessments.services import sessions as rules
from assessors.models import Assessor
from lsp.models import FundingSource, Role, User
from tests.e2e.conftest import DESKTOP, E2E, PHONE, login

pytestmark = E2E


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_admin_schedules_a_session_and_enrols_students(demo, live_server, page):
    planned = AssessmentSession.objects.get(status=AssessmentSession.Status.PLANNED)
    asesor1 = Assessor.objects.get(user__username="asesor1")
    start = timezone.localdate() + datetime.timedelta(days=10)
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/jadwal/baru/")
    page.locator("#id_scheme").select_option(str(planned.scheme_id))
    page.locator("#id_tuk").select_option(str(planned.tuk_id))
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_end_date").fill(start.isoformat())
    banper = FundingSource.objects.get(is_banper=True)
    page.locator("#id_funding").select_option(str(banper.pk))
    page.locator("#id_code").fill("UJK-E2E-01")
    page.locator(f"input[name=assessor_choices][value='{asesor1.pk}']").check()
    page.locator("#submit-id-submit").click()
    expect(page).to_have_url(re.compile(r"/jadwal/\d+/$"))
    expect(page.get_by_test_id("page-title")).to_contain_text("UJK-E2E-01")
    session = AssessmentSession.objects.get(code="UJK-E2E-01")
    assert list(session.assessors.all()) == [asesor1]

    page.get_by_test_id("enrol").click()
    page.locator("#select-page").check()
    picked = page.locator("input[name=candidates]:checked").count()
    assert picked > 0
    page.get_by_test_id("enrol-picked").click()
    confirm = page.get_by_test_id("confirm-button")
    if confirm.count():  # asesor1 teaches at the host school: one warning for the whole batch
        page.locator("#confirm-impartiality").check()
        confirm.click()
    limit = session.lsp.max_candidates_per_assessor_day
    if picked > limit:  # one assessor, one day: those beyond the LSP's daily limit are named
        expect(page.get_by_test_id("left")).to_be_visible()
        page.goto(f"{live_server.url}/jadwal/{session.pk}/")
    expect(page).to_have_url(re.compile(rf"/jadwal/{session.pk}/$"))
    assert session.enrolments.count() == min(picked, limit)
    expect(page.get_by_test_id("enrolments").locator("tbody tr")).to_have_count(min(picked, limit))


def test_assessor_records_verdicts_on_a_phone_and_an_admin_decides(demo, live_server, page):
    session = AssessmentSession.objects.get(status=AssessmentSession.Status.ASSESSING)
    asesor1 = User.objects.get(username="asesor1")
    mine = list(
        session.enrolments.filter(assessor__user=asesor1).order_by("candidate__full_name", "pk")
    )
    first, others = mine[0], mine[1:]
    units = list(session.scheme.ordered_units())

    page.set_viewport_size(PHONE)
    login(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/asesmen/peserta/{first.pk}/")
    expect(page.get_by_test_id("page-title")).to_have_text(first.candidate.full_name)
    _no_sideways_scroll(page)
    for unit in units:
        page.get_by_test_id(f"verdict-{unit.pk}-K").click()
        expect(page.get_by_test_id(f"saved-{unit.pk}")).to_have_attribute("data-state", "saved")
    expect(page.get_by_test_id("recommendation")).to_contain_text("K")
    page.get_by_test_id("submit-verdicts").click()
    expect(page.get_by_test_id("locked")).to_be_visible()
    _no_sideways_scroll(page)
    first.refresh_from_db()
    assert first.submitted_at is not None
    assert set(first.verdicts.values_list("verdict", flat=True)) == {Verdict.K}

    # The rest of the session is assessed through the same rules, without the browser.
    other_assessor = session.enrolments.exclude(assessor__user=asesor1).first().assessor
    if other_assessor.user is None:
        other_assessor.user = User.objects.create_user("asesor.e2e", password="kompeten123")
        other_assessor.save()
    for enrolment in [*others, *session.enrolments.exclude(assessor__user=asesor1)]:
        user = enrolment.assessor.user
        for unit in units:
            rules.record_verdict(user, enrolment, unit.pk, Verdict.K)
        rules.submit_verdicts(user, enrolment)
    session.refresh_from_db()
    assert session.status == AssessmentSession.Status.AWAITING_DECISION

    # An assessor of the session may not decide, even when they are also an LSP admin.
    Role.objects.create(user=asesor1, kind=Role.Kind.LSP_ADMIN, lsp=session.lsp)
    page.goto(f"{live_server.url}/keputusan/jadwal/{session.pk}/")
    expect(page.get_by_test_id("refusal")).to_be_visible()
    expect(page.get_by_test_id("confirm-decision")).to_be_disabled()

    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    login(page, live_server, "admin.lsp1")
    page.goto(f"{live_server.url}/jadwal/{session.pk}/")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("decision-table")).to_be_visible()
    page.get_by_test_id("confirm-decision").click()
    expect(page).to_have_url(re.compile(rf"/jadwal/{session.pk}/$"))
    expect(page.get_by_test_id("count-k")).to_have_text(str(session.enrolments.count()))
    session.refresh_from_db()
    assert session.status == AssessmentSession.Status.DECIDED
    assert not Enrolment.objects.filter(session=session, decision="").exists()
