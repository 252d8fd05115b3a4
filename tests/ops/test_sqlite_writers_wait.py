"""On SQLite, writers queue instead of failing with "database is locked" (issue #16 item 16): WAL,
transactions that take the write lock when they begin, and a busy timeout long enough for a
roster being stored or a rollup refresh."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
@pytest.mark.django_db
def test_sqlite_connections_use_wal_and_wait_for_the_write_lock():
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == settings.SQLITE_BUSY_SECONDS * 1000
    assert settings.SQLITE_BUSY_SECONDS >= 30
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
