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
is stored as a reference by `public_id` and resolved by a sub-select in the INSERT.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.db import connection, models, transaction

from .models import StagedImportBatch

_REF = "$ref"  # a staged value {"$ref": [table, public_id as the database holds it]}


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
        table, columns, values = _row_of(obj)
        group = self.groups[-1] if self.groups else None
        if group is None or group["table"] != table or group["columns"] != columns:
            group = {"table": table, "columns": columns, "rows": []}
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


def _row_of(obj: models.Model) -> tuple[str, list[str], list]:
    meta = obj._meta
    columns, values = [], []
    for field in meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        related = field.get_cached_value(obj, None) if field.is_relation and field.many_to_one else None
        if related is not None and related.pk is None:  # staged too: refer to it by public_id
            target = related._meta.get_field("public_id")
            value = {_REF: [related._meta.db_table, target.get_db_prep_value(related.public_id, connection)]}
        else:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection)
        columns.append(field.column)
        values.append(value)
    return meta.db_table, columns, values


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
                for sql, params in _statements(group):
                    cursor.executemany(sql, params)
                inserted += len(group["rows"])
            if progress is not None:
                progress(done, total)
    batches.delete()
    return inserted


def _statements(group: dict):
    """(INSERT statement, parameter rows) for each run of rows that refer to staged rows in the same
    columns (a resident of an existing household takes its id; one of a new household, a sub-select)."""
    quote = connection.ops.quote_name
    _check_names(group["table"], group["columns"])
    into = f"INSERT INTO {quote(group['table'])} ({', '.join(map(quote, group['columns']))})"
    shape, tables, params = None, [], []
    for row in group["rows"]:
        refs = tuple(isinstance(value, dict) and _REF in value for value in row)
        if refs != shape:
            if params:
                yield _insert(into, tables), params
                params = []
            shape = refs
            tables = [value[_REF][0] if is_ref else None for value, is_ref in zip(row, refs, strict=True)]
        params.append([value[_REF][1] if is_ref else value for value, is_ref in zip(row, refs, strict=True)])
    if params:
        yield _insert(into, tables), params


def _insert(into: str, tables: list[str | None]) -> str:
    """`into` VALUES (…): a plain parameter per column, or the id of the staged row a reference names."""
    quote = connection.ops.quote_name
    placeholders = [
        # Names checked against the models (_check_names); values are parameters.
        f"(SELECT {quote('id')} FROM {quote(table)} WHERE {quote('public_id')} = %s)"  # noqa: S608
        if table and _check_names(table, ["id", "public_id"]) is None else "%s"
        for table in tables
    ]
    return f"{into} VALUES ({', '.join(placeholders)})"


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
