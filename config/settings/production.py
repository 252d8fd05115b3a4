"""Production: everything secret comes from the environment; HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, MEDIA_ROOT, STATIC_ROOT, XIACHEN_CHANNELS, env, env_bool

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY") or ""
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters.")
for required in ("XIACHEN_FIELD_KEYS", "XIACHEN_BLIND_INDEX_KEY", "XIACHEN_AUDIT_KEYS", "XIACHEN_AUDIT_ANCHOR_FILE"):
    if not env(required):
        raise ImproperlyConfigured(f"{required} must be set in production.")
XIACHEN_FIELD_KEYS = env("XIACHEN_FIELD_KEYS")
XIACHEN_BLIND_INDEX_KEY = env("XIACHEN_BLIND_INDEX_KEY")
XIACHEN_AUDIT_KEYS = env("XIACHEN_AUDIT_KEYS")
XIACHEN_AUDIT_ANCHOR_FILE = env("XIACHEN_AUDIT_ANCHOR_FILE")
XIACHEN_REQUIRE_TOTP = env_bool("XIACHEN_REQUIRE_TOTP", True)
# No demo stand-ins in production: without real transports the system checks refuse to start
# (xiachen/ops/checks.py) instead of writing residents' login codes to the log.
XIACHEN_PRODUCTION = True
XIACHEN_LOGIN_CODE_SENDER = env("XIACHEN_LOGIN_CODE_SENDER") or (
    "xiachen.notices.transports.send_login_code" if "sms" in XIACHEN_CHANNELS else ""
)
# With XIACHEN_CHANNELS configured, messages go through the channel router and codes by SMS.
XIACHEN_NOTICE_TRANSPORT = env("XIACHEN_NOTICE_TRANSPORT") or (
    "xiachen.notices.transports.ChannelRouter" if XIACHEN_CHANNELS else ""
)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# nginx on the same machine (deploy/nginx) is the one proxy whose X-Forwarded-For is believed.
XIACHEN_TRUSTED_PROXIES = [p for p in (env("XIACHEN_TRUSTED_PROXIES", "127.0.0.1,::1") or "").split(",") if p.strip()]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "xiachen.ops.staticfiles.ManifestStorage"},
}

# Paths nginx serves (docs/deploy.md); the defaults under var/ suit a single checkout.
STATIC_ROOT = env("DJANGO_STATIC_ROOT") or STATIC_ROOT
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT") or MEDIA_ROOT
CSRF_TRUSTED_ORIGINS = [origin for origin in (env("DJANGO_CSRF_TRUSTED_ORIGINS") or "").split(",") if origin]
# Persistent connections (CONN_MAX_AGE, base.py) are checked before reuse, e.g. after a database restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
