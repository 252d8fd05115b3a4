"""Test settings: fast hashing, deterministic keys, the PII tripwire on every response and log line."""

import os
import tempfile
from pathlib import Path

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

# Each test gets its own anchor file (tests/conftest.py); this one only catches a stray write.
XIACHEN_AUDIT_ANCHOR_FILE = str(Path(tempfile.gettempdir()) / f"xiachen-test-anchors-{os.getpid()}.jsonl")

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The flush between transactional tests TRUNCATEs every table; the audit table's trigger lets
    # only sessions with this setting do that (xiachen/audit/migrations/0005).
    # synchronous_commit=off: a test's commits need not wait for the disk (a crash loses only the
    # last test's rows, which the next run recreates); transactional and browser tests commit often.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (  # noqa: F405
        "-c xiachen.allow_truncate=on -c synchronous_commit=off"
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: the live server's request threads then get their own
    # connections (WAL, busy timeout) as in production, instead of sharing the test thread's one,
    # where two overlapping requests fail with "database table is locked". One file per process,
    # so parallel test runs in the same checkout never share a database.
    _test_db = Path(tempfile.gettempdir()) / f"xiachen-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405
