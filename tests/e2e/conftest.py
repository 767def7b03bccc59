"""Browser journeys: Playwright drives Debian's Chromium (no browser download) against the live
test server. Without Chromium they skip, unless KOMPETEN_REQUIRE_BROWSER is set (CI sets it)."""

import importlib
import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still
# plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("KOMPETEN_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium is required for the browser tests: {CHROMIUM} missing")
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


E2E = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def load_reference_data():
    """Browser tests commit their data, and the flush after each one also removes what the data
    migrations loaded (provinces, regencies, programmes): load it again, with the migration's own
    code."""
    from django.apps import apps

    for name in ("0002_reference_data", "0005_bnsp_code_lists"):
        importlib.import_module(f"lsp.migrations.{name}").load(apps, None)


@pytest.fixture
def demo(transactional_db):
    load_reference_data()
    call_command("seed_demo", verbosity=0)


def login(page, live_server, username, password="kompeten123"):
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk").click()
