"""Staged commit of an import (ADR 1712): rows are written to a staging table in short transactions,
then moved into their tables in one short final transaction.

SQLite has one writer at a time: an import that validated and inserted 100,000 rows in one
transaction held the write lock for minutes and other writers failed with "database is locked".
Here the expensive part — reading, validating, building model instances, sealing encrypted fields,
computing blind indexes — runs in batches, each stored as one `StagedImportBatch` row in its own
short transaction (other writers get the lock between batches). `move_staged` then inserts the
prepared column values with plain `executemany` INSERTs inside the caller's transaction: seconds
for the largest accepted file, well under the busy timeout other writers wait for.

All-or-nothing holds because nothing reaches the real tables before the final transaction, which
either inserts every staged row or rolls back; staged batches of a failed or abandoned commit are
deleted when the commit is retried or the upload is deleted (cascade).

A staged row is a model instance that was never saved. Its values are what Django would send to the
database for an INSERT (`pre_save` + `get_db_prep_save`: encrypted fields sealed with the row's
`public_id`, blind indexes computed, `auto_now_add` set). A foreign key to an instance that is
itself staged (a new household of a new resident, a new parent unit, the cadre of a specialty link)
is stored as that row's `public_id` and resolved by a sub-select in the INSERT; rows are grouped by
model and by which columns are such references, so a group is one prepared statement.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.db import connection, models, transaction

from .models import StagedImportBatch


def _plain(value: object) -> object:
    """A database-ready value as JSON can carry it (the database casts the text back)."""
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot stage a value of type {type(value).__name__}")


class Stager:
    """Collects unsaved model instances of one import and writes them as one staged batch per `flush`."""

    def __init__(self, pending):
        self.pending = pending
        self.seq = StagedImportBatch.objects.filter(pending=pending).count()
        self.groups: list[dict] = []
        self.rows = 0

    def add(self, obj: models.Model) -> None:
        """Stage `obj` for insertion (after every instance added before it)."""
        table, columns, refs, values = _row_of(obj)
        group = self.groups[-1] if self.groups else None
        if group is None or (group["table"], group["columns"], group["refs"]) != (table, columns, refs):
            group = {"table": table, "columns": columns, "refs": refs, "rows": []}
            self.groups.append(group)
        group["rows"].append(values)
        self.rows += 1

    def flush(self) -> None:
        """Store what was added since the last flush, in its own short transaction."""
        if not self.groups:
            return
        payload = json.dumps(self.groups, ensure_ascii=False, default=_plain, separators=(",", ":"))
        with transaction.atomic():
            StagedImportBatch.objects.create(pending=self.pending, seq=self.seq, rows=self.rows, payload=payload)
        self.seq += 1
        self.groups, self.rows = [], 0


def _row_of(obj: models.Model) -> tuple[str, list[str], list[str | None], list]:
    """(table, columns, per column the table of the staged row it refers to or None, values); a
    reference's value is that row's public_id as the database holds it."""
    meta = obj._meta
    columns: list[str] = []
    refs: list[str | None] = []
    values: list = []
    for field in meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        related = field.get_cached_value(obj, None) if isinstance(field, models.ForeignKey) else None
        if related is not None and related.pk is None:  # staged too: refer to it by public_id
            target = related._meta.get_field("public_id")
            assert isinstance(target, models.Field), "a staged row has a public_id column"
            refs.append(related._meta.db_table)
            values.append(target.get_db_prep_value(target.value_from_object(related), connection))
        else:
            refs.append(None)
            values.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        columns.append(field.column)
    return meta.db_table, columns, refs, values


def discard_staged(pending) -> None:
    StagedImportBatch.objects.filter(pending=pending).delete()


def staged_rows(pending) -> int:
    return sum(StagedImportBatch.objects.filter(pending=pending).values_list("rows", flat=True))


def move_staged(pending, *, progress=None) -> int:
    """Insert every staged row of `pending` in order and delete the batches; call inside the final
    transaction. Returns the number of rows inserted. An IntegrityError (a row someone stored since
    the validation, e.g. the same ID number) propagates: the caller's transaction rolls back."""
    if not connection.in_atomic_block:
        raise RuntimeError("move_staged must run inside the final transaction")
    batches = StagedImportBatch.objects.filter(pending=pending).order_by("seq")
    total = batches.count()
    inserted = 0
    with connection.cursor() as cursor:
        for done, batch in enumerate(batches.iterator(chunk_size=1), start=1):
            for group in json.loads(batch.payload):
                cursor.executemany(_insert(group), group["rows"])
                inserted += len(group["rows"])
            if progress is not None:
                progress(done, total)
    batches.delete()
    return inserted


def _insert(group: dict) -> str:
    """INSERT … VALUES (…) for a group: a parameter per column, or for a column referring to a staged
    row, the id found by that row's public_id (names checked against the models)."""
    quote = connection.ops.quote_name
    _check_names(group["table"], group["columns"])
    placeholders = []
    for table in group["refs"]:
        if table:
            _check_names(table, ["id", "public_id"])
            placeholders.append(f"(SELECT {quote('id')} FROM {quote(table)} WHERE {quote('public_id')} = %s)")  # noqa: S608
        else:
            placeholders.append("%s")
    columns = ", ".join(map(quote, group["columns"]))
    return f"INSERT INTO {quote(group['table'])} ({columns}) VALUES ({', '.join(placeholders)})"  # noqa: S608


def _check_names(table: str, columns: list[str]) -> None:
    """Staged names must be a model's table and its columns: the payload is data read back from the
    database, and names cannot be passed as parameters."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            known = {field.column for field in model._meta.concrete_fields}
            if set(columns) <= known:
                return
            break
    raise ValueError(f"staged rows name an unknown table or column: {table}")
