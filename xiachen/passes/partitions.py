"""Monthly range partitions of gate scans and checkpoint registrations on PostgreSQL (ADR 2111).

`passes_scan` (by `scanned_at`) and `passes_checkpointentry` (by `registered_at`) are partitioned by
calendar month in UTC, one partition per month (`passes_scan_2026_12`) plus a DEFAULT partition, so an
insert for a month nobody created a partition for is stored anyway. PostgreSQL wants the partition key
in every unique index, and both tables are idempotent on the device's `client_uuid`, so each keeps its
UUIDs in a narrow unpartitioned claim table (`passes_scan_uuid`, `passes_checkpointentry_uuid`,
primary key `client_uuid`). Every writer claims its rows' UUIDs with `claim()`, set-based and in the
transaction of the insert, before inserting: the ingest (`copy_claims()`, one COPY per batch, then a
COPY of the rows it claimed), and the models' `save()` and `bulk_create()` (models.ClaimsClientUUID). No insert
trigger: a row trigger costs each COPY row a PL/pgSQL call and keeps PostgreSQL from batching the
COPY (bench/results/partitions_insert.json). Deleting rows releases their claims (a statement
trigger); so does TRUNCATE.
The foreign keys that pointed at `passes_scan(client_uuid)` point at the claim table instead.

SQLite keeps plain tables: every function here is a no-op there, except the retention purge.

`ensure_months()` creates the current and next months' partitions (migrate, and the daily
`create_partitions` job); a month whose rows already landed in the DEFAULT partition gets them moved
into its new partition. `drop_expired_months()` (the daily `drop_expired_partitions` job) drops whole
months of scans past the personal-data retention instead of deleting them row by row, deletes the
expired rows of the month straddling the cutoff, and audits both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from uuid import UUID

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone


@dataclass(frozen=True)
class Partitioned:
    table: str
    key: str  # the partition key: the row's time
    dependents: tuple[tuple[str, str], ...] = ()  # (table, column) holding our client_uuid
    model_label: str = ""  # the Django model, for the retention purge on SQLite

    @property
    def claims(self) -> str:
        return f"{self.table}_uuid"


SCANS = Partitioned(
    "passes_scan",
    "scanned_at",
    (("passes_disagreement", "scan_id"), ("passes_feveralert", "scan_id"), ("passes_correctionrequest", "scan_id")),
    "passes.Scan",
)
CHECKPOINTS = Partitioned("passes_checkpointentry", "registered_at")
TABLES = (SCANS, CHECKPOINTS)
_PARTITION_NAME = re.compile(r"_(\d{4})_(\d{2})$")


def on_postgresql(using=None) -> bool:
    return connection.vendor == "postgresql"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def partition_name(spec: Partitioned, first: date) -> str:
    return f"{spec.table}_{first.year:04d}_{first.month:02d}"


def _bound(first: date) -> str:
    return f"{first.isoformat()} 00:00:00+00"


# --- conversion (migration passes 0010) ----------------------------------------------------------


def convert(cursor, spec: Partitioned, *, today: date) -> None:
    """Turn a plain table with its data into a partitioned one, same name, same columns and indexes.

    Months from the oldest row to next month get partitions, the rest the DEFAULT partition. Runs in
    the migration's transaction: the old table is locked while its rows are copied (ADR 2111).
    """
    table, key, claims = spec.table, spec.key, spec.claims
    cursor.execute(
        "SELECT indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x "
        "ON x.indexrelid = c.oid WHERE i.tablename = %s AND i.schemaname = current_schema() AND NOT x.indisunique",
        [table],
    )
    plain_indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, array_agg(a.attname ORDER BY k.n) FROM pg_constraint c "
        "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'u' GROUP BY conname",
        [table],
    )
    uniques = {name: list(columns) for name, columns in cursor.fetchall()}
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    incoming = cursor.fetchall()

    # 1. the claim table, filled from the stored rows; foreign keys re-pointed at it
    cursor.execute(f"CREATE TABLE {claims} (client_uuid uuid PRIMARY KEY)")
    cursor.execute(f"INSERT INTO {claims} SELECT client_uuid FROM {table}")  # noqa: S608
    for referencing, name, definition in incoming:
        cursor.execute(f"ALTER TABLE {referencing} DROP CONSTRAINT {name}")
        definition = definition.replace(f"REFERENCES {table}(client_uuid)", f"REFERENCES {claims}(client_uuid)")
        cursor.execute(f"ALTER TABLE {referencing} ADD CONSTRAINT {name} {definition}")

    # 2. the partitioned table beside the old one, its partitions, the rows copied
    cursor.execute(
        f"CREATE TABLE {table}_p (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ({key})"
    )
    cursor.execute(f"SELECT min({key}) FROM {table}")  # noqa: S608
    oldest = cursor.fetchone()[0]
    first = month_start(oldest.astimezone(UTC).date() if oldest else today)
    last = next_month(month_start(today))
    month = first
    while month <= last:
        cursor.execute(
            f"CREATE TABLE {partition_name(spec, month)} PARTITION OF {table}_p "
            f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(next_month(month))}')"
        )
        month = next_month(month)
    cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table}_p DEFAULT")
    cursor.execute(f"INSERT INTO {table}_p SELECT * FROM {table}")  # noqa: S608

    # 3. swap names; the id sequence moves over; keys and indexes rebuilt on the partitioned table
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    old_sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
    max_id = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {table}")
    del old_sequence  # dropped with its identity column
    cursor.execute(f"ALTER TABLE {table}_p RENAME TO {table}")
    cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
    if max_id:
        cursor.execute(f"SELECT setval('{table}_id_seq', %s)", [max_id])
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, {key})")
    for name, columns in uniques.items():
        if columns == ["client_uuid"]:
            cursor.execute(f"CREATE INDEX {table}_client_uuid ON {table} (client_uuid)")
        else:  # unique per month: a random public id never repeats anyway
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({', '.join(columns)}, {key})")
    for definition in plain_indexes:
        cursor.execute(definition)

    # 4. claims are released with their rows: one statement trigger per DELETE (a row moving to another
    # month's partition in an UPDATE is no DELETE statement and keeps its claim), and TRUNCATE
    # (Django's flush between transactional tests) empties the claim table. No insert trigger: the
    # writers claim (claim(), module docstring).
    cursor.execute(
        f"""
        CREATE FUNCTION {table}_release_uuids() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {claims} WHERE client_uuid IN (SELECT client_uuid FROM released);
            RETURN NULL;
        END $$
        """  # noqa: S608 - names from TABLES, no values
    )
    cursor.execute(
        f"CREATE TRIGGER {table}_release_uuids AFTER DELETE ON {table} REFERENCING OLD TABLE AS released "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_release_uuids()"
    )
    cursor.execute(
        f"""
        CREATE FUNCTION {table}_truncate_uuids() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {claims};  -- not TRUNCATE: the tables referencing it are in the same flush
            RETURN NULL;
        END $$
        """  # noqa: S608 - names from TABLES, no values
    )
    cursor.execute(
        f"CREATE TRIGGER {table}_truncate_uuids AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_truncate_uuids()"
    )


def convert_all(apps, schema_editor) -> None:
    """Migration entry point: both tables on PostgreSQL, nothing elsewhere."""
    if schema_editor.connection.vendor != "postgresql":
        return
    today = timezone.now().astimezone(UTC).date()
    with schema_editor.connection.cursor() as cursor:
        for spec in TABLES:
            if not is_partitioned(cursor, spec):
                convert(cursor, spec, today=today)


def is_partitioned(cursor, spec: Partitioned) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [spec.table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


# --- upkeep ----------------------------------------------------------------------------------------


def months(cursor, spec: Partitioned) -> dict[date, str]:
    """The table's monthly partitions: {first day of the month: partition name}."""
    cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                   "WHERE i.inhparent = %s::regclass", [spec.table])
    found = {}
    for (name,) in cursor.fetchall():
        match = _PARTITION_NAME.search(name)
        if match and name == partition_name(spec, date(int(match[1]), int(match[2]), 1)):
            found[date(int(match[1]), int(match[2]), 1)] = name
    return found


def ensure_months(*, now: datetime | None = None, ahead: int = 1) -> list[str]:
    """Create this month's and the next `ahead` months' partitions where missing; the names created.

    Idempotent. Rows of such a month already in the DEFAULT partition move into the new partition
    (PostgreSQL refuses to create a partition whose rows sit in the default one).
    """
    if not on_postgresql():
        return []
    first = month_start((now or timezone.now()).astimezone(UTC).date())
    wanted = [first]
    for _ in range(ahead):
        wanted.append(next_month(wanted[-1]))
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        for spec in TABLES:
            have = months(cursor, spec)
            for month in wanted:
                if month not in have:
                    _create_month(cursor, spec, month)
                    created.append(partition_name(spec, month))
    return created


def _create_month(cursor, spec: Partitioned, month: date) -> None:
    table, key, name = spec.table, spec.key, partition_name(spec, month)
    low, high = _bound(month), _bound(next_month(month))
    # the default partition is locked for the move; its rows of this month go to the new partition
    cursor.execute(f"LOCK TABLE {table}_default IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {table}_default WHERE {key} >= %s AND {key} < %s RETURNING *) "  # noqa: S608
        f"INSERT INTO {name} SELECT * FROM moved",
        [low, high],
    )
    # a DELETE on the partition itself fires no trigger of the partitioned table: the claims stay
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')")


def drop_expired_months(*, retention_days: int, now: datetime | None = None, spec: Partitioned = SCANS) -> list[dict]:
    """Delete every row of `spec` older than the retention period, to the second (audited).

    On PostgreSQL, months whose every row is expired are dropped whole; the rows past the cutoff in
    the month that straddles it (and in the DEFAULT partition) are deleted row by row, so a scan is
    kept its 28 days, never a month more. Rows depending on the scans (disagreements, fever alerts,
    correction requests: ON DELETE CASCADE in the models) and the UUID claims go first. On SQLite
    (no partitions) the expired rows are deleted through the ORM, which cascades the same way.
    Returns [{"partition", "month", "rows"}] of the months dropped whole.
    """
    from xiachen.audit import services as audit

    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    if not on_postgresql():
        model = apps.get_model(spec.model_label)
        with transaction.atomic():
            _, per_model = model.objects.filter(**{f"{spec.key}__lt": cutoff}).delete()
            _audit_expired(per_model.get(spec.model_label, 0), retention_days)
        return []
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        for month, name in sorted(months(cursor, spec).items()):
            ends = datetime.combine(next_month(month), datetime.min.time(), tzinfo=UTC)
            if ends > cutoff:
                continue
            rows = _forget(cursor, spec, name, "TRUE", [])
            cursor.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
            dropped.append({"partition": name, "month": f"{month:%Y-%m}", "rows": rows})
        straddling = [name for month, name in months(cursor, spec).items()
                      if datetime.combine(month, datetime.min.time(), tzinfo=UTC) < cutoff]
        expired = 0
        for source in [*straddling, f"{spec.table}_default"]:
            rows = _forget(cursor, spec, source, f"{spec.key} < %s", [cutoff])
            if rows:
                cursor.execute(f"DELETE FROM {source} WHERE {spec.key} < %s", [cutoff])  # noqa: S608
                expired += rows
        for item in dropped:
            audit.record(
                actor=None,
                action="partition.dropped",
                fields={"month": item["month"], "rows": item["rows"], "retention_days": retention_days},
            )
        _audit_expired(expired, retention_days)
    return dropped


def _audit_expired(rows: int, retention_days: int) -> None:
    from xiachen.audit import services as audit

    if rows:
        audit.record(actor=None, action="passes.scans_expired", fields={"rows": rows, "retention_days": retention_days})


def _forget(cursor, spec: Partitioned, source: str, where: str, params: list) -> int:
    """Delete what refers to the client UUIDs of `source`'s matching rows; the number of rows."""
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS expiring_uuids (client_uuid uuid PRIMARY KEY)")
    cursor.execute("TRUNCATE expiring_uuids")
    cursor.execute(f"INSERT INTO expiring_uuids SELECT client_uuid FROM {source} WHERE {where}", params)  # noqa: S608
    rows = cursor.rowcount
    if rows:
        for referencing, column in spec.dependents:
            cursor.execute(f"DELETE FROM {referencing} WHERE {column} IN (SELECT client_uuid FROM expiring_uuids)")  # noqa: S608
        cursor.execute(f"DELETE FROM {spec.claims} WHERE client_uuid IN (SELECT client_uuid FROM expiring_uuids)")  # noqa: S608
    return rows


def copy_claims(cursor, spec: Partitioned, uuids: Iterable[UUID]) -> None:
    """claim() for a batch with no stored UUID expected: a binary COPY, cheaper than claim's INSERT.

    In UUID order, as claim(). A UUID claimed already raises psycopg's UniqueViolation (COPY has no
    ON CONFLICT): call it in a savepoint and fall back to claim(skip_stored=True). PostgreSQL only;
    `cursor` is a Django cursor.
    """
    with cursor.cursor.copy(f"COPY {spec.claims} (client_uuid) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["uuid"])
        for value in sorted(uuids, key=attrgetter("int")):  # UUID.__lt__ is Python code, several times slower
            copy.write_row((value,))


def uuid_text(value: UUID | str) -> str:
    """The canonical text of a UUID (hyphenated, lower case), as the claim statement returns it."""
    if isinstance(value, str) and len(value) == 36:  # hyphenated already (the ingest's checked text)
        return value.lower()
    return str(value if isinstance(value, UUID) else UUID(value))


def claim(spec: Partitioned, uuids: Iterable, *, skip_stored: bool = False) -> set[str]:
    """Claim client UUIDs for rows the caller inserts next, in the same transaction; the UUIDs claimed.

    One statement for the whole set, in UUID order (two uploads of the same rows claim in the same
    order and cannot deadlock). A UUID claimed already raises IntegrityError (unique violation), as the
    unique index on `client_uuid` did; with `skip_stored` it is left out of the result instead, which
    is INSERT … ON CONFLICT DO NOTHING: it waits for a concurrent upload's uncommitted claim, then
    skips the UUID if that upload committed. The caller inserts exactly the rows claimed.
    On SQLite (plain tables, a unique index) nothing is claimed and every UUID is returned.
    """
    wanted = sorted({uuid_text(u) for u in uuids})
    if not on_postgresql() or not wanted:
        return set(wanted)
    sql = f"INSERT INTO {spec.claims} (client_uuid) SELECT unnest(%s::uuid[])"
    with connection.cursor() as cursor:
        if not skip_stored:
            cursor.execute(sql, [wanted])
            return set(wanted)
        cursor.execute(sql + " ON CONFLICT DO NOTHING RETURNING client_uuid", [wanted])
        return {str(u) for (u,) in cursor.fetchall()}
