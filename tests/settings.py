"""Test settings: lsp.settings with what only a test run needs. DATABASE_URL and REDIS_URL still
decide which servers the suite talks to (CI points them at real PostgreSQL and Redis)."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-tests-only-secret-key-tests-only")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from lsp.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SEED_DEMO_ALLOWED = True
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
if REDIS_URL:  # noqa: F405
    # One Redis serves several runs: keep the test run's keys apart.
    CACHES["default"]["KEY_PREFIX"] = "kompeten-test"  # noqa: F405
# Unit tests run tasks in-process; the worker tests (later issues) start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Every test client is 127.0.0.1: the verification pages' limit is tested on its own.
VERIFY_RATE_LIMIT = "10000/m"
# Rendered dashboard figures are not kept between requests (tests/dashboards/test_cache.py turns it
# on): one test's figures must never answer another's.
DASHBOARD_CACHE_SECONDS = 0
