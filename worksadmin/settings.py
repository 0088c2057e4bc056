"""Settings for worksadmin.

Every knob is an environment variable (or a line in `.env`) with a safe development
default; production hardening switches on when DEBUG is off. README.md lists them all.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# `.env` is read only when asked: manage.py asks (so `make run` and every command a developer
# types see it); pytest and gunicorn do not, so tests never inherit a developer's settings.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# The development key is only accepted while DEBUG is on; production must set its own.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where the e-mails' footer sends questions: the LINE WORKS Help Center.
HELP_CENTER_URL = env("HELP_CENTER_URL", default="https://help.worksmobile.com/")

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",
    "core",
    "accounts",
    "outbox",
    "webhooks",
    "partners",
    "sandbox",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.CacheOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TenantLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "worksadmin.urls"
WSGI_APPLICATION = "worksadmin.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.csp",
    "sandbox.context_processors.sandbox",
]
TEMPLATES = [
    {
        # The project's templates (templates/): Jinja2, for its render cost (README, Choices).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "worksadmin.jinja2.environment",
            "context_processors": [*CONTEXT_PROCESSORS, "core.context_processors.csrf_input"],
        },
    },
    {
        # For Django's admin (/ops/) and Django Ninja's docs page (/api/v1/docs), whose
        # templates are DTL, and for our templates/admin/base_site.html that extends the
        # admin's.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]
# Form widgets: Django's default renderer (a DTL engine of its own), with the simple
# widgets' templates built in Python, byte for byte the same (core/renderers.py).
FORM_RENDERER = "core.renderers.FormRenderer"

# DATABASE
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A health check is a `SELECT 1` before each request's first query: one more round trip on
# every page (docs/PERFORMANCE.md). Without it, after a database restart each worker
# thread's first request fails once and the next one reconnects.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every transaction take the write lock up front, so two writers
    # queue instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, not spliced into the SQL text by psycopg: a query
    # run five times on a connection becomes a prepared statement, planned once
    # (docs/PERFORMANCE.md). Off for a pooler that cannot keep them (PgBouncer < 1.21).
    _database_options = DATABASES["default"].setdefault("OPTIONS", {})
    _database_options.update(server_side_binding=True, prepare_threshold=5)
    # A prepared statement's plan is made once, not again at every execution: left to
    # choose, PostgreSQL re-plans a statement on each run whenever the statistics make it
    # doubt the generic plan (the partner list: 0.8 ms of planning a request), and the plan
    # that runs is the one tests/perf/test_generic_plans.py checks: the long lists' generic
    # plans walk their indexes. Alternated with `auto` under load it measured no
    # difference (docs/PERFORMANCE.md, sixth pass, change 27). `auto` gives the choice back.
    _plan_cache_mode = env.str("DATABASE_PLAN_CACHE_MODE", default="force_generic_plan")
    if _plan_cache_mode not in ("force_generic_plan", "force_custom_plan", "auto"):
        raise ImproperlyConfigured(
            "DATABASE_PLAN_CACHE_MODE must be force_generic_plan, force_custom_plan or auto"
        )
    _database_options["options"] = " ".join(
        filter(None, [_database_options.get("options"), f"-c plan_cache_mode={_plan_cache_mode}"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE (rate limits live here)
# ------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://worksadmin")}
# A cache that does not answer must cost a request a fraction of a second (then 503), not
# redis-py's default of 5 s per call; CACHE_URL's own ?socket_timeout=… wins.
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=0.5)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault("socket_connect_timeout", CACHE_TIMEOUT_SECONDS)
    _cache_options.setdefault("socket_timeout", CACHE_TIMEOUT_SECONDS)

# AUTH
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.TenantModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Log-in limits (accounts/throttle.py): failures allowed per account and per client address
# (counted once per account) in the window; then attempts are refused until it closes.
LOGIN_RATE_LIMIT = env.int("LOGIN_RATE_LIMIT", default=10)
LOGIN_RATE_WINDOW_SECONDS = env.int("LOGIN_RATE_WINDOW_SECONDS", default=15 * 60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sessions hold only who is logged in, so they live in a signed cookie: no cache or
# database round trip on any request (docs/PERFORMANCE.md). The trade-off: logging out
# drops the browser's cookie but cannot revoke a copy of it before SESSION_COOKIE_AGE;
# a password change does. For server-side revocation set
# SESSION_ENGINE=django.contrib.sessions.backends.cached_db with a cache shared by every
# worker (CACHE_URL=redis://...; a per-process locmem cache would let one worker keep a
# session that another logged out).
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.signed_cookies")

# I18N
# ------------------------------------------------------------------------------
# Every language LINE WORKS offers its admin console in; each named in its own script.
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("ko", "한국어"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["worksadmin.formats"]
# set_language's cookie: the choice made on the log-in page, kept for a year (a signed-in
# partner staff member's or operator's choice is kept on their user as well).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# STATIC
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # 監査 CSV exports, written by the tasks worker and read by the web processes: in
    # production a directory both see (or any Django storage backend). Never served as
    # static or media files: only the download view hands a file out.
    "audit_exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("AUDIT_EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-MAIL (Django 6.1 MAILERS, built from EMAIL_URL)
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="LINE WORKS <no_reply@worksmobile.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


_MAILER_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}


# What EMAIL_URL's query may set: smtp://user:pass@host:587/?tls=True&timeout=10.
_MAILER_QUERY_OPTIONS = {"tls": "use_tls", "ssl": "use_ssl", "timeout": "timeout"}
# An SMTP server that accepts the connection and then says nothing must cost one attempt
# (then a retry), not a worker blocked forever on the outbox row it holds locked.
MAIL_TIMEOUT_SECONDS = env.int("MAIL_TIMEOUT_SECONDS", default=30)


def _mailer_from_url(url: str) -> dict:
    config = environ.Env.email_url_config(url)
    options = {
        option: config[key]
        for key, option in _MAILER_OPTIONS.items()
        if config.get(key) not in (None, "", False)
    }
    for key, value in config.get("OPTIONS", {}).items():
        option = _MAILER_QUERY_OPTIONS.get(key.lower())
        if option is None:  # a typo must not silently turn TLS off
            raise ImproperlyConfigured(f"EMAIL_URL: unknown option {key.lower()!r}")
        is_on = str(value).lower() in ("1", "true", "yes", "on")
        options[option] = value if option == "timeout" else is_on
    if config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        options.setdefault("timeout", MAIL_TIMEOUT_SECONDS)
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": _mailer_from_url(env("EMAIL_URL", default="consolemail://"))}
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=6)
MAIL_RETRY_BASE_SECONDS = env.int("MAIL_RETRY_BASE_SECONDS", default=30)

# TASKS
# ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")
    },
    # Work that must wait (webhook retries) when the default backend cannot defer: with the
    # immediate backend of development it waits here for `make worker`.
    "deferred": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# THE PARTNER-CONTRACT FLOW
# ------------------------------------------------------------------------------
# Yen per seat per month, before consumption tax.
PLAN_UNIT_PRICES = {
    "FREE": 0,
    "STANDARD": env.int("PRICE_STANDARD", default=540),
    "ADVANCED": env.int("PRICE_ADVANCED", default=1150),
}
CONSUMPTION_TAX_PERCENT = env.int("CONSUMPTION_TAX_PERCENT", default=10)
APPROVAL_WINDOW_DAYS = env.int("APPROVAL_WINDOW_DAYS", default=30)
VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=10)
VERIFY_RATE_WINDOW_SECONDS = env.int("VERIFY_RATE_WINDOW_SECONDS", default=15 * 60)
# Service-account sign-in (/oauth2/v2.0/token): lifetimes of what the token endpoint issues.
OAUTH_ACCESS_TOKEN_SECONDS = env.int("OAUTH_ACCESS_TOKEN_SECONDS", default=24 * 60 * 60)
OAUTH_REFRESH_TOKEN_DAYS = env.int("OAUTH_REFRESH_TOKEN_DAYS", default=90)
# 監査 CSV exports (accounts/exports.py): rows per file (the newest), exports waiting or
# running at once per works group, hours a finished file can be downloaded.
AUDIT_EXPORT_MAX_ROWS = env.int("AUDIT_EXPORT_MAX_ROWS", default=100_000)
AUDIT_EXPORT_CONCURRENCY = env.int("AUDIT_EXPORT_CONCURRENCY", default=1)
AUDIT_EXPORT_RETENTION_HOURS = env.int("AUDIT_EXPORT_RETENTION_HOURS", default=24)
# Live (not revoked) API tokens each partner staff member may hold.
API_TOKENS_PER_STAFF = env.int("API_TOKENS_PER_STAFF", default=10)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

# THE SANDBOX (reset, sandbox customers, moving a sandbox code's clock)
# ------------------------------------------------------------------------------
# Off unless asked for: production never offers it; `make run`'s .env turns it on.
SANDBOX = env.bool("SANDBOX", default=False)
# Live sandbox customers one partner may have at a time.
SANDBOX_CUSTOMER_LIMIT = env.int("SANDBOX_CUSTOMER_LIMIT", default=100)

# WEBHOOKS
# ------------------------------------------------------------------------------
# Development only: http:// URLs and loopback or private addresses (.env.example sets it).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Connecting, and each read, may take this long; a whole attempt is cut off at three times it.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
# Deliveries one run of the tasks worker attempts together, their requests side by side.
WEBHOOK_BATCH_SIZE = env.int("WEBHOOK_BATCH_SIZE", default=20)
if WEBHOOK_BATCH_SIZE < 1:
    raise ImproperlyConfigured("WEBHOOK_BATCH_SIZE must be 1 or more.")
# Failed deliveries in a row after which an endpoint is switched off (its partner is e-mailed).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
WEBHOOK_MAX_ENDPOINTS = env.int("WEBHOOK_MAX_ENDPOINTS", default=10)
# After a rotation the old secret keeps signing (beside the new one) for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# Fernet keys that encrypt endpoint secrets at rest; the first encrypts, all decrypt. Empty:
# a key derived from SECRET_KEY (set your own so that SECRET_KEY can change on its own).
WEBHOOK_SECRET_KEYS = env.list("WEBHOOK_SECRET_KEYS", default=[])
# A PEM bundle of the CAs receivers' certificates are checked against (default: the system's).
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE", default=None)

# SECURITY
# ------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# LOGGING
# ------------------------------------------------------------------------------
# Secret query parameters (`?partnerCode=` of the partner API) are masked in every request
# log: runserver's (django.server), Django's (django.request) and whatever reaches the
# console; gunicorn's logs mask them too (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"secret_query": {"()": "core.redaction.SecretQueryFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["secret_query"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["secret_query"],
        },
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["secret_query"],
        },
        "django.request": {"filters": ["secret_query"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
