"""Re-seal encrypted columns in place: legacy (unbound) tokens and tokens of older keys become current
tokens bound to their table, column and row. Used by the `rotate_field_keys` command and by each
app's data migration for its encrypted columns (ADR 1508).

Reads and writes with plain SQL on the given connection, in primary-key order by batches, so it
works the same for historical models in migrations, on SQLite and PostgreSQL, in bounded memory.
Rows already current are left alone, so a run that stopped half way can simply be started again.
"""

from collections.abc import Iterable

from django.db import transaction

from . import crypto

BATCH = 1000


def _columns(model, fields: Iterable[str]):
    meta = model._meta
    found = [meta.get_field(name) for name in fields]
    row_keys = {getattr(field, "row_key", "public_id") for field in found}
    if len(row_keys) != 1:
        raise ValueError("reseal one group of fields sharing a row key at a time")
    return meta.pk.column, meta.get_field(row_keys.pop()), [field.column for field in found]


def reseal(connection, model, fields: Iterable[str], *, legacy: bool = False, batch: int = BATCH) -> int:
    """Re-encrypt `fields` (encrypted columns sharing one row key) of every row of `model` with the
    current key and bound associated data, or with `legacy=True` back to unbound version-1 tokens
    (only to reverse a migration). Returns the number of rows rewritten. A value that no configured
    key opens raises `DecryptionError` naming the table and row, and its batch is not written."""
    pk_column, row_field, columns = _columns(model, fields)
    quote = connection.ops.quote_name
    table = model._meta.db_table
    select = (
        f"SELECT {quote(pk_column)}, {quote(row_field.column)}, {', '.join(quote(c) for c in columns)} "  # noqa: S608
        f"FROM {quote(table)} %s ORDER BY {quote(pk_column)} LIMIT {int(batch)}"
    )
    update = (
        f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in columns)} "  # noqa: S608
        f"WHERE {quote(pk_column)} = %s"
    )
    rewritten, last = 0, None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(select % "")
            else:
                cursor.execute(select % f"WHERE {quote(pk_column)} > %s", [last])
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            changes = [change for row in rows if (change := _reseal_row(table, columns, row_field, row, legacy))]
            if changes:
                cursor.executemany(update, changes)
            rewritten += len(changes)
            last = rows[-1][0]


def _reseal_row(table, columns, row_field, row, legacy) -> list | None:
    pk, row_value, tokens = row[0], row[1], row[2:]
    row_id = str(row_field.to_python(row_value)) if row_value not in (None, "") else ""
    values, changed = [], False
    for column, token in zip(columns, tokens, strict=True):
        if token in (None, ""):
            values.append(token)
            continue
        if not row_id:
            raise crypto.DecryptionError(f"{table} row {pk}: no row identifier to bind {column} to")
        context = crypto.field_context(table, column, row_id)
        try:
            plaintext, current = crypto.open_any(token, associated_data=context)
        except crypto.DecryptionError as error:
            raise crypto.DecryptionError(f"{table}.{column} row {pk}: {error}") from None
        if legacy:
            values.append(crypto.encrypt_legacy(plaintext))
            changed = True
        elif current:
            values.append(token)
        else:
            values.append(crypto.encrypt(plaintext, associated_data=context))
            changed = True
    return [*values, pk] if changed else None


def reseal_app_fields(app_label: str, fields_by_model: dict[str, list[str]], *, legacy: bool = False):
    """A `RunPython` function re-sealing the named encrypted fields of an app's historical models."""

    def run(apps, schema_editor):
        for model_name, fields in fields_by_model.items():
            reseal(schema_editor.connection, apps.get_model(app_label, model_name), fields, legacy=legacy)

    return run
