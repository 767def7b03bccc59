"""Creating and changing schools, TUKs, schemes and students through the API: the page's form and
rules (lsp/forms.py, assessments/forms), the page's refusals, and the same audit trail."""

import datetime

import pytest
from django.utils import timezone

from assessments.forms.candidates import CandidateForm
from assessments.models import Candidate, Scheme, SchemeUnit
from assessors.models import Assessor, default_valid_until
from lsp.models import AuditEntry, Role, School, Tuk
from tests import factories

from .helpers import assert_error, client_for

pytestmark = pytest.mark.django_db


def url(resource, pk=None):
    return f"/api/v1/{resource}/" + (f"{pk}/" if pk else "")


def field_codes(response) -> dict[str, list[str]]:
    body = assert_error(response, 400, "invalid")
    return {name: [e["code"] for e in errors] for name, errors in body["fields"].items()}


@pytest.fixture
def audited(django_capture_on_commit_callbacks):
    """Runs the audit entries written when the transaction commits."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def entries(instance, action):
    return AuditEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk), action=action
    )


# --- Schools ---------------------------------------------------------------------------------
SCHOOL = {
    "npsn": "30499001",
    "name": "SMK Negeri 9 Samarinda",
    "status": "negeri",
    "regency": "6472",
    "concentrations": ["TKJ", "RPL"],
}


def test_an_admin_creates_a_school_in_their_network_and_changes_it(lsp_a, admin_a, audited):
    api = client_for(admin_a)
    response = audited(lambda: api.post(url("schools"), SCHOOL, format="json"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["regency"]["code"] == "6472"
    assert sorted(body["concentrations"]) == ["RPL", "TKJ"]
    school = School.objects.get(pk=body["id"])
    # The page's form joins the new school to the network of the admin's one LSP.
    assert lsp_a.network_schools.filter(pk=school.pk).exists()
    created = entries(school, AuditEntry.Action.CREATE).get()
    assert created.actor == admin_a
    assert lsp_a in created.lsps.all()

    response = audited(
        lambda: api.patch(url("schools", school.pk), {"name": "SMK N 9 Smd"}, format="json")
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "SMK N 9 Smd"
    assert response.json()["concentrations"] == ["RPL", "TKJ"]  # omitted: kept
    updated = entries(school, AuditEntry.Action.UPDATE).first()  # after the concentrations'
    assert (updated.actor, updated.changes) == (admin_a, {"name": [SCHOOL["name"], "SMK N 9 Smd"]})


def test_school_rules_are_the_forms(lsp_a, api_a, lsp_b):
    factories.SchoolFactory(npsn=SCHOOL["npsn"])
    codes = field_codes(api_a.post(url("schools"), SCHOOL, format="json"))
    assert codes == {"npsn": ["unique"]}

    data = {**SCHOOL, "npsn": "30499002"}
    # Outside the LSP's province (SchoolForm.clean), an unknown regency code, another LSP.
    jakarta = factories.RegencyFactory(code="3171", province=factories.ProvinceFactory(code="31"))
    codes = field_codes(api_a.post(url("schools"), {**data, "regency": "3171"}, format="json"))
    assert codes == {"regency": ["invalid_choice"]}
    assert jakarta.pk
    codes = field_codes(api_a.post(url("schools"), {**data, "regency": "9999"}, format="json"))
    assert codes == {"regency": ["invalid_choice"]}
    codes = field_codes(api_a.post(url("schools"), {**data, "network_of": lsp_b.pk}, format="json"))
    assert codes == {"network_of": ["invalid_choice"]}
    codes = field_codes(api_a.post(url("schools"), {"name": "x"}, format="json"))
    assert set(codes) == {"npsn", "status", "regency"}
    assert {c[0] for c in codes.values()} == {"required"}
    assert not School.objects.filter(npsn="30499002").exists()

    # An existing school changes network on the LSP's page, not here.
    school = lsp_a.host_school
    response = api_a.patch(url("schools", school.pk), {"network_of": lsp_a.pk}, format="json")
    assert field_codes(response) == {"network_of": ["read_only"]}


# --- TUKs ------------------------------------------------------------------------------------
def test_an_admin_creates_and_changes_a_tuk(lsp_a, admin_a, audited):
    api = client_for(admin_a)
    data = {"name": "TUK Lab RPL", "kind": "mandiri", "regency": "6472"}
    response = audited(lambda: api.post(url("tuks"), data, format="json"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lsp"]["id"] == lsp_a.pk  # the admin's one LSP
    assert body["usable_today"] is False
    tuk = Tuk.objects.get(pk=body["id"])
    assert entries(tuk, AuditEntry.Action.CREATE).get().actor == admin_a

    today = timezone.localdate()
    verified = {"verified_on": str(today), "verified_until": str(today + datetime.timedelta(365))}
    response = audited(lambda: api.put(url("tuks", tuk.pk), {**data, **verified}, format="json"))
    assert response.status_code == 200, response.content
    assert response.json()["usable_today"] is True
    assert entries(tuk, AuditEntry.Action.UPDATE).get().changes["verified_on"] == [None, str(today)]


def test_tuk_rules_are_the_forms(lsp_a, lsp_b, api_a, admin_a):
    tuk = factories.TukFactory(lsp=lsp_a)
    # The model's constraint, checked by the form.
    response = api_a.patch(
        url("tuks", tuk.pk),
        {"verified_on": "2026-05-01", "verified_until": "2026-04-01"},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"]["non_field_errors"][0]["message"] == (
        "'Verified until' cannot be before 'verified on'."
    )
    # Only to an LSP the admin keeps.
    response = api_a.patch(url("tuks", tuk.pk), {"lsp": lsp_b.pk}, format="json")
    assert field_codes(response) == {"lsp": ["invalid_choice"]}
    # An admin of two LSPs names the LSP.
    Role.objects.create(user=admin_a, kind=Role.Kind.LSP_ADMIN, lsp=lsp_b)
    api = client_for(admin_a, "two LSPs")
    response = api.post(url("tuks"), {"name": "T", "kind": "sewaktu"})
    assert field_codes(response) == {"lsp": ["required"]}
    response = api.post(url("tuks"), {"name": "T", "kind": "sewaktu", "lsp": lsp_b.pk})
    assert response.status_code == 201, response.content
    assert response.json()["lsp"]["id"] == lsp_b.pk


def test_a_superuser_creates_for_any_lsp(lsp_b, superuser):
    response = client_for(superuser).post(
        url("tuks"), {"name": "TUK Pusat", "kind": "sewaktu", "lsp": lsp_b.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Tuk.objects.get(pk=response.json()["id"]).lsp == lsp_b


# --- Schemes with their units ------------------------------------------------------------------
@pytest.fixture
def units(lsp_a):
    return factories.UnitFactory.create_batch(3, lsp=lsp_a)


SCHEME = {"code": "SKM/BNSP/00777/1/2026/33", "title": "Junior Web Developer", "kind": "okupasi"}


def test_a_scheme_takes_its_units_in_order_by_id_or_code(lsp_a, admin_a, units, audited):
    api = client_for(admin_a)
    data = {**SCHEME, "units": [units[2].pk, units[0].code.lower(), units[1].pk]}
    response = audited(lambda: api.post(url("schemes"), data, format="json"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lsp"]["id"] == lsp_a.pk
    assert [u["id"] for u in body["units"]] == [units[2].pk, units[0].pk, units[1].pk]
    scheme = Scheme.objects.get(pk=body["id"])
    assert entries(scheme, AuditEntry.Action.CREATE).get().actor == admin_a

    response = api.patch(url("schemes", scheme.pk), {"units": [units[1].code]}, format="json")
    assert response.status_code == 200, response.content
    assert [u["code"] for u in response.json()["units"]] == [units[1].code]
    # Omitted units stay; the title changes.
    response = api.patch(url("schemes", scheme.pk), {"title": "Web Developer"}, format="json")
    assert response.status_code == 200, response.content
    assert [u["id"] for u in response.json()["units"]] == [units[1].pk]
    assert list(SchemeUnit.objects.filter(scheme=scheme).values_list("order", flat=True)) == [1]


def test_scheme_rules_are_the_forms(lsp_a, lsp_b, api_a, units):
    theirs = factories.UnitFactory(lsp=lsp_b)
    response = api_a.post(url("schemes"), {**SCHEME, "units": [theirs.pk]}, format="json")
    assert field_codes(response) == {"units": ["invalid_choice"]}
    response = api_a.post(url("schemes"), {**SCHEME, "units": ["J.999.NOPE"]}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "J.999.NOPE" in body["fields"]["units"][0]["message"]
    response = api_a.post(url("schemes"), {**SCHEME, "units": [True]}, format="json")
    body = assert_error(response, 400, "invalid")  # an item's error names the item
    assert body["fields"]["units"] == [
        {"code": "invalid", "message": "Item 1: A unit id (a whole number) or a unit code (text)."}
    ]
    response = api_a.post(url("schemes"), {**SCHEME, "kind": "kkni"}, format="json")
    assert "kkni_level" in field_codes(response)
    factories.SchemeFactory(lsp=lsp_b, code=SCHEME["code"])
    assert field_codes(api_a.post(url("schemes"), SCHEME, format="json")) == {"code": ["unique"]}
    assert not Scheme.objects.filter(lsp=lsp_a).exists()

    # A scheme stays with its LSP.
    scheme = factories.SchemeFactory(lsp=lsp_a)
    response = api_a.patch(url("schemes", scheme.pk), {"lsp": lsp_b.pk}, format="json")
    assert field_codes(response) == {"lsp": ["read_only"]}
    response = api_a.patch(url("schemes", scheme.pk), {"lsp": lsp_a.pk}, format="json")
    assert response.status_code == 200, response.content


# --- Students --------------------------------------------------------------------------------
@pytest.fixture
def student_data(lsp_a):
    lsp_a.host_school.concentrations.add(factories.concentration("TKJ"))
    return {
        "full_name": "Siti Rahmawati",
        "nisn": "0081234567",
        "nik": "6472015505080001",
        "birth_place": "Samarinda",
        "birth_date": "2008-05-15",
        "sex": "P",
        "school": lsp_a.host_school.pk,
        "concentration": "TKJ",
        "level": "XII",
        "class_name": "XII TKJ 1",
        "school_year": "2025/2026",
    }


def test_an_admin_creates_and_changes_a_student_audited(admin_a, student_data, audited):
    api = client_for(admin_a)
    response = audited(lambda: api.post(url("students"), student_data, format="json"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["nisn"], body["concentration"], body["school"]["id"]) == (
        "0081234567",  # the leading zero kept
        "TKJ",
        student_data["school"],
    )
    student = Candidate.objects.get(pk=body["id"])
    created = entries(student, AuditEntry.Action.CREATE).get()
    assert created.actor == admin_a
    assert created.changes["nik"] == [None, student_data["nik"]]

    response = audited(
        lambda: api.patch(url("students", student.pk), {"class_name": "XII TKJ 2"}, format="json")
    )
    assert response.status_code == 200, response.content
    updated = entries(student, AuditEntry.Action.UPDATE).get()
    assert (updated.actor, updated.changes) == (admin_a, {"class_name": ["XII TKJ 1", "XII TKJ 2"]})
    student.refresh_from_db()
    assert (student.class_name, student.full_name) == ("XII TKJ 2", "Siti Rahmawati")


def test_student_rules_are_the_forms(lsp_b, api_a, student_data):
    # Another LSP's student: the NISN and NIK are the student's, wherever they study.
    factories.CandidateFactory(
        nisn=student_data["nisn"], nik=student_data["nik"], school=lsp_b.host_school
    )
    codes = field_codes(api_a.post(url("students"), student_data, format="json"))
    assert codes == {"nisn": ["unique"], "nik": ["unique"]}
    data = {**student_data, "nisn": "0081234568", "nik": "6472015505080002"}
    codes = field_codes(api_a.post(url("students"), {**data, "school": lsp_b.host_school.pk}))
    assert codes == {"school": ["invalid_choice"]}
    codes = field_codes(api_a.post(url("students"), {**data, "concentration": "RPL"}))
    assert codes == {"concentration": ["invalid"]}  # not taught at the school
    body = assert_error(
        api_a.post(url("students"), {**data, "nik": "123", "school_year": "2025"}), 400, "invalid"
    )
    assert set(body["fields"]) == {"nik", "school_year"}
    assert body["fields"]["school_year"][0]["message"] == "Write the school year as 2025/2026."
    assert not Candidate.objects.filter(nisn="0081234568").exists()


def test_a_duplicate_saved_meanwhile_is_a_400(api_a, student_data, monkeypatch):
    """Two requests with the same NISN at once: the database refuses the second."""
    factories.CandidateFactory(nisn=student_data["nisn"])
    real = CandidateForm.validate_unique
    calls = []

    def first_time_blind(form):
        calls.append(1)
        if len(calls) > 1:
            real(form)

    monkeypatch.setattr(CandidateForm, "validate_unique", first_time_blind)
    codes = field_codes(api_a.post(url("students"), student_data, format="json"))
    assert codes == {"nisn": ["unique"]}
    assert len(calls) == 2


# --- Assessors --------------------------------------------------------------------------------
ASSESSOR = {
    "full_name": "Sri Wahyuni",
    "nik": "6472014101800002",
    "met_number": "MET.000.002341 2023",
    "phone": "0812-3456-7890",
}


def test_an_admin_creates_an_assessor_with_a_certificate(lsp_a, admin_a, audited):
    api = client_for(admin_a)
    issued = timezone.localdate() - datetime.timedelta(days=30)
    data = {**ASSESSOR, "certificate_number": "00042/BNSP/ASKOM/2026", "issued_on": str(issued)}
    response = audited(lambda: api.post(url("assessors"), data, format="json"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [lsp["id"] for lsp in body["lsps"]] == [lsp_a.pk]  # the admin's one LSP
    assert body["phone"] == "+6281234567890"  # the form's normalisation
    assert body["status"] == "active"
    assessor = Assessor.objects.get(pk=body["id"])
    certificate = assessor.certificates.get()
    assert certificate.valid_until == default_valid_until(issued)
    assert entries(assessor, AuditEntry.Action.CREATE).get().actor == admin_a

    # The certificate comes only with a new assessor; later ones on the page.
    response = api.patch(url("assessors", assessor.pk), {"certificate_number": "1"}, format="json")
    assert field_codes(response) == {"certificate_number": ["read_only"]}
    codes = field_codes(api.post(url("assessors"), data, format="json"))
    assert codes == {
        "nik": ["unique"],
        "met_number": ["unique"],
        "certificate_number": ["duplicate"],
    }
    data = {**ASSESSOR, "nik": "6472014101800003", "met_number": "MET.000.002342 2023"}
    codes = field_codes(api.post(url("assessors"), {**data, "certificate_number": "X/1"}))
    assert codes == {"issued_on": ["invalid"]}


def test_an_admin_changes_an_assessor_and_keeps_the_other_lsps(lsp_a, lsp_b, api_a, audited):
    assessor = factories.AssessorFactory(lsps=[lsp_a, lsp_b])
    response = audited(
        lambda: api_a.patch(url("assessors", assessor.pk), {"full_name": "Budi"}, format="json")
    )
    assert response.status_code == 200, response.content
    assert {lsp["id"] for lsp in response.json()["lsps"]} == {lsp_a.pk, lsp_b.pk}
    # As on the page, the form re-adds the LSPs it keeps (a "removed" and an "added" entry too).
    changed = entries(assessor, AuditEntry.Action.UPDATE).values_list("actor__username", "changes")
    assert ("admin.a", {"full_name": [assessor.full_name, "Budi"]}) in list(changed)
    # The admin names only their own LSPs; lsp_b's service is lsp_b's admins' to change.
    response = api_a.put(url("assessors", assessor.pk), {**ASSESSOR, "lsps": [lsp_a.pk]})
    assert response.status_code == 200, response.content
    assert set(assessor.lsps.all()) == {lsp_a, lsp_b}
    response = api_a.patch(url("assessors", assessor.pk), {"lsps": [lsp_b.pk]}, format="json")
    assert field_codes(response) == {"lsps": ["invalid_choice"]}
    response = api_a.patch(url("assessors", assessor.pk), {"lsps": []}, format="json")
    assert field_codes(response) == {"lsps": ["required"]}


def test_an_assessor_cannot_change_their_own_record(lsp_a):
    assessor = factories.AssessorFactory(lsps=[lsp_a])
    assessor.user = factories.assessor(lsp_a, username="asesor.self")
    assessor.save()
    api = client_for(assessor.user)
    assert api.get(url("assessors", assessor.pk)).status_code == 200
    response = api.patch(url("assessors", assessor.pk), {"full_name": "Me"}, format="json")
    assert_error(response, 403, "permission_denied")


# --- Who may write -----------------------------------------------------------------------------
def _objects(lsp):
    school = factories.SchoolFactory()
    lsp.network_schools.add(school)
    return {
        "schools": school,
        "tuks": factories.TukFactory(lsp=lsp),
        "schemes": factories.SchemeFactory(lsp=lsp),
        "students": factories.CandidateFactory(school=lsp.host_school),
        "assessors": factories.AssessorFactory(lsps=[lsp]),
    }


WRITABLE = ["schools", "tuks", "schemes", "assessors", "students"]


@pytest.mark.parametrize("resource", WRITABLE)
def test_only_the_lsps_admins_write(resource, lsp_a, api_b, api_viewer, api_anonymous):
    obj = _objects(lsp_a)[resource]
    before = obj.__class__.objects.count()
    assessor = client_for(factories.assessor(lsp_a, username="asesor.a"))
    change = {"name": "X", "title": "X", "full_name": "X"}
    for api in (api_viewer, assessor):
        assert_error(api.post(url(resource), {}, format="json"), 403, "permission_denied")
    # Read-only to those who see it (403); students are not even visible to them (404), nor
    # another assessor's record to an assessor.
    for api, hidden in ((api_viewer, {"students"}), (assessor, {"students", "assessors"})):
        refused = (404, "not_found") if resource in hidden else (403, "permission_denied")
        assert_error(api.patch(url(resource, obj.pk), change, format="json"), *refused)
        assert_error(api.put(url(resource, obj.pk), change, format="json"), *refused)
    # Another LSP's admin does not see it.
    assert_error(api_b.patch(url(resource, obj.pk), change, format="json"), 404, "not_found")
    assert_error(api_anonymous.post(url(resource), {}, format="json"), 401, "not_authenticated")
    assert_error(api_anonymous.patch(url(resource, obj.pk), change), 401, "not_authenticated")
    # Never deleted through the API (nor on the pages).
    assert_error(api_b.delete(url(resource, obj.pk)), 405, "method_not_allowed")
    assert obj.__class__.objects.count() == before
    fresh = obj.__class__.objects.get(pk=obj.pk)
    assert "X" not in {getattr(fresh, name, None) for name in change}


@pytest.mark.parametrize("resource", WRITABLE)
def test_the_lsps_admin_answers_invalid_data_by_field(resource, lsp_a, api_a):
    obj = _objects(lsp_a)[resource]
    response = api_a.put(url(resource, obj.pk), {"name": "", "title": "", "full_name": ""})
    codes = field_codes(response)
    assert set(codes) & {"name", "title", "full_name"}
    assert all(c == ["blank"] or c == ["required"] for c in codes.values()), codes


def test_the_browsable_api_shows_the_forms(client, admin_a, lsp_a):
    """A signed-in admin's browser: each resource's page with its forms, prefilled as the API
    takes the values."""
    client.force_login(admin_a)
    for resource, obj in _objects(lsp_a).items():
        for path in (url(resource), url(resource, obj.pk)):
            response = client.get(path, HTTP_ACCEPT="text/html")
            assert response.status_code == 200, (path, response.content[:2000])
    scheme = factories.SchemeFactory(lsp=lsp_a, concentration=factories.concentration("TKJ"))
    page = client.get(url("schemes", scheme.pk), HTTP_ACCEPT="text/html").content.decode()
    assert f"&quot;lsp&quot;: {lsp_a.pk},\n    &quot;code&quot;" in page  # to PUT back as it is
