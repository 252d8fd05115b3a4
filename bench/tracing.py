"""Contact-tracing benchmark (issue #20 item 6, ADR 2011): a scans-only month, then the tracing query.

    .venv/bin/python bench/tracing.py --scans 10000000                 # SQLite, var/bench/tracing.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiachen_bench_tracing \\
        .venv/bin/python bench/tracing.py --scans 10000000             # PostgreSQL (database created if missing)

Builds only the `passes_scan` table (the Scan model's own DDL), empty of indexes, loads it in bulk
(PostgreSQL COPY; SQLite executemany in one transaction), then creates the two indexes tracing reads
— (gate_path, scanned_at) of passes migration 0009 and household_public_id — and ANALYZEs. The
other indexes of the table (client_uuid unique, scanned_at, gate+scanned_at) serve ingest and the
scan log, not tracing; they are left out to keep the build short, which does not change the plans
measured here. Then, for sampled persons (passes), times what `xiachen.passes.tracing` runs:
the person's passages (household index), then one range read per passage on the same gate in
[t-15 min, t+15 min], the person's own scans excluded.

The month: 7,000 gates (Wuhan's compounds), one pass per 20 scans (two passes per household),
80 % of a person's scans at their home gate, the rest at a random gate, times weighted to 06–22 h.
Writes bench/results/tracing_{sqlite,postgresql}.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = ROOT / "var" / "bench" / "tracing.sqlite3"
GATES = 7000
SCANS_PER_PASS = 20
MONTH_START = datetime(2020, 2, 1, tzinfo=UTC)
DAYS = 30
CHUNK = 200_000
PASS_BASE, HOUSEHOLD_BASE = 1 << 64, 2 << 64


def _arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=50, help="sampled persons to trace")
    parser.add_argument("--reuse", action="store_true", help="keep a table already built at this size")
    return parser.parse_args()


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database.startswith("postgres"):
        import psycopg

        base, name = database.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def gate_path(gate: int) -> str:
    district, street, community = gate % 13, gate % 160, gate % 1400
    return f"/420100/4201{district:02d}/4201{district:02d}{street:03d}/c{community:05d}/g{gate:05d}/"


def _rows(count: int, seed: int = 20):
    """(id, pass int, household int, gate, epoch seconds) for `count` scans, deterministic."""
    import numpy as np

    rng = np.random.default_rng(seed)
    passes = max(1, count // SCANS_PER_PASS)
    hour_weights = np.array([1, 1, 1, 1, 1, 2, 6, 10, 12, 10, 8, 8, 10, 8, 8, 8, 10, 12, 12, 10, 8, 5, 3, 2], float)
    hour_weights /= hour_weights.sum()
    start = int(MONTH_START.timestamp())
    for first in range(0, count, CHUNK):
        size = min(CHUNK, count - first)
        pass_ids = rng.integers(0, passes, size)
        home = (pass_ids * 7919) % GATES
        roaming = rng.random(size) < 0.2
        gates = np.where(roaming, rng.integers(0, GATES, size), home)
        seconds = (start + rng.integers(0, DAYS, size) * 86400 + rng.choice(24, size, p=hour_weights) * 3600
                   + rng.integers(0, 3600, size))
        yield from zip(range(first + 1, first + size + 1), pass_ids.tolist(), (pass_ids // 2).tolist(),
                       gates.tolist(), seconds.tolist(), strict=True)


def _create_table() -> None:
    from django.db import connection

    from xiachen.passes.models import Scan

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS passes_scan")
    with connection.schema_editor() as editor:
        editor.create_model(Scan)
    with connection.cursor() as cursor:
        for index in connection.introspection.get_constraints(cursor, "passes_scan"):
            info = connection.introspection.get_constraints(cursor, "passes_scan")[index]
            if info["index"] and not info["primary_key"] and not info["unique"]:
                cursor.execute(f'DROP INDEX "{index}"')


COLUMNS = ("id", "client_uuid", "device_id", "gate_id", "gate_path", "recorded_by_id", "scanned_at", "received_at",
           "method", "pass_public_id", "household_public_id", "direction", "client_valid", "client_reason",
           "server_valid", "server_reason", "manual_reason", "clock_offset")


def _load_sqlite(count: int) -> None:
    from django.db import connection

    paths = [gate_path(g) for g in range(GATES)]
    minutes: dict[int, str] = {}

    def stamp(epoch: int) -> str:
        minute = epoch // 60
        if minute not in minutes:
            minutes[minute] = datetime.fromtimestamp(minute * 60, tz=UTC).strftime("%Y-%m-%d %H:%M:")
        return f"{minutes[minute]}{epoch % 60:02d}"

    sql = f"INSERT INTO passes_scan ({', '.join(COLUMNS)}) VALUES ({', '.join(['?'] * len(COLUMNS))})"  # noqa: S608 — constants
    raw = connection.connection
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("DROP INDEX IF EXISTS passes_scan_client_uuid_key")
    raw.execute("BEGIN")
    batch = []
    for scan_id, pass_id, household, gate, epoch in _rows(count):
        when = stamp(epoch)
        batch.append((scan_id, f"{scan_id:032x}", "bench", gate + 1, paths[gate], 1, when, when, "qr",
                      f"{PASS_BASE + pass_id:032x}", f"{HOUSEHOLD_BASE + household:032x}", "in", 1, "valid", 1,
                      "valid", "", 0))
        if len(batch) == CHUNK:
            raw.executemany(sql, batch)
            batch.clear()
    raw.executemany(sql, batch)
    raw.execute("COMMIT")


def _load_postgresql(count: int) -> None:
    from django.db import connection

    paths = [gate_path(g) for g in range(GATES)]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE passes_scan DROP CONSTRAINT IF EXISTS passes_scan_client_uuid_key")
        cursor.execute("ALTER TABLE passes_scan SET UNLOGGED")
        with cursor.copy(f"COPY passes_scan ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for scan_id, pass_id, household, gate, epoch in _rows(count):
                when = datetime.fromtimestamp(epoch, tz=UTC)
                copy.write_row((scan_id, f"{scan_id:032x}", "bench", gate + 1, paths[gate], 1, when, when, "qr",
                                f"{PASS_BASE + pass_id:032x}", f"{HOUSEHOLD_BASE + household:032x}", "in", True,
                                "valid", True, "valid", "", 0))
        cursor.execute("ALTER TABLE passes_scan SET LOGGED")


def _indexes() -> None:
    from django.db import connection

    pattern = " varchar_pattern_ops" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX passes_scan_gate_path_time ON passes_scan (gate_path{pattern}, scanned_at)")
        cursor.execute("CREATE INDEX passes_scan_household ON passes_scan (household_public_id)")
        cursor.execute("ANALYZE passes_scan" if connection.vendor == "postgresql" else "ANALYZE")


def _count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT max(id) FROM passes_scan")
            return cursor.fetchone()[0] or 0
        except Exception:
            return 0


def _trace_once(pass_number: int) -> dict:
    from xiachen.passes import tracing

    person = SimpleNamespace(public_id=uuid.UUID(int=PASS_BASE + pass_number),
                             household=SimpleNamespace(public_id=uuid.UUID(int=HOUSEHOLD_BASE + pass_number // 2)))
    start = time.perf_counter()
    passages = tracing.passages_of_pass(person, start=MONTH_START, end=MONTH_START + timedelta(days=DAYS))
    contacts = tracing.scan_contacts(passages, interval=timedelta(minutes=15), exclude_pass=person.public_id)
    return {"seconds": time.perf_counter() - start, "passages": len(passages), "contacts": len(contacts)}


def _plan(connection) -> str:
    sample = gate_path(1)
    with connection.cursor() as cursor:
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} SELECT id FROM passes_scan WHERE gate_path = %s AND scanned_at >= %s "  # noqa: S608
                       "AND scanned_at <= %s", [sample, MONTH_START, MONTH_START + timedelta(minutes=30)])
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def main() -> None:
    arguments = _arguments()
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
    setup_django(database)
    from django.db import connection

    vendor = connection.vendor
    build = {}
    if not (arguments.reuse and _count() == arguments.scans):
        began = time.perf_counter()
        _create_table()
        (_load_postgresql if vendor == "postgresql" else _load_sqlite)(arguments.scans)
        build["load_s"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        _indexes()
        build["index_s"] = round(time.perf_counter() - began, 1)
    passes = max(1, arguments.scans // SCANS_PER_PASS)
    persons = random.Random(7).sample(range(passes), min(arguments.persons, passes))
    _trace_once(persons[0])  # warm the connection
    runs = [_trace_once(number) for number in persons]
    seconds = sorted(run["seconds"] for run in runs)
    result = {
        "vendor": vendor,
        "scans": _count(),
        "goal_scans": 10_000_000,
        "at_goal_scale": _count() >= 10_000_000,
        "gates": GATES,
        "days": DAYS,
        "interval_minutes": 15,
        "persons_traced": len(runs),
        "build": build,
        "indexes": ["(gate_path, scanned_at) as passes migration 0009", "household_public_id"],
        "passages_median": statistics.median(run["passages"] for run in runs),
        "contacts_median": statistics.median(run["contacts"] for run in runs),
        "trace_s_median": round(statistics.median(seconds), 4),
        "trace_s_p95": round(seconds[max(0, int(len(seconds) * 0.95) - 1)], 4),
        "trace_s_max": round(seconds[-1], 4),
        "goal_s": 2.0,
        "meets_goal": seconds[-1] < 2.0,
        "plan": _plan(connection),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()[0]},
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    out = ROOT / "bench" / "results" / f"tracing_{vendor}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
