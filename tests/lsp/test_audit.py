"""Every create, update and delete of institutions and accounts is in the trail, scoped per LSP."""

import pytest
from django.urls import reverse

from lsp.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_editing_a_tuk_records_who_and_what_changed(
    client, admin_a, lsp_a, django_capture_on_commit_callbacks
):
    tuk = factories.TukFactory(lsp=lsp_a, name="Lab TKJ")
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tuk_update", args=[tuk.pk]),
            {
                "lsp": lsp_a.pk,
                "name": "Lab TKJ 2",
                "kind": "mandiri",
                "verified_on": "2026-01-05",
                "verified_until": "2027-01-04",
            },
        )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="update", object_id=str(tuk.pk))
    assert entry.actor == admin_a
    assert entry.changes["name"] == ["Lab TKJ", "Lab TKJ 2"]
    assert entry.changes["verified_until"][1] == "2027-01-04"
    assert list(entry.lsps.all()) == [lsp_a]


def test_a_new_network_school_is_in_its_lsps_trail(
    client, admin_a, lsp_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("school_create"),
            {
                "npsn": "30455555",
                "name": "SMK Audit",
                "status": "negeri",
                "regency": lsp_a.host_school.regency_id,
                "network_of": lsp_a.pk,
            },
        )
    created = AuditEntry.objects.get(action="create", object_repr="SMK Audit")
    assert created.changes["npsn"] == [None, "30455555"]
    assert lsp_a in created.lsps.all()
    page = client.get(reverse("audit_list")).content.decode()
    assert "SMK Audit" in page


def test_admin_sees_only_own_lsps_trail(
    client, admin_a, lsp_a, lsp_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.TukFactory(lsp=lsp_a, name="TUK Milik A")
        factories.TukFactory(lsp=lsp_b, name="TUK Milik B")
    client.force_login(admin_a)
    page = client.get(reverse("audit_list")).content.decode()
    assert "TUK Milik A" in page
    assert "TUK Milik B" not in page


def test_deleting_is_recorded(lsp_a, django_capture_on_commit_callbacks):
    tuk = factories.TukFactory(lsp=lsp_a, name="Temporary")
    with django_capture_on_commit_callbacks(execute=True):
        tuk.delete()
    entry = AuditEntry.objects.get(action="delete")
    assert entry.object_repr == "Temporary"
    assert lsp_a in entry.lsps.all()


def test_password_changes_are_recorded_without_the_hash(
    admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_a.set_password("another-Strong-pass1")
        admin_a.save()
    entry = AuditEntry.objects.get(action="update", object_id=str(admin_a.pk))
    assert entry.changes["password"] == ["***", "***"]


def test_a_rolled_back_change_leaves_no_entry(lsp_a, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                factories.TukFactory(lsp=lsp_a, name="Never")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not AuditEntry.objects.filter(object_repr="Never").exists()


def test_saving_without_changes_writes_nothing(lsp_a, django_capture_on_commit_callbacks):
    tuk = factories.TukFactory(lsp=lsp_a)
    tuk = type(tuk).objects.get(pk=tuk.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tuk.save()
    assert not AuditEntry.objects.filter(action="update").exists()


def test_viewers_and_assessors_cannot_read_the_trail(client, viewer_kaltim, lsp_a):
    client.force_login(viewer_kaltim)
    assert client.get(reverse("audit_list")).status_code == 403
    client.force_login(factories.assessor(lsp_a))
    assert client.get(reverse("audit_list")).status_code == 403


def test_deleting_an_lsp_is_recorded(django_capture_on_commit_callbacks):
    lsp = factories.LspFactory(name="LSP Bubar")
    with django_capture_on_commit_callbacks(execute=True):
        lsp.delete()
    entry = AuditEntry.objects.get(action="delete", object_repr="LSP Bubar")
    assert entry.lsps.count() == 0
