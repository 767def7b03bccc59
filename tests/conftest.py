import shutil

import pytest
from django.conf import settings

from tests import factories


@pytest.fixture(autouse=True, scope="session")
def _clean_test_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_certificate_renderer():
    """Each test starts as a new process would: no certificate on-demand batch kept from
    another test's LSP images and schemes (tests/certificates/test_drawing.py tests the keeping)."""
    from certificates import pdf

    pdf.forget_on_demand_batch()


@pytest.fixture
def lsp_a(db):
    return factories.LspFactory(name="LSP P1 Alpha")


@pytest.fixture
def lsp_b(db):
    return factories.LspFactory(name="LSP P1 Beta")


@pytest.fixture
def admin_a(lsp_a):
    return factories.lsp_admin(lsp_a, username="admin.a")


@pytest.fixture
def admin_b(lsp_b):
    return factories.lsp_admin(lsp_b, username="admin.b")


@pytest.fixture
def viewer_kaltim(db):
    return factories.viewer(username="viewer.kaltim")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True, is_staff=True)
