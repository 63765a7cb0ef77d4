"""Konnect Admin settings: one module, driven entirely by environment variables.

Every variable is listed with a comment and a safe default in `.env.example`. The embedded
default (SQLite, filesystem Celery broker, the Konnect sandbox) needs no variable at all;
production sets DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, SECRET_KEY and the Konnect ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")
# An empty value (as copied from .env.example) means "use the default".
_OUR_PREFIXES = (
    "DJANGO_",
    "KONNECT_",
    "DATABASE_",
    "CACHE_",
    "CELERY_",
    "SESSION_",
    "LOGIN_",
    "UPLOAD_",
    "DATA_UPLOAD_",
    "SELLER_",
    "JOB_",
    "LOG_",
    "SECURE_",
    "MEDIA_",
    "RETURNS_",
    "STATIC",
)
for _name in [k for k, v in os.environ.items() if v == "" and k.startswith(_OUR_PREFIXES)]:
    del os.environ[_name]

VAR_DIR = BASE_DIR / env.str("KONNECT_VAR_DIR", default="var")  # absolute values win over BASE_DIR
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- core ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The embedded key is only for the local SQLite mode; production refuses to start without one.
EMBEDDED_SECRET_KEY = "django-insecure-embedded-only-key-change-me-in-production-0123456789"  # noqa: S105 embedded mode only; check --deploy and production refuse it  # nosec B105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=EMBEDDED_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
PRODUCTION = env.bool("KONNECT_PRODUCTION", default=False)
if PRODUCTION and SECRET_KEY == EMBEDDED_SECRET_KEY:
    raise environ.ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when KONNECT_PRODUCTION is on"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "konnect_admin",
    "konnect_admin.sandbox",
    "catalog",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "konnect_admin.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "konnect_admin.middleware.AbsoluteSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "konnect_admin.middleware.HtmxMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "konnect_admin.urls"
WSGI_APPLICATION = "konnect_admin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "konnect_admin.context_processors.navigation",
                "konnect_admin.context_processors.konnect_status",
            ],
            "builtins": ["template_partials.templatetags.partials"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode with IMMEDIATE transactions, so the web server and the
# Celery worker can write concurrently without "database is locked" on upgrade of a read lock.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'konnect_admin.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            ),
        }
    )
    # A file (not memory) so that a real worker process and a live server see the test data;
    # one per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (shared by web and worker processes: tokens, circuit breaker, login lockout) ------
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# --- auth & sessions --------------------------------------------------------------------------
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the shared cache (Redis in production): no database round trips per request,
# and deleting a user's sessions is still immediate because auth re-checks is_active each time.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)  # idle timeout
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: every request extends the idle window
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# --- security (production turns these on through KONNECT_PRODUCTION) ------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content-Security-Policy: no inline script or style; htmx runs with eval disabled.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- request and upload limits ------------------------------------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=100_000)
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024  # multipart overhead on top of the file
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
# QC photos of returns: checked from their own bytes (orders/photos.py).
RETURNS_PHOTO_MAX_BYTES = env.int("RETURNS_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
RETURNS_PHOTOS_PER_ITEM = env.int("RETURNS_PHOTOS_PER_ITEM", default=6)
RETURNS_PHOTO_MAX_PIXELS = env.int("RETURNS_PHOTO_MAX_PIXELS", default=50_000_000)
# Return photos live here; with several web machines it must be storage they all share.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- i18n / seller locale --------------------------------------------------------------------
LANGUAGE_CODE = "en-in"
TIME_ZONE = env.str("SELLER_TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True
SELLER_CURRENCY = "INR"

# --- static -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves hashed, compressed files collected at release time.
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION  # embedded mode serves static/ without collectstatic

# --- logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "konnect_admin.logging.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "urllib3": {"level": "WARNING"},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "konnect_admin.logging.SecretsExceptionReporterFilter"

# --- Celery -----------------------------------------------------------------------------------
# The database is the ledger (Job rows); the broker is only a wake-up call. The embedded broker
# is kombu's filesystem transport: no server, but it forgets a fetched message if the worker
# dies, which is why a periodic sweeper re-enqueues due Jobs (see konnect_admin/jobs/).
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    # The filesystem transport has no fan-out exchange, which remote control and gossip need.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True  # progress lives in Job rows, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's prefork pool, except that idle children wait for work without holding the lock of
# the pipe they share: a killed idle child no longer stops the worker (see worker_pool.py).
CELERY_WORKER_POOL = "konnect_admin.worker_pool:TaskPool"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
JOB_SWEEP_SECONDS = env.float("JOB_SWEEP_SECONDS", default=10.0)
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)

# --- Catalog and orders ------------------------------------------------------------------------
CATALOG_STALE_HOURS = env.int("CATALOG_STALE_HOURS", default=24)  # cached data shown as stale
ORDERS_SYNC_WINDOW_DAYS = env.int("ORDERS_SYNC_WINDOW_DAYS", default=30)  # full sync's date window

# --- Konnect ----------------------------------------------------------------------------------
# KONNECT_SANDBOX serves the emulator under /sandbox/ of this server; the client then talks to
# it over real HTTP at KONNECT_BASE_URL (default: this server's own /sandbox/).
KONNECT_SANDBOX = env.bool("KONNECT_SANDBOX", default=True)
_SANDBOX_PORT = env.int("KONNECT_SANDBOX_PORT", default=8000)
KONNECT_BASE_URL = env.str("KONNECT_BASE_URL", default=f"http://127.0.0.1:{_SANDBOX_PORT}/sandbox/")
# The embedded defaults are the sandbox's seeded company credentials (not secrets: the
# sandbox only exists on this machine); production must set real ones.
SANDBOX_COMPANY_USERNAME = env.str("SANDBOX_COMPANY_USERNAME", default="sandbox-company")
SANDBOX_COMPANY_PASSWORD = env.str("SANDBOX_COMPANY_PASSWORD", default="sandbox-company-pass")
KONNECT_USERNAME = env.str(
    "KONNECT_USERNAME", default=SANDBOX_COMPANY_USERNAME if KONNECT_SANDBOX else ""
)
KONNECT_PASSWORD = env.str(
    "KONNECT_PASSWORD", default=SANDBOX_COMPANY_PASSWORD if KONNECT_SANDBOX else ""
)
KONNECT_COMPANY_ID = env.int("KONNECT_COMPANY_ID", default=26049)
KONNECT_LOCATION_CREDENTIALS = env.json("KONNECT_LOCATION_CREDENTIALS", default={})
KONNECT_CREDENTIALS_KEY = env.str("KONNECT_CREDENTIALS_KEY", default="")
KONNECT_CONNECT_TIMEOUT = env.float("KONNECT_CONNECT_TIMEOUT", default=5.0)
KONNECT_READ_TIMEOUT = env.float("KONNECT_READ_TIMEOUT", default=30.0)
KONNECT_MAX_RETRIES = env.int("KONNECT_MAX_RETRIES", default=4)
KONNECT_BACKOFF_BASE = env.float("KONNECT_BACKOFF_BASE", default=0.5)
KONNECT_BACKOFF_CAP = env.float("KONNECT_BACKOFF_CAP", default=30.0)
KONNECT_TOKEN_TTL = env.int("KONNECT_TOKEN_TTL", default=50 * 60)
KONNECT_BREAKER_FAILURES = env.int("KONNECT_BREAKER_FAILURES", default=5)
KONNECT_BREAKER_OPEN_SECONDS = env.int("KONNECT_BREAKER_OPEN_SECONDS", default=60)
CSRF_FAILURE_VIEW = "konnect_admin.views.errors.csrf_failure"
JOB_ITEM_RETENTION_DAYS = env.int("JOB_ITEM_RETENTION_DAYS", default=90)

# --- Sandbox (the Konnect emulator; see docs/konnect-contract.md) ---------------------------
SANDBOX_LOCATION_PASSWORD_PREFIX = env.str("SANDBOX_LOCATION_PASSWORD_PREFIX", default="sandbox-")
SANDBOX_TOKEN_TTL = env.int("SANDBOX_TOKEN_TTL", default=3600)
SANDBOX_TRACE_DELAY_SECONDS = env.float("SANDBOX_TRACE_DELAY_SECONDS", default=3.0)
SANDBOX_DP_ASSIGN_SECONDS = env.float("SANDBOX_DP_ASSIGN_SECONDS", default=2.0)
# Fynd-side events on a timer (courier assignment, delivery, returns), for a living demo.
SANDBOX_AUTO_EVENTS = env.bool("SANDBOX_AUTO_EVENTS", default=False)
SANDBOX_AUTO_EVENT_SECONDS = env.int("SANDBOX_AUTO_EVENT_SECONDS", default=60)
# Fault injection defaults (also settable at run time from /sandbox/_control/).
SANDBOX_FAULT_LATENCY_MS = env.int("SANDBOX_FAULT_LATENCY_MS", default=0)
SANDBOX_FAULT_ERROR_RATE = env.float("SANDBOX_FAULT_ERROR_RATE", default=0.0)
SANDBOX_FAULT_ERROR_STATUS = env.int("SANDBOX_FAULT_ERROR_STATUS", default=503)
SANDBOX_FAULT_TIMEOUT_RATE = env.float("SANDBOX_FAULT_TIMEOUT_RATE", default=0.0)
SANDBOX_FAULT_TIMEOUT_SECONDS = env.float("SANDBOX_FAULT_TIMEOUT_SECONDS", default=35.0)
SANDBOX_FAULT_RESET_RATE = env.float("SANDBOX_FAULT_RESET_RATE", default=0.0)
SANDBOX_FAULT_RATE_LIMIT_RATE = env.float("SANDBOX_FAULT_RATE_LIMIT_RATE", default=0.0)
SANDBOX_FAULT_RETRY_AFTER = env.int("SANDBOX_FAULT_RETRY_AFTER", default=2)
SANDBOX_FAULT_OUTAGE = env.bool("SANDBOX_FAULT_OUTAGE", default=False)
# Share of injected connection resets that happen after the write was applied (the rest
# happen before): a reset is ambiguous for the client either way.
SANDBOX_FAULT_RESET_APPLY_RATE = env.float("SANDBOX_FAULT_RESET_APPLY_RATE", default=0.5)
