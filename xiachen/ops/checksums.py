"""Row counts and checksums of every table, read from the raw column values (ciphertext stays ciphertext).

The same function runs on the database a backup is taken from and on the database it is restored
into; the two results must be equal. Rows are read in primary-key order. On PostgreSQL the server
hashes each row's text form (`md5(t::text)`) and Python chains the row hashes; on SQLite Python
hashes a canonical JSON form of each row. Values are compared within one vendor only: a backup is
a native dump and restores into the same database engine.
"""

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

FETCH = 2000


def table_checksums(connection: BaseDatabaseWrapper) -> dict[str, dict[str, Any]]:
    """`{table: {"rows": n, "sha256": hex}}` for every table of the database, in one transaction."""
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            tables = sorted(connection.introspection.table_names(cursor))
            keys = {table: _order_columns(connection, cursor, table) for table in tables}
        return {table: _summarize(connection, table, keys[table]) for table in tables}


def applied_migrations(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """The migration state recorded in the database: `{app: [migration, ...]}`."""
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        state: dict[str, list[str]] = {}
        for app, name in cursor.fetchall():
            state.setdefault(app, []).append(name)
        return state


def _order_columns(connection: BaseDatabaseWrapper, cursor, table: str) -> list[str]:
    primary = connection.introspection.get_primary_key_columns(cursor, table)
    if primary:
        return list(primary)
    return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _summarize(connection: BaseDatabaseWrapper, table: str, order: list[str]) -> dict[str, Any]:
    quote = connection.ops.quote_name
    order_by = ", ".join(quote(column) for column in order)
    if connection.vendor == "postgresql":
        sql = f"SELECT md5(CAST(t AS text)) FROM {quote(table)} AS t ORDER BY {order_by}"  # noqa: S608
        encode = _first_column
    else:
        sql = f"SELECT * FROM {quote(table)} ORDER BY {order_by}"  # noqa: S608
        encode = _canonical_row
    digest, rows = hashlib.sha256(), 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            for row in batch:
                digest.update(encode(row))
                rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def _first_column(row: tuple) -> bytes:
    return row[0].encode() + b"\n"


def _canonical_row(row: tuple) -> bytes:
    values = [{"hex": bytes(value).hex()} if isinstance(value, bytes | memoryview) else value for value in row]
    return json.dumps(values, ensure_ascii=False, default=str, separators=(",", ":")).encode() + b"\n"


@contextmanager
def database(config: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection to a database given by its settings dict (a restore target, a backup file),
    reachable as `connections[alias]` (for `transaction.atomic(using=…)`) while the block runs. It is
    not added to the DATABASES setting: nothing else should ever pick it up."""
    alias = f"ops_{uuid.uuid4().hex[:10]}"
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: dict(config)}
    )[alias]
    wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]
