"""Settings, read once from the environment (DESIGN.md section 4; the README has the table).

Malformed values, missing secrets with DEBUG off, and ZOOM_EMULATOR without DEBUG stop the start
with ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from herp.env import Env, parse_admins, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()

DEBUG = env.bool("DEBUG")

# The emulator is Zoom played locally; it must never be reachable on a production host. The decision
# is kept in its own flag because pytest-django turns DEBUG off after settings load, and the emulator
# must stay mounted in tests.
ZOOM_EMULATOR_ENABLED = env.bool("ZOOM_EMULATOR")
if ZOOM_EMULATOR_ENABLED and not DEBUG:
    raise ImproperlyConfigured("ZOOM_EMULATOR=1 is refused without DEBUG=1: the emulator is for development only.")


def _required(name: str, value: str | None, dev_default: str | None = None) -> str:
    if value is not None:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")


SECRET_KEY = _required("SECRET_KEY", env.secret("SECRET_KEY"), "dev-only-insecure-secret-key-do-not-use-in-production")

_hosts = env.list("ALLOWED_HOSTS")
if not _hosts and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
ALLOWED_HOSTS = _hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"]

SITE_URL = _required("SITE_URL", env.url("SITE_URL"), "http://127.0.0.1:8000")

# --- Zoom -----------------------------------------------------------------------------------------

# The demo app's credentials: `make run` passes these, and `seed_demo` registers the same ones in the
# emulator. They only ever apply with the emulator on (which requires DEBUG).
DEMO_ZOOM_CLIENT_ID = "herpDemoClientId"
DEMO_ZOOM_CLIENT_SECRET = "herpDemoClientSecret0123456789ab"
DEMO_ZOOM_WEBHOOK_SECRET_TOKEN = "herpDemoWebhookSecretToken"


def _emulator_default(value: str) -> str | None:
    return value if ZOOM_EMULATOR_ENABLED else None


ZOOM_CLIENT_ID = env.raw("ZOOM_CLIENT_ID") or _emulator_default(DEMO_ZOOM_CLIENT_ID)
ZOOM_CLIENT_SECRET = env.secret("ZOOM_CLIENT_SECRET") or _emulator_default(DEMO_ZOOM_CLIENT_SECRET)
ZOOM_WEBHOOK_SECRET_TOKENS: list[str] = env.secret_list("ZOOM_WEBHOOK_SECRET_TOKENS")
if not ZOOM_WEBHOOK_SECRET_TOKENS and ZOOM_EMULATOR_ENABLED:
    ZOOM_WEBHOOK_SECRET_TOKENS = [DEMO_ZOOM_WEBHOOK_SECRET_TOKEN]
if not DEBUG:
    for _name, _value in (
        ("ZOOM_CLIENT_ID", ZOOM_CLIENT_ID),
        ("ZOOM_CLIENT_SECRET", ZOOM_CLIENT_SECRET),
        ("ZOOM_WEBHOOK_SECRET_TOKENS", ZOOM_WEBHOOK_SECRET_TOKENS),
    ):
        if not _value:
            raise ImproperlyConfigured(f"{_name} must be set when DEBUG is off.")
if len(ZOOM_WEBHOOK_SECRET_TOKENS) > 2:
    raise ImproperlyConfigured(
        "ZOOM_WEBHOOK_SECRET_TOKENS holds at most two tokens (current, and next during rotation)."
    )

# With DEBUG on and no credentials, Zoom pages say the integration is not configured.
ZOOM_CONFIGURED = bool(ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET)

if ZOOM_EMULATOR_ENABLED:
    for _name in ("ZOOM_OAUTH_BASE_URL", "ZOOM_API_BASE_URL"):
        if env.raw(_name) is not None:
            raise ImproperlyConfigured(
                f"{_name} cannot be set with ZOOM_EMULATOR=1: the emulator derives it from SITE_URL."
            )
    ZOOM_OAUTH_BASE_URL = f"{SITE_URL}/zoom-emulator"
    ZOOM_API_BASE_URL = f"{SITE_URL}/zoom-emulator/v2"
else:
    ZOOM_OAUTH_BASE_URL = env.url("ZOOM_OAUTH_BASE_URL") or "https://zoom.us"
    ZOOM_API_BASE_URL = env.url("ZOOM_API_BASE_URL") or "https://api.zoom.us/v2"

# Every outgoing call to Zoom carries these (connect, read) timeouts in seconds.
ZOOM_HTTP_TIMEOUT = (5.0, 15.0)
# Connections kept open to each Zoom host, per process and thread (integrations/zoom_api/http.py).
ZOOM_HTTP_POOL_SIZE = 4
# A CA bundle (a path) that Zoom's certificates are checked against instead of the system's: for a proxy
# that re-signs TLS, or a stand-in served over TLS in a benchmark. Certificates are always verified.
ZOOM_CA_BUNDLE = env.raw("ZOOM_CA_BUNDLE") or None
if ZOOM_CA_BUNDLE is not None and not Path(ZOOM_CA_BUNDLE).is_file():
    raise ImproperlyConfigured("ZOOM_CA_BUNDLE must be the path of a readable CA bundle file.")

# --- Token encryption -----------------------------------------------------------------------------

# A fixed key for development only; production keys come from the environment and never from SECRET_KEY.
DEV_TOKEN_ENCRYPTION_KEY = "ZGV2LW9ubHktdG9rZW4ta2V5LW5vdC1mb3ItcHJvZCE="
TOKEN_ENCRYPTION_KEYS: list[str] = env.secret_list("TOKEN_ENCRYPTION_KEYS")
if not TOKEN_ENCRYPTION_KEYS and DEBUG:
    TOKEN_ENCRYPTION_KEYS = [DEV_TOKEN_ENCRYPTION_KEY]
if not TOKEN_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS must be set when DEBUG is off.")
for _position, _key in enumerate(TOKEN_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except (ValueError, TypeError) as _exc:
        raise ImproperlyConfigured(
            f"TOKEN_ENCRYPTION_KEYS: key {_position} is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from _exc

# --- Applications ---------------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates, for the project's own (FORM_RENDERER below)
    "csp",
    "axes",
    "herp",
    "integrations",
    "zoom",
    "scheduling",
]
if ZOOM_EMULATOR_ENABLED:
    INSTALLED_APPS.append("zoom_emulator")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "herp.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's stored language wins over the cookie.
    "herp.middleware.CookieLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # runserver serves static files in development; whitenoise serves the collected ones in production.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "herp.urls"
# Widgets render through TEMPLATES, so a widget of ours (the participant picker) lives in templates/.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "herp.wsgi.application"
AUTH_USER_MODEL = "herp.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "herp.context_processors.navigation",
                "herp.context_processors.bell",
                "integrations.context_processors.connection_banner",
            ],
        },
    },
]

# --- Databases ------------------------------------------------------------------------------------

# Persistent connections pay off where a bounded set of processes reuses them (gunicorn workers, Celery
# workers). runserver answers each request on a thread of its own, so every kept connection is one more
# held open against the database server: development keeps none unless told (RELIABILITY T33's note).
DATABASE_CONN_MAX_AGE = env.int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)

# SQLite serves `make run` and the unit tier, where a request, a management command and the emulator's
# webhook thread write at once (RELIABILITY T32). IMMEDIATE takes the write lock when a transaction
# begins, so a writer waits its turn (the busy timeout) instead of failing when a read-then-write
# transaction cannot upgrade its lock; WAL lets readers go on while one writes.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}

_database_url = env.raw("DATABASE_URL")
if _database_url is None:
    VAR_DIR.mkdir(exist_ok=True)
    _default_db: dict[str, Any] = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}
else:
    try:
        _parsed = dj_database_url.parse(_database_url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
        _default_db = dict(_parsed)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {_exc}") from _exc
    if not _default_db.get("ENGINE") or not _default_db.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database engine and a database.")
if _default_db["ENGINE"].endswith("sqlite3"):
    _default_db["OPTIONS"] = {**SQLITE_OPTIONS, **_default_db.get("OPTIONS", {})}
DATABASES = {"default": _default_db}

if ZOOM_EMULATOR_ENABLED:
    # Zoom's data is not ours: the emulator keeps its tables in a database of its own (a second
    # SQLite file, or a second database on the same PostgreSQL server).
    _emulator_db: dict[str, Any] = dict(_default_db)
    if _default_db["ENGINE"].endswith("sqlite3"):
        # Beside the product's file (var/ by default), so a scratch database gets a scratch emulator.
        _emulator_db["NAME"] = str(Path(_default_db["NAME"]).with_name("zoom_emulator.sqlite3"))
        Path(_emulator_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    else:
        _emulator_db["NAME"] = f"{_default_db['NAME']}_zoom_emulator"
    _emulator_db["TEST"] = {"NAME": None}
    DATABASES["zoom_emulator"] = _emulator_db
    DATABASE_ROUTERS = ["zoom_emulator.router.EmulatorRouter"]

# --- Celery ---------------------------------------------------------------------------------------

REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL
# Without a broker, tasks run in-process; their failures land in the rows' visible states.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Redis redelivers an unacknowledged task after this; no countdown may exceed it (RELIABILITY T22).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- E-mail and alerts ----------------------------------------------------------------------------

_email_url = env.secret("EMAIL_URL")
if _email_url is None and not DEBUG:
    raise ImproperlyConfigured("EMAIL_URL must be set when DEBUG is off (alerts and reminders are e-mailed).")
_email = parse_email_url("EMAIL_URL", _email_url or "console:")
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT: float = 10
DEFAULT_FROM_EMAIL = env.raw("DEFAULT_FROM_EMAIL") or "HERP <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = parse_admins("ADMINS", env.list("ADMINS"))
EMAIL_SUBJECT_PREFIX = "[HERP] "

# Error reports never carry query strings: Zoom's callbacks put the authorization code there.
DEFAULT_EXCEPTION_REPORTER = "herp.reporting.QuerylessExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "herp.reporting.QueryStringFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "herp": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "integrations": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "zoom": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "scheduling": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "herp_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (RELIABILITY T31) ---------------------------------------------------------------

# The proxies in front of the app (README, Production) that append to X-Forwarded-For. 0: the header
# is ignored and the peer is the client; trusting more proxies than there are lets a client choose the
# address it is counted under, trusting fewer counts every user as the proxy and locks them out together.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, maximum=10)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one e-mail address from one client address pause that pair for 15 minutes
# (docs/decisions.md). Other accounts, and the same account elsewhere, are not affected.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "herp.throttle.login_name"
AXES_CLIENT_IP_CALLABLE = "herp.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "herp.throttle.locked_out"
# Never shown in the admin or logs: the password (always masked) and the form's CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Zoom's redirect back to us is a cross-site top-level navigation: Lax keeps the session cookie on it.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Django's default (1,000 fields) would answer a bare 400 before the schedule form could say how many
# participants an interview may have (scheduling.rules: 30); past this, herp.errors says it instead.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # Health checks come from the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The TLS-terminating proxy in front of gunicorn must set (and strip from clients) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


# Chrome applies form-action to the redirect that follows a form POST, and Connect/Link POST to us
# and are redirected to Zoom's authorize page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # Zoom's start URLs may be on a vanity subdomain (us04web.zoom.us); the host's Start button posts
        # to us and is redirected there.
        "form-action": [SELF, _origin(ZOOM_OAUTH_BASE_URL), *([] if ZOOM_EMULATOR_ENABLED else ["https://*.zoom.us"])],
    },
}
