import pytest
from django.core.management import CommandError, call_command

from lsp.models import AuditEntry, Lsp, Role, School, Tuk, User

pytestmark = pytest.mark.django_db

ACCOUNTS = {"admin.lsp1", "admin.lsp2", "admin.lsp3", "asesor1", "disdikbud", "superadmin"}


def _counts():
    return [m.objects.count() for m in (School, Lsp, Tuk, User, Role, AuditEntry)]


def test_seed_demo_builds_kaltim_and_the_demo_accounts(capsys):
    call_command("seed_demo")
    assert 18 <= School.objects.filter(regency__province__code="64").count() <= 25
    assert Lsp.objects.filter(kind="P1", province__code="64").count() == 3
    assert set(User.objects.values_list("username", flat=True)) >= ACCOUNTS
    for username in ACCOUNTS:
        assert User.objects.get(username=username).check_password("kompeten123")
    assert Role.objects.get(user__username="disdikbud").kind == "viewer"
    assert User.objects.get(username="superadmin").is_superuser
    for n, lsp in enumerate(Lsp.objects.order_by("pk"), start=1):
        admin = Role.objects.get(user__username=f"admin.lsp{n}")
        assert admin.kind == "lsp_admin"
        assert lsp.network_schools.exists() and lsp.tuks.exists()
    out = capsys.readouterr().out
    assert "admin.lsp1" in out and "kompeten123" in out


def test_seed_demo_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert _counts() == first


def test_seed_demo_reset_rebuilds(django_capture_on_commit_callbacks):
    call_command("seed_demo", verbosity=0)
    School.objects.filter(name="SMK Negeri 1 Samarinda").update(name="Renamed")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--reset", verbosity=0)
    assert School.objects.filter(name="SMK Negeri 1 Samarinda").exists()
    assert not School.objects.filter(name="Renamed").exists()


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="superadmin").exists()
