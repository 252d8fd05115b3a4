"""Raw bulk writes for the simulated month: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples of plain values both databases read the same way: UUIDs as 32 hex digits (SQLite's
Django column format, and valid PostgreSQL uuid input), datetimes as naive UTC text (Django keeps
SQLite in UTC and sets PostgreSQL sessions to UTC), decimals and JSON as text, booleans as bool.
Column names come from the models' `_meta`, never from input.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

BATCH_ROWS = 20_000


def uuid_hex(value: int) -> str:
    """The 32-hex-digit form of a 128-bit number, with the version-4 bits set (as uuid.UUID would)."""
    return UUID(int=value, version=4).hex


def utc_text(moment: datetime) -> str:
    """Naive UTC text of an aware datetime, the form Django stores on SQLite."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def date_text(day: date) -> str:
    return day.isoformat()


def columns_of(model: type[Model], names: Sequence[str]) -> list[str]:
    """Database column names of `names` (field names or attnames such as `gate_id`)."""
    return [model._meta.get_field(name).column for name in names]  # get_field knows attnames too


def next_id(model: type[Model]) -> int:
    """The first free primary key: rows written here carry explicit ids so children can point at them."""
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (values in `names` order) in batches; returns how many were written."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in columns_of(model, names))
    if connection.vendor == "postgresql":
        return _copy(table, columns, rows)
    return _executemany(table, columns, len(names), rows)


def _copy(table: str, columns: str, rows: Iterable[tuple]) -> int:
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _executemany(table: str, columns: str, width: int, rows: Iterable[tuple]) -> int:
    connection.ensure_connection()
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * width)})"  # noqa: S608 — names from _meta
    cursor = connection.connection.cursor()  # the raw sqlite3 cursor: no per-call SQL rewriting
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            cursor.executemany(sql, batch)
            count, batch = count + len(batch), []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    cursor.close()
    return count


def reset_sequences(*models: type[Model]) -> None:
    """PostgreSQL: move the id sequences past the explicit ids (SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def secondary_indexes(model: type[Model]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's plain indexes: not the primary key, not unique ones."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                [table],
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        found = cursor.fetchall()
    # A partitioned table's index reads "CREATE INDEX … ON ONLY table": run as it is, it would index the
    # parent alone and stay invalid; without ONLY it builds the index on every partition as well.
    found = [(name, sql.replace(" ON ONLY ", " ON ", 1) if sql else sql) for name, sql in found]
    return sorted((name, sql) for name, sql in found if sql and "UNIQUE" not in sql.upper())


@contextmanager
def without_secondary_indexes(model: type[Model]):
    """Drop the plain indexes for a bulk load and rebuild them after it, even when the load fails.

    One sorted build per index is far cheaper than keeping eight random-keyed B-trees up to date
    row by row.
    """
    indexes = secondary_indexes(model)
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield [name for name, _sql in indexes]
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # inside an outer transaction (tests): PostgreSQL refuses CREATE INDEX on a table with
                # deferred foreign-key checks still pending, so run those checks now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in indexes:
                cursor.execute(sql)


def analyze(*models: type[Model]) -> None:
    """Planner statistics after a bulk load (PostgreSQL's autovacuum would get there later; SQLite never)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")


def decimal_text(value: Decimal | float, places: int = 1) -> str:
    return f"{value:.{places}f}"
