"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-not-secret-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = [h for h in (env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]") or "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for the project-wide FORM_RENDERER
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "xiachen.ops.worker",  # before django_tasks_db: its db_worker command replaces the stock one
    "django_tasks_db",
    "xiachen.core",
    "xiachen.audit",
    "xiachen.org",
    "xiachen.accounts",
    "xiachen.cadres",
    "xiachen.households",
    "xiachen.deployments",
    "xiachen.notices",
    "xiachen.downloads",
    "xiachen.rosters",
    "xiachen.errands",
    "xiachen.hotline",
    "xiachen.resident",
    "xiachen.passes",
    "xiachen.gate",
    "xiachen.assessments",
    "xiachen.policies",
    "xiachen.surveys",
    "xiachen.dashboards",
    "xiachen.demo",
    "xiachen.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xiachen.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xiachen.accounts.middleware.SessionTimeoutMiddleware",
    "xiachen.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "xiachen.resident.middleware.ResidentSiteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "xiachen.core.middleware.NoStoreForPersonalDataMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Forms render through templates/components/form.html and field.html (errors under their field).
FORM_RENDERER = "xiachen.core.forms.FormRenderer"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xiachen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xiachen.accounts.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'xiachen.sqlite3'}"), conn_max_age=60
    )
}
SQLITE_BUSY_SECONDS = 30
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the gate sync and the dashboards read while a writer commits. Writers queue: a
    # transaction takes the write lock when it begins (IMMEDIATE, so the busy handler applies) and
    # waits up to SQLITE_BUSY_SECONDS for it instead of failing with "database is locked" (a roster
    # being stored or a rollup refresh can hold it for seconds).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": SQLITE_BUSY_SECONDS,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (SECURITY.md): 5 failures in 15 min lock the username+IP pair for 15 min.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_VERBOSE = False
# The client address for lockouts, login-code budgets and the audit trail (xiachen/core/client_ip.py):
# X-Forwarded-For is believed only from these peers (comma-separated addresses or networks).
XIACHEN_TRUSTED_PROXIES = [p for p in (env("XIACHEN_TRUSTED_PROXIES", "") or "").split(",") if p.strip()]
AXES_CLIENT_IP_CALLABLE = "xiachen.core.client_ip.client_ip"

# Sessions: 30 min idle for staff, 12 h absolute.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff roles must present a TOTP code; the demo and tests can switch it off explicitly.
XIACHEN_REQUIRE_TOTP = env_bool("XIACHEN_REQUIRE_TOTP", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "xiachen" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "xiachen" / "static"]
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Personal-data encryption: a base64 AES-256 key for values and an HMAC key for the blind index.
# Several comma-separated keys may be given for rotation; the first one encrypts.
XIACHEN_FIELD_KEYS = env("XIACHEN_FIELD_KEYS", "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=")
XIACHEN_BLIND_INDEX_KEY = env("XIACHEN_BLIND_INDEX_KEY", "dev-only-blind-index-key")
# Audit chain (xiachen/audit/keys.py): HMAC keys outside the database, and the append-only file of
# signed checkpoints. Development defaults only; production requires both from the environment.
XIACHEN_AUDIT_KEYS = env("XIACHEN_AUDIT_KEYS", "ZGV2LW9ubHktYXVkaXQta2V5LWF0LWxlYXN0LTMyLWJ5dGVzLWxvbmc=")
XIACHEN_AUDIT_ANCHOR_FILE = env("XIACHEN_AUDIT_ANCHOR_FILE", str(BASE_DIR / "var" / "audit-anchors.jsonl"))

# Excel import limits, checked before anything is unzipped.
XIACHEN_IMPORT_MAX_BYTES = 20 * 1024 * 1024
XIACHEN_IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
XIACHEN_IMPORT_MAX_ROWS = 100_000  # rows read below the header, blank ones included
XIACHEN_IMPORT_MAX_CELLS = 2_000_000  # cell elements read (empty ones included) and shared strings
XIACHEN_PENDING_IMPORT_MAX_AGE_HOURS = 24  # unconfirmed uploads are purged after this
# Larger files are previewed and committed by the background worker, with progress (ADR 1711).
XIACHEN_IMPORT_INLINE_ROWS = int(env("XIACHEN_IMPORT_INLINE_ROWS", "2000"))
XIACHEN_IMPORT_INLINE_BYTES = 2 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Leases of long tasks (xiachen/ops/leases.py, ADR 1602): a running task renews its heartbeat every
# HEARTBEAT seconds; one silent for LEASE seconds, or queued and not started for QUEUE seconds, is
# reclaimed and its round/roster handed back to the user.
XIACHEN_TASK_HEARTBEAT_SECONDS = 10
XIACHEN_TASK_LEASE_SECONDS = 90
XIACHEN_TASK_QUEUE_SECONDS = 30 * 60

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# Bounded so a huge offset is a 422, not an integer overflow in the database.
NINJA_PAGINATION_CLASS = "xiachen.core.pagination.BoundedLimitOffsetPagination"
