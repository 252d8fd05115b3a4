"""Test settings: fast hashing, deterministic keys, the PII tripwire on every response and log line."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
XIACHEN_REQUIRE_TOTP = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MIDDLEWARE = [*MIDDLEWARE, "tests.tripwire.PersonalDataTripwireMiddleware"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"tripwire": {"class": "tests.tripwire.PersonalDataTripwireLogHandler"}},
    "root": {"handlers": ["tripwire"], "level": "DEBUG"},
    # The test data builders log the values they generate; that is test scaffolding, not the app.
    "loggers": {"factory": {"level": "WARNING"}, "faker": {"level": "WARNING"}},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
