"""The printable forms: each renders, says what it must, reaches only those who may read it, and
is built in a constant number of queries."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import forms_pdf
from assessments.models import (
    Criterion,
    Element,
    Enrolment,
    Evidence,
    SelfAssessment,
    SessionAssessor,
    UnitVerdict,
)
from lsp import pdf
from lsp.models import AuditEntry, Role
from tests import factories

pytestmark = pytest.mark.django_db

SESSION_KINDS = list(forms_pdf.SESSION_FORMS)
ENROLMENT_KINDS = list(forms_pdf.ENROLMENT_FORMS)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _account(assessor, username, lsp):
    assessor.user = factories.UserFactory(username=username)
    assessor.save()
    Role.objects.create(user=assessor.user, kind=Role.Kind.ASSESSOR, lsp=lsp)
    return assessor.user


def _verdicts(enrolment, units, verdicts, user):
    for unit, verdict in zip(units, verdicts, strict=False):
        UnitVerdict.objects.create(
            enrolment=enrolment,
            unit=unit,
            verdict=verdict,
            methods=["observation", "oral"],
            notes="Perlu latihan" if verdict == "BK" else "",
            recorded_by=user,
        )


@pytest.fixture
def world(lsp_a, admin_a):
    """A session of LSP A: three units, two assessors with accounts; Sri has Ani (K) and Bayu
    (BK on the second unit), Budi has Citra (not assessed yet)."""
    lsp_a.logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    lsp_a.address = "Jl. Pendidikan No. 1, Samarinda"
    lsp_a.save()
    session = factories.SessionFactory(lsp=lsp_a, code="JDW-2025-07")
    units = [factories.UnitFactory(lsp=lsp_a) for _ in range(3)]
    for order, unit in enumerate(units):
        session.scheme.schemeunit_set.create(unit=unit, order=order)
    element = Element.objects.create(unit=units[0], number=1, title="Menyiapkan kabel jaringan")
    Criterion.objects.create(element=element, number=1, text="Kabel dipilih sesuai standar")
    sri = factories.session_assessor(
        session, full_name="Sri Wahyuni", met_number="MET.000.004321 2021"
    )
    budi = factories.session_assessor(session, full_name="Budi Santoso")
    sri_user = _account(sri, "asesor.sri", lsp_a)
    budi_user = _account(budi, "asesor.budi", lsp_a)
    SessionAssessor.objects.filter(session=session, assessor=sri).update(
        report_notes="Asesmen berjalan lancar."
    )
    school = lsp_a.host_school

    def enrol(name, assessor, **candidate):
        candidate = factories.CandidateFactory(full_name=name, school=school, **candidate)
        return factories.EnrolmentFactory(session=session, candidate=candidate, assessor=assessor)

    sixteen = session.start_date.replace(year=session.start_date.year - 16)
    ani = enrol(
        "Ani Lestari", sri, nik="6472010101080001", birth_place="Bontang", birth_date=sixteen
    )
    bayu = enrol("Bayu Pratama", sri, birth_date=datetime.date(2000, 1, 1))
    citra = enrol("Citra Dewi", budi)
    _verdicts(ani, units, ["K", "K", "K"], sri_user)
    _verdicts(bayu, units, ["K", "BK", "K"], sri_user)
    SelfAssessment.objects.create(
        enrolment=ani, element=element, answer="K", evidence="Sertifikat PKL"
    )
    Evidence.objects.create(
        enrolment=ani,
        description="Rapor semester 5",
        file=SimpleUploadedFile("rapor.pdf", b"%PDF-1.4\n%test\n"),
    )
    ani.guardian_name = "Hasan Basri"
    ani.guardian_consent = True
    ani.agreed_methods = ["observation", "portfolio"]
    ani.feedback = "Pertahankan ketelitian."
    ani.save()
    return {
        "session": session,
        "units": units,
        "sri": sri,
        "budi": budi,
        "sri_user": sri_user,
        "budi_user": budi_user,
        "ani": ani,
        "bayu": bayu,
        "citra": citra,
        "admin": admin_a,
    }


def session_url(session, kind, **query):
    url = reverse("session_document", args=[session.pk, kind])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def enrolment_url(enrolment, kind):
    return reverse("enrolment_document", args=[enrolment.pk, kind])


def session_text(kind, session, enrolments=None, **kwargs) -> str:
    enrolments = enrolments if enrolments is not None else Enrolment.objects.filter(session=session)
    context = forms_pdf.session_context(kind, session, enrolments, **kwargs)
    form = forms_pdf.SESSION_FORMS[kind]
    return pdf.text_of(pdf.render_document(form.template, context))


def enrolment_text(kind, enrolment) -> str:
    enrolment = forms_pdf.enrolment_queryset().get(pk=enrolment.pk)
    context = forms_pdf.enrolment_context(kind, enrolment)
    return pdf.text_of(pdf.render_document(forms_pdf.ENROLMENT_FORMS[kind].template, context))


# --- every form renders ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", SESSION_KINDS)
def test_each_session_form_is_an_inline_pdf(client, world, kind):
    client.force_login(world["admin"])
    response = client.get(session_url(world["session"], kind))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "JDW-2025-07" in response["Content-Disposition"]


@pytest.mark.parametrize("kind", ENROLMENT_KINDS)
def test_each_enrolment_form_is_an_inline_pdf(client, world, kind):
    for user in (world["admin"], world["sri_user"]):
        client.force_login(user)
        response = client.get(enrolment_url(world["ani"], kind))
        assert response.status_code == 200, (user, kind)
        assert response.content.startswith(b"%PDF")
        assert "Ani-Lestari" in response["Content-Disposition"]


def test_an_unknown_form_is_not_found(client, world):
    client.force_login(world["admin"])
    assert client.get(session_url(world["session"], "fr-ia-01")).status_code == 404
    assert client.get(enrolment_url(world["ani"], "daftar-hadir")).status_code == 404


def test_every_print_is_audited(client, world):
    client.force_login(world["admin"])
    client.get(session_url(world["session"], "fr-ak-05"))
    client.get(enrolment_url(world["ani"], "fr-apl-01"))
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=world["admin"])
    assert {e.changes["document"] for e in entries} == {"fr-ak-05", "fr-apl-01"}
    assert entries.get(changes__document="fr-ak-05").changes["asesi"] == 3


def test_the_logo_is_loaded_through_the_fetcher(world, monkeypatch):
    served = []
    real = pdf.ProjectFetcher.fetch

    def spy(self, url, headers=None):
        response = real(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(pdf.ProjectFetcher, "fetch", spy)
    session_text("daftar-hadir", world["session"])
    assert served == [f"media:{world['session'].lsp.logo.name}"]


# --- what they say --------------------------------------------------------------------------------
def test_ak05_lists_each_assessors_asesi_with_k_bk_and_the_bk_units(world):
    text = session_text("fr-ak-05", world["session"])
    units = world["units"]
    assert "FR.AK.05" in text and "JDW-2025-07" in text
    assert world["session"].scheme.code in text and world["session"].tuk.name in text
    assert "Sri Wahyuni" in text and "MET.000.004321 2021" in text
    assert "Asesmen berjalan lancar." in text
    # Bayu is BK on the second unit only; Ani's row carries no unit code.
    after_bayu = text.split("Bayu Pratama", 1)[1]
    assert after_bayu.split("Citra Dewi")[0].count(units[1].code) == 1
    assert units[0].code not in text.split("Ani Lestari", 1)[1].split("Bayu Pratama")[0]
    assert "Budi Santoso" in text and "Citra Dewi" in text
    # One part per assessor: Sri's two asesi, then Budi's.
    assert text.index("Sri Wahyuni") < text.index("Budi Santoso")


def test_ak05_for_one_assessor_and_an_empty_session(world, lsp_a):
    session = world["session"]
    text = session_text("fr-ak-05", session, assessor_id=world["budi"].pk)
    assert "Citra Dewi" in text and "Ani Lestari" not in text and "Sri Wahyuni" not in text
    empty = factories.SessionFactory(lsp=lsp_a)
    assert "FR.AK.05" in session_text("fr-ak-05", empty)


def test_the_attendance_list_has_a_page_per_day_and_assessor(world):
    session = world["session"]
    session.end_date = session.start_date + datetime.timedelta(days=1)
    session.save()
    Enrolment.objects.filter(pk=world["citra"].pk).update(assessment_date=session.end_date)
    context = forms_pdf.session_context(
        "daftar-hadir", session, Enrolment.objects.filter(session=session)
    )
    parts = [
        (p.day, p.assessor.full_name, [r.candidate.full_name for r in p.rows])
        for p in context["parts"]
    ]
    assert parts == [
        (session.start_date, "Sri Wahyuni", ["Ani Lestari", "Bayu Pratama"]),
        (session.end_date, "Budi Santoso", ["Citra Dewi"]),
    ]
    document = pdf.render_document(forms_pdf.ATTENDANCE.template, context)
    assert len(document.pages) == 2
    text = pdf.text_of(document)
    assert session.lsp.host_school.name in text and "XII TKJ 1" in text
    assert world["ani"].candidate.nik not in text  # the list needs no personal data


def test_the_official_record_counts_k_and_bk(world):
    context = forms_pdf.session_context(
        "berita-acara", world["session"], Enrolment.objects.filter(session=world["session"])
    )
    assert (context["enrolment_count"], context["k_count"], context["bk_count"]) == (3, 1, 1)
    assert context["pending_count"] == 1
    text = session_text("berita-acara", world["session"])
    assert world["session"].tuk.name in text and "Sri Wahyuni" in text and "Budi Santoso" in text


def test_apl01_carries_the_personal_data_and_the_guardians_consent_for_a_minor(world):
    text = enrolment_text("fr-apl-01", world["ani"])
    candidate = world["ani"].candidate
    assert "FR.APL.01" in text
    for value in (candidate.full_name, candidate.nik, candidate.nisn, "Bontang", "Hasan Basri"):
        assert value in text, value
    assert "Rapor semester 5" in text
    assert all(unit.code in text for unit in world["units"])
    adult = enrolment_text("fr-apl-01", world["bayu"])
    assert "Hasan Basri" not in adult
    assert forms_pdf.enrolment_context("fr-apl-01", world["bayu"])["minor"] is False
    assert forms_pdf.enrolment_context("fr-apl-01", world["ani"])["minor"] is True


def test_apl02_ak01_ak02_ak03_say_what_was_recorded(world):
    apl02 = enrolment_text("fr-apl-02", world["ani"])
    assert "Menyiapkan kabel jaringan" in apl02 and "Kabel dipilih sesuai standar" in apl02
    assert "Sertifikat PKL" in apl02
    ak01 = enrolment_text("fr-ak-01", world["ani"])
    assert "FR.AK.01" in ak01 and world["session"].tuk.name in ak01
    context = forms_pdf.enrolment_context("fr-ak-01", world["ani"])
    chosen = {value for value, _label, ticked in context["methods"] if ticked}
    assert chosen == {"observation", "portfolio"}
    ak02 = forms_pdf.enrolment_context("fr-ak-02", world["bayu"])
    assert ak02["recommendation"] == "BK"
    assert [u.code for u in ak02["bk_units"]] == [world["units"][1].code]
    assert "Perlu latihan" in enrolment_text("fr-ak-02", world["bayu"])
    assert forms_pdf.enrolment_context("fr-ak-02", world["ani"])["recommendation"] == "K"
    assert forms_pdf.enrolment_context("fr-ak-02", world["citra"])["recommendation"] is None
    assert "Pertahankan ketelitian." in enrolment_text("fr-ak-03", world["ani"])


# --- who may print what ---------------------------------------------------------------------------
def test_another_lsps_admin_gets_nothing(client, world, admin_b):
    client.force_login(admin_b)
    for kind in SESSION_KINDS:
        assert client.get(session_url(world["session"], kind)).status_code == 404, kind
    for kind in ENROLMENT_KINDS:
        assert client.get(enrolment_url(world["ani"], kind)).status_code == 404, kind


def test_a_viewer_sees_the_session_but_gets_no_students_data(client, world, viewer_kaltim):
    client.force_login(viewer_kaltim)
    for kind in SESSION_KINDS:
        assert client.get(session_url(world["session"], kind)).status_code == 403, kind
    for kind in ENROLMENT_KINDS:
        assert client.get(enrolment_url(world["ani"], kind)).status_code == 404, kind


def test_an_assessor_prints_only_their_own_asesi(client, world):
    client.force_login(world["budi_user"])
    for kind in ENROLMENT_KINDS:
        assert client.get(enrolment_url(world["ani"], kind)).status_code == 404, kind
        assert client.get(enrolment_url(world["citra"], kind)).status_code == 200, kind
    for kind in SESSION_KINDS:
        assert client.get(session_url(world["session"], kind)).status_code == 200, kind
    # Even when asking for a colleague's part, an assessor gets only their own.
    client.get(session_url(world["session"], "fr-ak-05", asesor=world["sri"].pk))
    entry = AuditEntry.objects.filter(actor=world["budi_user"]).latest("pk")
    assert entry.changes == {"document": "fr-ak-05", "asesi": 1}


def test_an_assessor_not_assigned_to_the_session_gets_nothing(client, world, lsp_a):
    outsider = factories.AssessorFactory(lsps=[lsp_a])
    user = _account(outsider, "asesor.lain", lsp_a)
    client.force_login(user)
    for kind in SESSION_KINDS:
        assert client.get(session_url(world["session"], kind)).status_code == 404, kind
    assert client.get(enrolment_url(world["ani"], "fr-apl-01")).status_code == 404


def test_an_admin_may_ask_for_one_assessors_part_of_their_session_only(client, world, lsp_a):
    client.force_login(world["admin"])
    assert (
        client.get(session_url(world["session"], "fr-ak-05", asesor=world["budi"].pk)).status_code
        == 200
    )
    stranger = factories.AssessorFactory(lsps=[lsp_a])
    assert (
        client.get(session_url(world["session"], "fr-ak-05", asesor=stranger.pk)).status_code == 404
    )
    assert client.get(session_url(world["session"], "fr-ak-05", asesor="x")).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(session_url(world["session"], "fr-ak-05"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- queries --------------------------------------------------------------------------------------
def _grow(world, n):
    session, units, sri, user = world["session"], world["units"], world["sri"], world["sri_user"]
    for _ in range(n):
        enrolment = factories.EnrolmentFactory(
            session=session,
            assessor=sri,
            candidate=factories.CandidateFactory(school=session.lsp.host_school),
        )
        UnitVerdict.objects.bulk_create(
            UnitVerdict(enrolment=enrolment, unit=u, verdict="K", recorded_by=user) for u in units
        )


@pytest.mark.parametrize("extra", [0, 27])
def test_ak05_data_takes_the_same_queries_for_3_or_30_asesi(
    world, extra, django_assert_num_queries
):
    _grow(world, extra)
    session = forms_pdf.session_queryset().get(pk=world["session"].pk)
    enrolments = Enrolment.objects.filter(session=session)
    # units, enrolments with candidates and assessors, their verdicts, the assignments
    with django_assert_num_queries(4):
        context = forms_pdf.ak05_context(session, enrolments)
        rows = [row for part in context["parts"] for row in part.rows]
        assert len(rows) == 3 + extra
        printed = [
            (r.recommendation, r.bk_codes, r.candidate.school.name, r.enrolment.assessor.met_number)
            for r in rows
        ]
    assert printed.count(("K", [], world["ani"].candidate.school.name, "MET.000.004321 2021")) == (
        1 + extra
    )


def test_the_ak05_view_takes_the_same_queries_for_3_or_30_asesi(client, world):
    client.force_login(world["admin"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(session_url(world["session"], "fr-ak-05")).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm the session
    few = count()
    _grow(world, 27)
    assert count() == few


# --- the partials ---------------------------------------------------------------------------------
def test_the_partials_link_every_form_without_a_query(world, django_assert_num_queries):
    session, enrolment = world["session"], world["ani"]
    assignments = list(SessionAssessor.objects.filter(session=session).select_related("assessor"))
    with django_assert_num_queries(0):
        page = render_to_string(
            "assessments/_session_documents.html",
            {"session": session, "can_edit": True, "assignments": assignments},
        )
        for kind in SESSION_KINDS:
            assert session_url(session, kind) in page
        assert session_url(session, "fr-ak-05", asesor=world["budi"].pk) in page
        page = render_to_string(
            "assessments/_enrolment_documents.html",
            {"enrolment": enrolment, "session": session, "can_edit": True},
        )
        for kind in ENROLMENT_KINDS:
            assert enrolment_url(enrolment, kind) in page


def test_the_session_partial_shows_links_only_to_who_sees_students(world):
    session = world["session"]
    viewer = {"session": session, "can_edit": False, "sees_students": False}
    assert "session-documents" not in render_to_string(
        "assessments/_session_documents.html", viewer
    )
    assessor = {"session": session, "can_edit": False, "sees_students": True, "assignments": []}
    page = render_to_string("assessments/_session_documents.html", assessor)
    assert session_url(session, "fr-ak-05") in page
    assert "asesor=" not in page


def test_the_pages_show_the_links_to_whom_may_print(client, world, viewer_kaltim):
    session, ani = world["session"], world["ani"]
    client.force_login(world["admin"])
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert session_url(session, "fr-ak-05") in page
    page = client.get(reverse("enrolment_detail", args=[ani.pk])).content.decode()
    assert enrolment_url(ani, "fr-apl-01") in page
    client.force_login(world["sri_user"])
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert session_url(session, "daftar-hadir") in page
    client.force_login(viewer_kaltim)
    response = client.get(reverse("session_detail", args=[session.pk]))
    assert response.status_code == 200
    assert session_url(session, "fr-ak-05") not in response.content.decode()
