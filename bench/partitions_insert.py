"""What monthly partitions (ADR 2111) cost the scan ingest's database writes: an interleaved A/B.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> .venv/bin/python bench/partitions_insert.py

On a loaded shared machine, whole-ingest runs minutes apart are not comparable (bench/passes.py's
two PostgreSQL entries differ mostly by the load). This measures only what partitioning changes, in
one process, alternating the two layouts batch by batch so that both see the same load: a new
500-scan batch, and the re-send of a batch half of which is stored, into
  - `passes_scan` as migrate builds it (partitioned by month, claim table), written by the ingest's
    own `ScanWriter`: one statement claims the UUIDs skipping stored ones, one binary COPY writes the
    rows claimed; and
  - `bench_scan_plain`, a plain copy with the old layout (primary key id, UNIQUE client_uuid, the same
    indexes), written as before ADR 2111: a binary COPY, and for the re-send a temp table and
    INSERT … ON CONFLICT (client_uuid) DO NOTHING.
Each batch runs in a transaction that is rolled back, so both tables stay as they were. Writes
bench/results/partitions_insert.json with medians, quartiles and the load average; an entry
`previous_*` already in the file (an earlier layout's measurement) is kept.
"""

import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from xiachen.passes.ingest import _SCAN_COPY_TYPES, SCAN_COLUMNS, ScanWriter  # noqa: E402

COLUMNS = ", ".join(SCAN_COLUMNS)
ROUNDS, BATCH = 150, 500


def rows(now: datetime) -> list[tuple]:
    return [
        (uuid.uuid4(), "bench", 1, "/1/2/3/4/", 1, now - timedelta(seconds=i), now, "qr", uuid.uuid4(), uuid.uuid4(),
         "in", Decimal("36.5"), True, "valid", True, "valid", 1, "", 0)
        for i in range(BATCH)
    ]


def copy(cursor, table: str, batch: list[tuple]) -> None:
    with cursor.cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as stream:
        stream.set_types(_SCAN_COPY_TYPES)
        for row in batch:
            stream.write_row(row)


def resend_plain(cursor, batch: list[tuple]) -> int:
    """The pre-ADR 2111 fallback on the plain table: temp table, INSERT … ON CONFLICT DO NOTHING."""
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS bench_incoming AS SELECT {COLUMNS} FROM bench_scan_plain WITH NO DATA"  # noqa: S608
    )
    cursor.execute("TRUNCATE bench_incoming")
    copy(cursor, "bench_incoming", batch)
    cursor.execute(f"INSERT INTO bench_scan_plain ({COLUMNS}) SELECT {COLUMNS} FROM bench_incoming "  # noqa: S608
                   "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid")
    return len(cursor.fetchall())


def write_partitioned(batch: list[tuple], now: datetime) -> int:
    """The ingest's writer on the partitioned table: claim (skipping stored), then COPY what was claimed."""
    writer = ScanWriter(device_id="bench", by_id=1, received_at=now)
    writer.rows, writer.uuids = batch, [str(row[0]) for row in batch]
    return len(writer.insert())


# the first version of ADR 2111 (commit 89b3602): a BEFORE INSERT row trigger claimed each UUID
ROW_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_claim_uuid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO passes_scan_uuid (client_uuid) VALUES (NEW.client_uuid) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN NEW;
    END IF;
    IF current_setting('bench.skip_stored', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE unique_violation USING MESSAGE = 'client_uuid stored already';
END $$
"""


def resend_row_trigger(cursor, batch: list[tuple]) -> int:
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS bench_incoming_p AS SELECT {COLUMNS} FROM passes_scan WITH NO DATA"  # noqa: S608
    )
    cursor.execute("TRUNCATE bench_incoming_p")
    copy(cursor, "bench_incoming_p", batch)
    cursor.execute("SELECT set_config('bench.skip_stored', 'on', true)")
    cursor.execute(f"INSERT INTO passes_scan ({COLUMNS}) SELECT {COLUMNS} FROM bench_incoming_p "  # noqa: S608
                   "RETURNING client_uuid")
    return len(cursor.fetchall())


def timed(layout: str, now: datetime) -> tuple[float, float]:
    """(a new batch, a re-send of half stored half new) in ms, rolled back."""
    batch = rows(now)
    again = batch[: BATCH // 2] + rows(now)[: BATCH // 2]
    with transaction.atomic(), connection.cursor() as cursor:
        if layout == "row_trigger":
            cursor.execute("CREATE TRIGGER bench_claim_uuid BEFORE INSERT ON passes_scan "
                           "FOR EACH ROW EXECUTE FUNCTION bench_claim_uuid()")
        started = time.perf_counter()
        if layout == "partitioned":
            assert write_partitioned(batch, now) == BATCH
        else:
            copy(cursor, "bench_scan_plain" if layout == "plain" else "passes_scan", batch)
        copied = time.perf_counter() - started
        started = time.perf_counter()
        if layout == "partitioned":
            inserted = write_partitioned(again, now)
        elif layout == "plain":
            inserted = resend_plain(cursor, again)
        else:
            inserted = resend_row_trigger(cursor, again)
        resent = time.perf_counter() - started
        assert inserted == BATCH // 2, inserted
        transaction.set_rollback(True)
    return copied * 1000, resent * 1000


def summary(values: list[float]) -> dict:
    quartiles = statistics.quantiles(values, n=4)
    return {"median_ms": round(statistics.median(values), 2), "q1_ms": round(quartiles[0], 2),
            "q3_ms": round(quartiles[2], 2)}


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'passes_scan'")
        assert cursor.fetchone()[0] == "p", "migrate first: passes_scan must be partitioned"
        cursor.execute("DROP TABLE IF EXISTS bench_scan_plain")
        cursor.execute("CREATE TABLE bench_scan_plain (LIKE passes_scan INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute("ALTER TABLE bench_scan_plain ADD PRIMARY KEY (id), ADD UNIQUE (client_uuid)")
        for definition in ("(gate_id, scanned_at)", "(gate_path varchar_pattern_ops, scanned_at)",
                           "(household_public_id)", "(scanned_at)"):
            cursor.execute(f"CREATE INDEX ON bench_scan_plain {definition}")
        cursor.execute(ROW_TRIGGER_FUNCTION)
    now = datetime.now(UTC)
    before = os.getloadavg()
    layouts = ["partitioned", "plain", "row_trigger"]
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in layouts}
    try:
        for round_ in range(ROUNDS + 3):
            for name in layouts[round_ % 3:] + layouts[: round_ % 3]:  # each layout first in turn
                copied, resent = timed(name, now)
                if round_ >= 3:  # warm-up
                    results[name][0].append(copied)
                    results[name][1].append(resent)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_scan_plain")
            cursor.execute("DROP FUNCTION IF EXISTS bench_claim_uuid()")
    after = os.getloadavg()
    path = ROOT / "bench" / "results" / "partitions_insert.json"
    kept = {k: v for k, v in json.loads(path.read_text()).items() if k.startswith("previous_")} if path.exists() else {}
    output = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "what": f"{ROUNDS} rounds, layouts alternating, {BATCH}-scan batches, each rolled back; PostgreSQL "
        f"{connection.cursor().connection.info.server_version}",
        "copy_new_batch": {name: summary(values[0]) for name, values in results.items()},
        "resend_half_stored": {name: summary(values[1]) for name, values in results.items()},
        "load_average": {"before_1_5_15min": [round(x, 2) for x in before],
                         "after_1_5_15min": [round(x, 2) for x in after]},
    }
    for measure in ("copy_new_batch", "resend_half_stored"):
        for name in ("partitioned", "row_trigger"):
            output[measure][f"ratio_{name}_to_plain"] = round(
                output[measure][name]["median_ms"] / output[measure]["plain"]["median_ms"], 2
            )
    output |= kept
    path.write_text(json.dumps(output, indent=1) + "\n")
    print(json.dumps(output, indent=1))


if __name__ == "__main__":
    main()
