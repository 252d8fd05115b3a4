"""Writers queue instead of failing (issue #16 item 16). On SQLite: WAL, transactions that take the
write lock when they begin, and a busy timeout long enough for a roster being stored or a rollup
refresh ("database is locked" killed the worker). On PostgreSQL: no lock timeout, so a writer waits
for a row lock instead of failing."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_writers_wait_for_the_write_lock_instead_of_failing():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == settings.SQLITE_BUSY_SECONDS * 1000
            assert settings.SQLITE_BUSY_SECONDS >= 30
            assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        else:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"
