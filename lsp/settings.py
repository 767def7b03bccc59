"""Kompeten settings: one module, driven by the environment (see .env.example and the README).

With nothing set, Kompeten runs on a SQLite file, runs Celery tasks eagerly and caches in memory,
so a fresh clone starts with `make run`.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-dev-only-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (it may be left unset only with DEBUG=true).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address, printed in e-mails and in the QR codes of certificates: it must not change.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lsp",
    "assessors",
    "development",
    "assessments",
    "certificates",
    "dashboards",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lsp.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lsp.audit.AuditActorMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lsp.urls"
WSGI_APPLICATION = "lsp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lsp.context_processors.navigation",
            ],
        },
    }
]

# --- Data -----------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections outside tests; checked before reuse so a restarted PostgreSQL heals.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Short aggregate queries (the dashboards, the assessors' status): PostgreSQL's JIT compiler
    # costs them more (about 250 ms a query) than it saves.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kompeten",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Makassar"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every periodic job of Kompeten, in one place. Times are WITA (Asia/Makassar).
CELERY_BEAT_SCHEDULE = {
    # Assessor certificates nearing expiry and the RCC outcome (issue 6): every morning.
    "check-assessors": {
        "task": "assessors.tasks.check_assessors_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    # The dashboards' summary, rebuilt whole every night (changes refresh it within seconds).
    "rebuild-dashboards": {
        "task": "dashboards.tasks.rebuild_facts",
        "schedule": crontab(hour=1, minute=0),
    },
    "clear-expired-sessions": {
        "task": "lsp.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- Users, login, throttling ---------------------------------------------------------------------
AUTH_USER_MODEL = "lsp.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins are throttled per username *and* address together: a whole school behind one IP
# is never locked out by one pupil guessing a teacher's password.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "lsp.http.client_ip"  # honours PROXY_COUNT (no django-ipware needed)
AXES_VERBOSE = False

# --- Language, time -------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["lsp.formats"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the web root and leave only through views that check access; there is no
# public MEDIA_URL route.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kompeten <noreply@kompeten.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Forms ----------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Health probes come over plain HTTP from inside the deployment.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Kompeten -------------------------------------------------------------------------------------
# Days ahead at which an LSP licence or a TUK verification counts as "expiring soon".
EXPIRY_WARNING_DAYS = env.int("EXPIRY_WARNING_DAYS", default=90)
# Recognition (RCC) of assessors: assessments needed in a certificate's 3 years, how early an
# assessor below it is "at risk", the grace after expiry before "must retrain", and the days
# before expiry at which the daily check warns (article 004; DOMAIN.md rules 2 and 3).
RCC_THRESHOLD = env.int("RCC_THRESHOLD", default=6)
RCC_AT_RISK_DAYS = env.int("RCC_AT_RISK_DAYS", default=180)
RCC_GRACE_DAYS = env.int("RCC_GRACE_DAYS", default=0)
EXPIRY_FLAG_DAYS = sorted(
    env.list("EXPIRY_FLAG_DAYS", cast=int, default=[90, 60, 30]), reverse=True
)
# Competency certificates: the number's shape (a scheme may have its own), validity, paper.
CERTIFICATE_NUMBER_FORMAT = env.str(
    "CERTIFICATE_NUMBER_FORMAT", default="{kbli} {kbji} {level} {sequence:07d} {year}"
)
CERTIFICATE_VALID_YEARS = env.int("CERTIFICATE_VALID_YEARS", default=3)
# The public verification page: requests per client address (N/s, N/m or N/h).
VERIFY_RATE_LIMIT = env.str("VERIFY_RATE_LIMIT", default="30/m")
# The ministry code column of BNSP's blank-request list (Kemendikdasmen's, for SMKs).
BNSP_MINISTRY_CODE = env.str("BNSP_MINISTRY_CODE", default="")
# Teachers' competency development: the points needed and counted per semester (article 002).
DEVELOPMENT_MIN_POINTS = env.int("DEVELOPMENT_MIN_POINTS", default=32)
DEVELOPMENT_MAX_POINTS = env.int("DEVELOPMENT_MAX_POINTS", default=128)
# Dashboards: a scheme with fewer assessors able to assess it is flagged as short of them.
DASHBOARD_MIN_ASSESSORS_PER_SCHEME = env.int("DASHBOARD_MIN_ASSESSORS_PER_SCHEME", default=2)
# The LSP admin's dashboard lists the sessions starting within this many days.
DASHBOARD_UPCOMING_DAYS = env.int("DASHBOARD_UPCOMING_DAYS", default=30)
# How long the dashboards keep rendered figures at most (dashboards/cache.py): any write through
# Kompeten makes them stale at once; this bounds what a write around it (raw SQL) leaves. 0: off.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
# seed_demo: years of decided sessions before this one, for the dashboards (0: none).
DEMO_HISTORY_YEARS = env.int("DEMO_HISTORY_YEARS", default=4)

# --- REST API (issue 9) ------------------------------------------------------------------------
# Requests per personal API token (per user for the browsable API): N/s, N/m, N/h or N/d.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/m")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.KompetenAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kompeten API",
    "DESCRIPTION": (
        "Kompeten's data for BNSP, Disdikbud and schools' own systems. Authenticate with a "
        "personal API token (`Authorization: Bearer <token>`), made on your account's API "
        "tokens page; it reads what your roles let you read on the pages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The choice sets that share a field name get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "AssessorStatusEnum": "assessors.models.Status",
        "RecognitionOutcomeEnum": "assessors.models.Outcome",
        "SessionStatusEnum": "assessments.models.AssessmentSession.Status",
        "SchoolStatusEnum": "lsp.models.School.Status",
        "SchemeKindEnum": "assessments.models.Scheme.Kind",
        "TukKindEnum": "lsp.models.Tuk.Kind",
        "VerdictEnum": "assessments.models.Verdict",
        "CertificateStateEnum": "certificates.filters.STATES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each layout step at INFO: one line per page of every PDF.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
