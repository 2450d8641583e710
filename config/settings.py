"""Settings for the inspection tracker.

Everything that differs between the demo, CI and production comes from the environment
(see README "Configuration"). With nothing set, the app runs as a local demo on SQLite.
"""

import datetime
import importlib.metadata
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Templates, static files and fixtures are top-level folders of the checkout; the wheel
# carries them inside this package instead (pyproject.toml), so look here first.
_PACKAGED = Path(__file__).resolve().parent
DATA_DIR = _PACKAGED if (_PACKAGED / "templates").is_dir() else BASE_DIR
FIXTURES_DIR = DATA_DIR / "fixtures"


def read_version() -> str:
    """The one version number, pyproject.toml's: shown in the footer, in /healthz (as JSON)
    and in the container image's label (CHANGELOG.md says what each version changed)."""
    pyproject = BASE_DIR / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    try:
        return importlib.metadata.version("inspection-tracker")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


VERSION = read_version()

DEBUG = env_bool("DEBUG", False)
# Demo mode: the README's first command sets it. It shows the demo accounts on the sign-in page.
DEMO_MODE = env_bool("DEMO_MODE", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE or env_bool("TESTING", False) or env_bool("OFFLINE_COMMAND", False):
        # A known key, on purpose: only for local runs, the demo and tests (never in production).
        SECRET_KEY = "insecure-local-demo-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG or DEMO_MODE is on.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts",
    "tracker",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    # Prometheus metrics at /metrics (config/health_views.py).
    "django_prometheus",
    # The REST API (issue 15): Django REST Framework, its schema, the reference page's files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First and last: django-prometheus times and counts every request between them.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed when the browser accepts gzip (static files come compressed from
    # WhiteNoise, above, and never reach it). Django pads each compressed page with random
    # bytes and masks the CSRF token on every response, its defences against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "config.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The signed-in person's chosen language (User.language), else LANGUAGE_CODE, for the
    # whole request; outside MessageMiddleware so messages come out in it too (issue 22).
    "config.language.PersonLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is signed in, for the structured logs (config/logging.py).
    "config.logging.LogContextMiddleware",
    "config.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so its per-view counts (exports, board packs, imports) see each view.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [DATA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.service",
                "config.context_processors.csp_nonce",
            ],
        },
    },
]

# The demo's SQLite file lives in var/, beside the evidence files (scripts/serve creates it).

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        )
    }
except ValueError as exc:
    # The message names the scheme, never the URL (it holds the password).
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL dj-database-url understands ({exc}); "
        "expected postgres://USER:PASSWORD@HOST:5432/NAME"
    ) from None

# SQLite (the demo, and one round of the tests) is shared by the web process and the worker:
# a transaction takes the write lock when it begins rather than when it first writes, so two
# processes wait their turn instead of one failing with "database is locked" part-way through,
# and a writer waits up to 20 seconds for another to finish.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

# PostgreSQL's JIT compiles the list, dashboard and export queries whose estimated cost passes
# jit_above_cost, for no gain on them: measured 66 ms of compiling on a force's dashboard and
# 5.5 s on an export of 120,000 items (issue 16). Off for the app's connections; POSTGRES_JIT=1
# leaves the server's setting alone.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not env_bool("POSTGRES_JIT", False):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "tracker:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

# django-axes first: it refuses to check a password at all while the account is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords or codes for one email
# address, or from one IP address, that address is locked for AXES_COOLOFF_MINUTES.
# Attempts and lockouts are stored and shown in the admin (Axes: access attempts), where an
# administrator can clear them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "code"]

# Two-factor authentication (accounts/two_factor.py): everyone may turn it on; people with
# these roles must, before they can use anything else.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["administrator", "pcc_office"])
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "Inspection tracker")
# Password reset links last this long; one address is sent at most one every
# PASSWORD_RESET_EVERY seconds.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)
PASSWORD_RESET_EVERY = env_int("PASSWORD_RESET_EVERY", 5 * 60)

# The cache (password-reset throttling): Redis where there is one, so every process shares
# it, falling back to a table in the database while Redis cannot be reached (config/cache.py;
# the table is made by tracker's migration 0012); in memory for the demo.
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisOrDatabaseCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English and Welsh (issue 22): each person chooses (User.language, config/language.py);
# the public pages take ?lang=cy. The Welsh catalogue is locale/cy/LC_MESSAGES (the .mo is
# compiled with polib and committed, so nothing needs GNU gettext at run time).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [DATA_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
# Dates and numbers per language: config/formats/en_GB keeps exactly what English pages
# showed before translation was turned on; config/formats/cy is its Welsh counterpart.
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
STATICFILES_DIRS = [DATA_DIR / "static"]
STATIC_ROOT: Path | None = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence files live outside the static root and are never served directly: only the
# evidence download view serves them, after a permission check.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(BASE_DIR / "var" / "evidence")))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# Uploaded report documents wait here (outside the static root) until they are read, then
# are deleted; their text is kept in the database.
REPORT_IMPORT_ROOT = Path(env_str("REPORT_IMPORT_ROOT", str(BASE_DIR / "var" / "report-imports")))
# Spreadsheets uploaded for a bulk import wait here (outside the static root) between the
# preview and the import, under a random name.
BULK_IMPORT_ROOT = Path(env_str("BULK_IMPORT_ROOT", str(BASE_DIR / "var" / "imports")))
# Large exports the worker makes (tracker/export_jobs.py) wait here, outside the static root,
# for the person who asked, until they expire. The worker writes, the web reads: one folder
# (volume) for both.
EXPORT_ROOT = Path(env_str("EXPORT_ROOT", str(BASE_DIR / "var" / "exports")))
# Excel exports of more rows than this are made by the worker, and kept this many hours.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# Protective marking (issue 21, tracker/markings.py): documents made for a person about no one
# thing (a board pack) and every export carry at least this when the person's organisation
# has no default marking. Blank: no marking.
PROTECTIVE_MARKING_DEFAULT = env_str("PROTECTIVE_MARKING_DEFAULT", "OFFICIAL")
REPORT_IMPORT_MAX_BYTES = env_int("REPORT_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# An uploaded report is read in a process of its own (tracker/extraction/contained.py),
# stopped past REPORT_IMPORT_READ_MEMORY_BYTES of address space or REPORT_IMPORT_READ_SECONDS
# of time. A PDF with more than REPORT_IMPORT_MAX_PAGES pages, or whose compressed streams
# expand past REPORT_IMPORT_MAX_EXPANDED_BYTES, is refused before its text is read.
REPORT_IMPORT_READ_MEMORY_BYTES = env_int("REPORT_IMPORT_READ_MEMORY_BYTES", 1024 * 1024 * 1024)
REPORT_IMPORT_READ_SECONDS = env_int("REPORT_IMPORT_READ_SECONDS", 120)
REPORT_IMPORT_MAX_PAGES = env_int("REPORT_IMPORT_MAX_PAGES", 1000)
# A scanned PDF (pages without text) is read by OCR (Tesseract) page by page: at most
# REPORT_IMPORT_MAX_OCR_PAGES pages (a longer scan is refused before any page is read), each
# allowed REPORT_IMPORT_OCR_SECONDS_PER_PAGE more of reading time.
REPORT_IMPORT_MAX_OCR_PAGES = env_int("REPORT_IMPORT_MAX_OCR_PAGES", 60)
REPORT_IMPORT_OCR_SECONDS_PER_PAGE = env_int("REPORT_IMPORT_OCR_SECONDS_PER_PAGE", 30)
# The longest a document may take to read: the reading limit and every OCR page's allowance.
REPORT_IMPORT_LONGEST_READ_SECONDS = (
    REPORT_IMPORT_READ_SECONDS + REPORT_IMPORT_MAX_OCR_PAGES * REPORT_IMPORT_OCR_SECONDS_PER_PAGE
)
REPORT_IMPORT_MAX_EXPANDED_BYTES = env_int("REPORT_IMPORT_MAX_EXPANDED_BYTES", 200 * 1024 * 1024)
# Per-person limits on expensive requests (tracker/throttle.py), counted in the cache; over a
# limit, a 429 page says when to try again. 0 turns a limit off. PDFs (board pack, response
# documents) per minute and at once; exports and Word/HTML documents per minute and at once;
# uploads (evidence, spreadsheets, report documents) per 10 minutes; checking or confirming a
# spreadsheet import per 10 minutes.
RATE_LIMIT_PDF = env_int("RATE_LIMIT_PDF", 4)
RATE_LIMIT_PDF_AT_ONCE = env_int("RATE_LIMIT_PDF_AT_ONCE", 2)
RATE_LIMIT_EXPORT = env_int("RATE_LIMIT_EXPORT", 20)
RATE_LIMIT_EXPORT_AT_ONCE = env_int("RATE_LIMIT_EXPORT_AT_ONCE", 2)
RATE_LIMIT_UPLOAD = env_int("RATE_LIMIT_UPLOAD", 20)
RATE_LIMIT_IMPORT = env_int("RATE_LIMIT_IMPORT", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a mail server that stops answering is given up on (well inside a claim).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# The address used in links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The sender of every email (set it in production), and the domain on the right of every
# Message-ID (EMAIL_MESSAGE_ID_DOMAIN; blank: the sender's domain, worked out when a message
# is built, tracker/reminders/mail.py). Never localhost, which mail systems distrust: with no
# DEFAULT_FROM_EMAIL the sender is tracker@ the host of SITE_URL when that is a domain name,
# else an address of the reserved .example domain (the demo, the tests, local runs).
DEMO_MAIL_DOMAIN = "tracker.inspection-demo.example"
_SITE_HOST = (urlsplit(SITE_URL).hostname or "").lower()
_MAIL_DOMAIN = re.compile(r"(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+")
DEFAULT_FROM_EMAIL = (
    env_str("DEFAULT_FROM_EMAIL")  # blank, as unset
    or f"tracker@{_SITE_HOST if _MAIL_DOMAIN.fullmatch(_SITE_HOST) else DEMO_MAIL_DOMAIN}"
)
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN").lower()
if EMAIL_MESSAGE_ID_DOMAIN and not _MAIL_DOMAIN.fullmatch(EMAIL_MESSAGE_ID_DOMAIN):
    raise ImproperlyConfigured(
        f"EMAIL_MESSAGE_ID_DOMAIN must be a domain name like tracker.example.org, not "
        f"{EMAIL_MESSAGE_ID_DOMAIN[:60]!r}."
    )
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "sent-emails"))

# Reminders (tracker/reminders/). A claim lapses after REMINDER_CLAIM_SECONDS, so a worker
# killed mid-send does not strand a reminder; a reminder sent more than REMINDER_LATE_AFTER
# seconds after it was due is marked late; the health page flags a sweep older than
# REMINDER_STALE_AFTER seconds.
REMINDER_CLAIM_SECONDS = env_int("REMINDER_CLAIM_SECONDS", 300)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 6)
REMINDER_LATE_AFTER = env_int("REMINDER_LATE_AFTER", 3600)
REMINDER_STALE_AFTER = env_int("REMINDER_STALE_AFTER", 3600)
REMINDER_SWEEP_SECONDS = env_int("REMINDER_SWEEP_SECONDS", 300)

# Celery: Redis in production (REDIS_URL). Without it, as in the demo, the broker is kombu's
# filesystem transport in var/broker, which needs no server.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folder is created by scripts/serve (settings create nothing on import).
    _broker = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker),
        "data_folder_out": str(_broker),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "tracker")
# Uploaded documents are read on a queue of their own, so a sweep never waits behind an
# import: run a worker for each queue (`-Q tracker` with beat, `-Q documents`).
CELERY_DOCUMENTS_QUEUE = env_str("CELERY_DOCUMENTS_QUEUE", "documents")
# Reading documents and making large exports go to their own queue, so that neither ever
# delays a reminder sweep.
CELERY_TASK_ROUTES = {
    "tracker.tasks.read_report_import": {"queue": CELERY_DOCUMENTS_QUEUE},
    "tracker.tasks.make_export": {"queue": CELERY_DOCUMENTS_QUEUE},
}
# A task past its soft limit is interrupted (SoftTimeLimitExceeded), past its hard limit its
# worker process is replaced. Reading a document has its own, from its reading limit.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
CELERY_TASK_ANNOTATIONS = {
    "tracker.tasks.read_report_import": {
        "soft_time_limit": REPORT_IMPORT_LONGEST_READ_SECONDS + 60,
        "time_limit": REPORT_IMPORT_LONGEST_READ_SECONDS + 90,
    }
}
# A worker process using more than this (kilobytes, resident) is replaced once its task ends.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512 * 1024)
# Each worker process takes one task at a time, so an import never holds reminders behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    # A sweep still waiting when the next is due is dropped (each sweep sends everything due),
    # so a worker that falls behind never works through a backlog of stale sweeps.
    "sweep-reminders": {
        "task": "tracker.tasks.sweep_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    "send-digests": {"task": "tracker.tasks.send_digests", "schedule": crontab(minute=5)},
    # Background work the broker could not take when it was asked for (tracker/outbox.py).
    "send-outbox": {
        "task": "tracker.tasks.send_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    # Export files past their day, and exports whose worker was lost (tracker/export_jobs.py).
    "clean-exports": {"task": "tracker.tasks.clean_exports", "schedule": 15 * 60},
    # Transfers of functions whose day has come (tracker/function_transfers.py; issue 22).
    "carry-out-function-transfers": {
        "task": "tracker.tasks.carry_out_function_transfers",
        "schedule": crontab(hour=0, minute=15),
    },
}

# Sessions: signed out after SESSION_IDLE_SECONDS without activity (config/middleware.py),
# and after SESSION_COOKIE_AGE at most, whatever the activity.
SESSION_COOKIE_HTTPONLY = True
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS. Off in the demo and tests (plain http on localhost); on by default everywhere else,
# so production passes `manage.py check --deploy`. Behind a proxy that ends TLS, set
# SECURE_PROXY_SSL_HEADER=1 so Django trusts its X-Forwarded-Proto header.
_HTTPS = not (DEBUG or DEMO_MODE or env_bool("TESTING", False))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The largest request body accepted at all (uploads included); larger ones get a 413 page
# before any of the body is read. Per-form limits (evidence, imports) are lower.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 60 * 1024 * 1024)

# Logs go to standard error: the message alone (the demo), or with LOG_FORMAT=json one JSON
# object a line with the time, level, logger, request id (the audit trail's), method, path,
# the signed-in person's id and any exception (config/logging.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "config.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Health and metrics (config/health_views.py, tracker/health.py, tracker/metrics.py).
# /readyz waits at most READYZ_TIMEOUT_MS for its checks; it answers 503 when one of
# READYZ_CRITICAL_CHECKS fails (database, broker, cache, storage; the sweep's age is only
# ever a warning, past REMINDER_STALE_AFTER). /metrics answers only requests from
# METRICS_ALLOWED_IPS (addresses or networks) or bearing METRICS_TOKEN.
READYZ_TIMEOUT_MS = env_int("READYZ_TIMEOUT_MS", 1500)
READYZ_CRITICAL_CHECKS = env_list("READYZ_CRITICAL_CHECKS", ["database", "broker", "storage"])
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Celery queues whose length /metrics reports, besides those the settings name.
METRICS_QUEUES = env_list("METRICS_QUEUES", [])
# Balancers and scrapers ask over plain HTTP inside the network: no redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Errors to Sentry when SENTRY_DSN is set (web and Celery; no personal data sent).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE") or None,
    )

# The one password every demo account shares (README). Only used when the demo is seeded.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "inspection-demo-2026")


# Fitting a force's estate (issue 15). Each part keeps its settings in its own section.

# --- Sign-in with an identity provider ---
# An organisation's own OpenID Connect provider (accounts/identity_providers.py,
# docs/single-sign-on.md). Client secrets stored in the database are encrypted with a key made
# from OIDC_SECRET_KEY (or SECRET_KEY when it is not set: changing it then makes stored
# secrets unreadable, and each provider's secret must be entered again).
OIDC_SECRET_KEY = env_str("OIDC_SECRET_KEY")
# How long to wait for the provider (discovery, keys, token exchange), in seconds.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# How long the discovery document and the provider's keys are kept (an unknown key id
# fetches the keys again at once: key rotation).
OIDC_CACHE_SECONDS = env_int("OIDC_CACHE_SECONDS", 60 * 60)
# Clock difference allowed when checking an ID token's times, in seconds.
OIDC_LEEWAY_SECONDS = env_int("OIDC_LEEWAY_SECONDS", 60)
# amr values (RFC 8176) that mean the provider asked for a second factor; an acr value listed
# on the provider counts too. Otherwise the tracker's own code step still applies.
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", ["mfa", "otp", "hwk", "sc", "fido"])
# The signing algorithms accepted for ID tokens (Entra ID signs with RS256).
OIDC_SIGNING_ALGORITHMS = env_list("OIDC_SIGNING_ALGORITHMS", ["RS256"])
# Plain http to a provider only for loopback (tests, the demo); https everywhere else.
OIDC_ALLOW_HTTP_LOOPBACK = env_bool("OIDC_ALLOW_HTTP_LOOPBACK", not _HTTPS)

# --- SCIM provisioning ---
# docs/scim.md. The realm named in a 401's WWW-Authenticate header; the most resources one
# page of a list returns (a larger `count` is cut to it, as RFC 7644 section 3.4.2.4 allows).
SCIM_REALM = env_str("SCIM_REALM", "inspection-tracker")
SCIM_MAX_RESULTS = env_int("SCIM_MAX_RESULTS", 200)

# --- The REST API ---
# docs/api.md. Tokens and sessions authenticate; every error is an RFC 9457 problem; lists
# are cursor-paginated; each token (or signed-in person) has its own request limit.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")  # per token; "" or "0" turns it off
if API_RATE_LIMIT not in ("", "0") and not re.fullmatch(
    r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_RATE_LIMIT
):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must be a number of requests per second, minute, hour or day, "
        f"such as 600/min, or 0 for no limit; not {API_RATE_LIMIT!r}."
    )
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.TokenAuthentication",
        "tracker.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tracker.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.Cursor",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inspection tracker API",
    "DESCRIPTION": (
        "Reports, findings, items and their history, deadlines and statutory responses, "
        "scoped to what the token's person may see; the daily changes to items. "
        "See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"ItemStatus": "tracker.models.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.add_problems",
    ],
}


# --- Webhooks and calendar feeds ---
# Webhook deliveries (tracker/webhook_delivery.py, docs/webhooks.md). Only https addresses whose
# every resolved IP is public, unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES (tests and the demo only)
# lets loopback through (plain http to loopback too). Private ranges are refused either way.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool(
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEMO_MODE or env_bool("TESTING", False)
)
WEBHOOK_CONNECT_TIMEOUT = env_int("WEBHOOK_CONNECT_TIMEOUT", 5)  # seconds
WEBHOOK_READ_TIMEOUT = env_int("WEBHOOK_READ_TIMEOUT", 10)  # seconds, for the whole answer
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)  # per delivery, then it fails
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)  # doubled each attempt
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 10)  # in a row
WEBHOOK_CLAIM_SECONDS = env_int("WEBHOOK_CLAIM_SECONDS", 60)  # a lost sender's claim runs out
# A send takes at most connect + read timeouts in all; a claim that ran out sooner would let
# the sweep send the same delivery again while the first sender is still waiting.
if WEBHOOK_CLAIM_SECONDS <= WEBHOOK_CONNECT_TIMEOUT + WEBHOOK_READ_TIMEOUT:
    raise ImproperlyConfigured(
        "WEBHOOK_CLAIM_SECONDS must be longer than WEBHOOK_CONNECT_TIMEOUT + "
        f"WEBHOOK_READ_TIMEOUT ({WEBHOOK_CLAIM_SECONDS} <= {WEBHOOK_CONNECT_TIMEOUT} + "
        f"{WEBHOOK_READ_TIMEOUT})."
    )
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 30)
CELERY_BEAT_SCHEDULE["send-webhooks"] = {
    "task": "tracker.tasks.send_webhooks",
    "schedule": WEBHOOK_SWEEP_SECONDS,
    "options": {"expires": WEBHOOK_SWEEP_SECONDS},
}
