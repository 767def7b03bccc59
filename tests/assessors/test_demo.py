"""The demo assessors: a believable registry with every status on the day it is built."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.demo import SCHEMES
from assessments.demo_students import planned_students
from assessments.models import Scheme
from assessors import demo
from assessors.models import Assessor, AssessorCertificate, Status, TechnicalScope
from lsp.demo import EMAIL_DOMAIN
from lsp.models import AuditEntry, Lsp, Role, School

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_history(settings):
    """This module checks its own demo rows: the dashboards' history (dashboards/demo.py) is
    left out here and tested in tests/dashboards/test_demo.py."""
    settings.DEMO_HISTORY_YEARS = 0


SAMARINDA = "LSP P1 SMK Negeri 1 Samarinda"


@pytest.fixture(autouse=True)
def _warning_window(settings):
    settings.EXPIRY_WARNING_DAYS = 90  # the window the demo's certificate dates are chosen for


def _seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts():
    today = timezone.localdate()
    models = (Assessor, AssessorCertificate, TechnicalScope, Role, AuditEntry)
    return [m.objects.count() for m in models], Assessor.objects.with_status_counts(today)


def test_about_40_assessors_with_every_status_and_a_plausible_registry():
    _seed()
    today = timezone.localdate()
    assert 36 <= Assessor.objects.count() <= 44
    counts = Assessor.objects.with_status_counts(today)
    assert counts[Status.ACTIVE] > counts[Status.EXPIRING] > 0
    assert counts[Status.EXPIRED] > 0 and counts[Status.WITHOUT] >= 1
    for lsp in Lsp.objects.all():
        assert 12 <= Assessor.objects.serving([lsp.pk]).count() <= 16
    two_lsps = [a for a in Assessor.objects.prefetch_related("lsps") if len(a.lsps.all()) > 1]
    assert len(two_lsps) >= 2
    student_niks = {s.nik for s in planned_students()}
    assessors = Assessor.objects.prefetch_related("lsps", "certificates", "scopes__scheme")
    for assessor in assessors:
        assessor.full_clean()
        assert assessor.nik.startswith("64") and assessor.nik not in student_niks
        assert assessor.email.endswith(f"@{EMAIL_DOMAIN}") and assessor.phone.startswith("+628")
        served = [lsp.pk for lsp in assessor.lsps.all()]
        assert School.objects.of_lsps(served).filter(pk=assessor.home_school_id).exists()
        assert 1 <= len(assessor.scopes.all()) <= 3
        assert {scope.scheme.lsp_id for scope in assessor.scopes.all()} <= set(served)
        for certificate in assessor.certificates.all():
            certificate.full_clean()
    # Renewed by RCC: the initial certificate has expired, the renewal is the current one.
    renewed = Assessor.objects.filter(certificates__kind="rcc").distinct()
    assert 2 <= renewed.count() <= 3
    for assessor in renewed:
        initial, rcc = sorted(assessor.certificates.all(), key=lambda c: c.issued_on)
        assert (initial.kind, rcc.kind) == ("initial", "rcc")
        assert initial.valid_until < today <= rcc.valid_until
        assert assessor.current_certificate == rcc
    assert TechnicalScope.objects.valid_on(today).count() < TechnicalScope.objects.count()


def test_asesor1_is_an_active_samarinda_assessor_with_every_samarinda_scheme_in_scope():
    _seed()
    today = timezone.localdate()
    agus = Assessor.objects.with_status(today).get(user__username="asesor1")
    assert agus.full_name == "Agus Setiawan, S.T."
    assert agus.status == Status.ACTIVE
    assert 600 <= (agus.current_valid_until - today).days <= 800
    assert [lsp.name for lsp in agus.lsps.all()] == [SAMARINDA]
    samarinda = Scheme.objects.filter(lsp__name=SAMARINDA, code__in=[s.code for s in SCHEMES])
    assert samarinda.count() == 3
    in_scope = agus.scopes.valid_on(today).values_list("scheme", flat=True)
    assert set(in_scope) == set(samarinda.values_list("pk", flat=True))
    roles = Role.objects.filter(user=agus.user, kind=Role.Kind.ASSESSOR)
    assert [role.lsp.name for role in roles] == [SAMARINDA]
    assert Assessor.objects.may_assess(samarinda.first(), today).filter(pk=agus.pk).exists()


def test_a_second_run_creates_and_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        out = _seed()
    assert "(created 0, changed 0, deleted 0)" in out
    assert _counts() == first
    summary = demo.build_demo(today=timezone.localdate())
    assert (summary.created, summary.changed, summary.deleted) == (0, 0, 0)


def test_reset_rebuilds_the_same_assessors():
    _seed()
    first = _counts()[1], Assessor.objects.count(), TechnicalScope.objects.count()
    Assessor.objects.filter(user__username="asesor1").update(full_name="Diubah tangan")
    AssessorCertificate.objects.filter(kind="rcc").delete()
    _seed("--reset")
    assert (_counts()[1], Assessor.objects.count(), TechnicalScope.objects.count()) == first
    assert Assessor.objects.get(user__username="asesor1").full_name == "Agus Setiawan, S.T."
    assessors = Assessor.objects.count()
    from assessments.demo import delete_demo as delete_assessments_demo
    from certificates.demo import delete_demo as delete_certificates_demo

    # Certificates hold enrolments, sessions hold assessors: deleted in seed_demo --reset's order.
    delete_certificates_demo()
    delete_assessments_demo()
    assert demo.delete_demo() > assessors > 0
    assert not (Assessor.objects.exists() or AssessorCertificate.objects.exists())
    assert not TechnicalScope.objects.exists()
