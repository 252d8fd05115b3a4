"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import overload

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
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
    "xiachen.identity",
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
    "xiachen.field",
    "xiachen.assessments",
    "xiachen.policies",
    "xiachen.surveys",
    "xiachen.dashboards",
    "xiachen.volunteers",
    "xiachen.maps",
    "xiachen.demo",
    "xiachen.ops",
    "xiachen.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xiachen.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xiachen.ops.replica.ReplicaReadsMiddleware",
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

# Dashboards and reports may read a streaming replica (xiachen/ops/replica.py, docs/deploy.md §15);
# without DATABASE_REPLICA_URL every query goes to the one database.
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(env("DATABASE_REPLICA_URL"), conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["xiachen.ops.replica.ReplicaRouter"]
XIACHEN_REPLICA_VIEWS = [
    "dashboards", "hotline:rates", "hotline:rates_export", "assessments:round_report",
    "assessments:agency_report", "assessments:unit_report", "assessments:agency_export",
]
XIACHEN_READ_YOUR_WRITES_SECONDS = int(env("XIACHEN_READ_YOUR_WRITES_SECONDS", "30"))  # after a user's write
XIACHEN_REPLICA_CHECK_SECONDS = int(env("XIACHEN_REPLICA_CHECK_SECONDS", "10"))  # health re-checked this often

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked username+IP reaches no other backend
    "xiachen.identity.ldap_backend.LdapBackend",  # inactive unless XIACHEN_LDAP_URL is set
    "django.contrib.auth.backends.ModelBackend",
    "xiachen.identity.oidc.OidcBackend",  # inactive unless OIDC_RP_CLIENT_ID is set
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

# Lockout (docs/security.md): 5 failures in 15 min lock the username+IP pair for 15 min.
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

# Single sign-on with OpenID Connect (xiachen/identity/oidc.py, ADR 1811, docs/deploy.md). Off
# unless a client id is set. mozilla-django-oidc reads the OIDC_* names; the XIACHEN_OIDC_* ones are ours.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET") or ""
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT") or ""
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT") or ""
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT") or ""
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT") or ""
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO") or "RS256"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES") or "openid profile email"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "identity:oidc_callback"
XIACHEN_OIDC_ISSUER = env("XIACHEN_OIDC_ISSUER") or ""  # the ID token's `iss` must equal it
XIACHEN_OIDC_USERNAME_CLAIM = env("XIACHEN_OIDC_USERNAME_CLAIM") or "preferred_username"
XIACHEN_OIDC_NAME_CLAIM = env("XIACHEN_OIDC_NAME_CLAIM") or "name"
# Unknown people: "refuse", or "create" an account without roles for an administrator to complete.
XIACHEN_OIDC_UNKNOWN_USERS = env("XIACHEN_OIDC_UNKNOWN_USERS") or "refuse"
# Link a first SSO sign-in to an existing local account of the same username (migrating to SSO).
XIACHEN_OIDC_LINK_EXISTING = env_bool("XIACHEN_OIDC_LINK_EXISTING")
# Second factor: "totp" (ours, always) or "idp" (the provider's, when its ID token proves it).
XIACHEN_OIDC_SECOND_FACTOR = env("XIACHEN_OIDC_SECOND_FACTOR") or "totp"
XIACHEN_OIDC_MFA_ACR_VALUES = [v for v in (env("XIACHEN_OIDC_MFA_ACR_VALUES") or "").split(",") if v]
XIACHEN_OIDC_MFA_AMR_VALUES = [v for v in (env("XIACHEN_OIDC_MFA_AMR_VALUES") or "mfa,otp,hwk").split(",") if v]
XIACHEN_OIDC_MAX_AUTH_AGE = timedelta(minutes=int(env("XIACHEN_OIDC_MAX_AUTH_AGE_MINUTES") or 10))
# Roles from claims: the claim naming the unit (its code) and the claim listing the person's groups,
# with a JSON map group → role. Privileged roles are never taken from a claim (ADR 1401).
XIACHEN_OIDC_UNIT_CLAIM = env("XIACHEN_OIDC_UNIT_CLAIM") or ""
XIACHEN_OIDC_GROUPS_CLAIM = env("XIACHEN_OIDC_GROUPS_CLAIM") or ""
XIACHEN_OIDC_ROLE_MAP = json.loads(env("XIACHEN_OIDC_ROLE_MAP") or "{}")

# LDAP / Active Directory sign-in and sync (xiachen/identity/ldap_*.py, ADR 1812). Off unless a URL is set.
XIACHEN_LDAP_URL = env("XIACHEN_LDAP_URL") or ""  # ldaps://…, or ldap://… with XIACHEN_LDAP_START_TLS
XIACHEN_LDAP_START_TLS = env_bool("XIACHEN_LDAP_START_TLS")
XIACHEN_LDAP_CA_FILE = env("XIACHEN_LDAP_CA_FILE") or ""
XIACHEN_LDAP_BIND_DN = env("XIACHEN_LDAP_BIND_DN") or ""
XIACHEN_LDAP_BIND_PASSWORD = env("XIACHEN_LDAP_BIND_PASSWORD") or ""
XIACHEN_LDAP_USER_BASE = env("XIACHEN_LDAP_USER_BASE") or ""
XIACHEN_LDAP_USER_FILTER = env("XIACHEN_LDAP_USER_FILTER") or "(objectClass=inetOrgPerson)"
XIACHEN_LDAP_USERNAME_ATTRIBUTE = env("XIACHEN_LDAP_USERNAME_ATTRIBUTE") or "uid"  # AD: sAMAccountName
XIACHEN_LDAP_NAME_ATTRIBUTE = env("XIACHEN_LDAP_NAME_ATTRIBUTE") or "cn"  # AD: displayName
XIACHEN_LDAP_EMAIL_ATTRIBUTE = env("XIACHEN_LDAP_EMAIL_ATTRIBUTE") or "mail"
# The user's department, whose value is the code of a unit of the tree (AD: department or a custom one).
XIACHEN_LDAP_DEPARTMENT_ATTRIBUTE = env("XIACHEN_LDAP_DEPARTMENT_ATTRIBUTE") or "departmentNumber"
XIACHEN_LDAP_DEFAULT_ROLE = env("XIACHEN_LDAP_DEFAULT_ROLE") or "cadre"  # "none": a department gives no role
XIACHEN_LDAP_ROLE_GROUPS = json.loads(env("XIACHEN_LDAP_ROLE_GROUPS") or "{}")  # group DN → role
XIACHEN_LDAP_UNKNOWN_USERS = env("XIACHEN_LDAP_UNKNOWN_USERS") or "create"  # at sign-in: "refuse" or "create"
# The scheduled sync applies only when it would disable at most this many accounts (a wrong base DN
# must not disable everyone); above it, an administrator reviews the dry run and applies by hand.
XIACHEN_LDAP_SYNC_SCHEDULED = env_bool("XIACHEN_LDAP_SYNC_SCHEDULED")
XIACHEN_LDAP_SYNC_MAX_DISABLE = int(env("XIACHEN_LDAP_SYNC_MAX_DISABLE") or 10)
XIACHEN_LDAP_TIMEOUT = 10

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

# Message channels (docs/deploy.md, ADR 1801): channel → provider and its settings, as JSON in the
# file XIACHEN_CHANNELS_FILE (readable by the service only: it holds provider secrets) or in
# XIACHEN_CHANNELS. Empty: notifications go to the demo console transport (refused in production).
def _channels() -> dict:
    path = env("XIACHEN_CHANNELS_FILE")
    raw = Path(path).read_text(encoding="utf-8") if path else (env("XIACHEN_CHANNELS") or "")
    return json.loads(raw) if raw.strip() else {}


XIACHEN_CHANNELS = _channels()
XIACHEN_NOTICE_DEFAULT_CHANNELS = ["sms", "wecom"]  # for users who never chose (of those configured)
XIACHEN_SITE_URL = env("XIACHEN_SITE_URL", "")  # absolute links in 企业微信/钉钉/e-mail messages
# The SMS gateway signs inbound texts (call-out replies) with this secret; empty: the endpoint refuses all.
XIACHEN_SMS_INBOUND_SECRET = env("XIACHEN_SMS_INBOUND_SECRET", "")
XIACHEN_OUTBOX_MAX_ATTEMPTS = 8  # then the message is dead-lettered for the system administrator
XIACHEN_OUTBOX_BACKOFF_SECONDS = 60  # first retry after about a minute, doubling, ±50 % jitter
XIACHEN_OUTBOX_BACKOFF_CAP_SECONDS = 6 * 3600

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

# Integration API (ADR 1821, 1822, docs/howto/integration-api.md). Tokens: one audit row per token per
# interval besides the writes' own rows; Idempotency-Key records are kept this long.
XIACHEN_API_TOKEN_USE_AUDIT_SECONDS = 900
XIACHEN_IDEMPOTENCY_HOURS = 24
# Webhooks: timeout per attempt, retries with backoff base × 2^(n−1) up to the cap, at most MAX_ATTEMPTS
# per delivery; an endpoint failing DISABLE_AFTER attempts in a row is disabled and administrators told.
XIACHEN_WEBHOOK_TIMEOUT_SECONDS = 5
XIACHEN_WEBHOOK_RETRY_BASE_SECONDS = 30
XIACHEN_WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600
XIACHEN_WEBHOOK_MAX_ATTEMPTS = 8
XIACHEN_WEBHOOK_DISABLE_AFTER = 10
# Open311 outbound: the city platform's GeoReport v2 base URL ("" = forwarding off), its api_key (from the
# environment), jurisdiction_id, and our category code → its service_code.
XIACHEN_OPEN311_UPSTREAM_URL = env("XIACHEN_OPEN311_UPSTREAM_URL", "")
XIACHEN_OPEN311_UPSTREAM_API_KEY = env("XIACHEN_OPEN311_UPSTREAM_API_KEY", "")
XIACHEN_OPEN311_JURISDICTION = env("XIACHEN_OPEN311_JURISDICTION", "")
XIACHEN_OPEN311_SERVICE_CODES: dict[str, str] = {}
XIACHEN_OPEN311_TIMEOUT_SECONDS = 10
