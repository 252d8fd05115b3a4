"""Monthly partitions of scans and checkpoint registrations on PostgreSQL (ADR 2111, issue #21 item 4).

Each test changes partitions inside its own transaction (PostgreSQL's DDL is transactional), so the
rollback puts the migrated layout back. Months are UTC calendar months relative to today.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.passes import checkpoint
from xiachen.passes.ingest import ingest_scans
from xiachen.passes.models import CheckpointEntry, Disagreement, Scan
from xiachen.passes.partitions import (
    CHECKPOINTS,
    SCANS,
    Partitioned,
    claim,
    convert,
    drop_expired_months,
    ensure_months,
    month_start,
    months,
    next_month,
    partition_name,
)

pytestmark = pytest.mark.postgresql_only


def _this_month() -> date:
    return month_start(timezone.now().astimezone(UTC).date())


def _previous(first: date, n: int = 1) -> date:
    for _ in range(n):
        first = month_start(first - timedelta(days=1))
    return first


def _at(first: date, *, days: int = 0, hours: int = 0) -> datetime:
    return datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(days=days, hours=hours)


def _where(client_uuid) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM passes_scan WHERE client_uuid = %s", [client_uuid])
        return cursor.fetchone()[0]


def _scan_row(tree, people, at: datetime, client_uuid=None) -> Scan:
    return Scan.objects.create(
        client_uuid=client_uuid or uuid.uuid4(), device_id="d1", gate=tree.compound1, gate_path=tree.compound1.path,
        recorded_by=people.worker1, scanned_at=at, received_at=at, direction="in", client_valid=True,
        client_reason="valid", server_valid=True, server_reason="valid",
    )


def _upload(tree, people, client_uuid: str, at: datetime, **kwargs) -> str:
    scan = {"client_uuid": client_uuid, "gate": str(tree.compound1.public_id), "scanned_at": int(at.timestamp()),
            "token": "", "direction": "in", "client_valid": False, "client_reason": "bad_token"}
    [result] = ingest_scans(by=people.worker1, device_id="gate-phone", scans=[scan], **kwargs)
    return result["status"]


def test_migrate_leaves_both_tables_partitioned_by_month_with_this_and_next_month(db):
    this = _this_month()
    with connection.cursor() as cursor:
        for spec in (SCANS, CHECKPOINTS):
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [spec.table])
            assert cursor.fetchone()[0] == "p"
            assert {this, next_month(this)} <= set(months(cursor, spec))
            cursor.execute("SELECT pg_get_partkeydef(%s::regclass), pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype = 'p'", [spec.table, spec.table])
            assert cursor.fetchone() == (f"RANGE ({spec.key})", f"PRIMARY KEY (id, {spec.key})")
            cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", [f"{spec.table}_default", spec.claims])
            assert None not in cursor.fetchone()
            # no insert trigger: the writers claim, set-based (a row trigger costs each COPY row, ADR 2111)
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                           "ORDER BY tgname", [spec.table])
            assert cursor.fetchall() == [(f"{spec.table}_release_uuids",), (f"{spec.table}_truncate_uuids",)]
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'passes_scan'")
        assert {"passes_scan_gate_time", "passes_scan_gate_path_time"} <= {name for (name,) in cursor.fetchall()}


def test_creating_next_months_partitions_is_idempotent(db):
    assert ensure_months() == []  # migrate made this month and the next
    later = next_month(next_month(_this_month()))
    created = ensure_months(now=_at(next_month(_this_month()), days=3))
    assert created == [partition_name(SCANS, later), partition_name(CHECKPOINTS, later)]
    assert ensure_months(now=_at(next_month(_this_month()), days=3)) == []


def test_a_scan_for_a_month_without_partition_is_stored_and_moves_in_when_the_month_is_created(tree, people):
    this = _this_month()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {partition_name(SCANS, this)}")
    at = timezone.now() - timedelta(minutes=5)
    client_uuid = str(uuid.uuid4())
    assert _upload(tree, people, client_uuid, at) == "stored"
    assert _where(client_uuid) == "passes_scan_default"

    assert partition_name(SCANS, this) in ensure_months()
    assert _where(client_uuid) == partition_name(SCANS, this)
    assert _upload(tree, people, client_uuid, at) == "duplicate"  # still claimed after the move
    assert Scan.objects.filter(client_uuid=client_uuid).count() == 1


def test_ingest_stays_idempotent_when_a_resend_lands_in_another_months_partition(tree, people):
    """A re-sent batch whose device clock was corrected differently puts the same scan in the next month."""
    now = timezone.now()
    this = _this_month()
    boundary = min((_at(this), _at(next_month(this))), key=lambda b: abs(b - now))  # ≤ 16 days away
    client_uuid = str(uuid.uuid4())
    assert _upload(tree, people, client_uuid, boundary - timedelta(hours=1)) == "stored"
    corrected = int((now - timedelta(hours=2)).timestamp())  # device 2 h behind: +2 h on each scan
    assert _upload(tree, people, client_uuid, boundary - timedelta(hours=1), device_time=corrected) == "duplicate"
    [scan] = Scan.objects.filter(client_uuid=client_uuid)
    assert scan.scanned_at == boundary - timedelta(hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():  # any writer, not only the ingest
        _scan_row(tree, people, boundary + timedelta(hours=1), client_uuid=client_uuid)
    entry = checkpoint.ingest_entries(
        by=people.worker1, device_id="gate-phone",
        entries=[{"client_uuid": client_uuid, "gate": str(tree.compound1.public_id),
                  "registered_at": int(now.timestamp()), "name": "李四", "phone": "13912345678"}],
    )
    again = checkpoint.ingest_entries(
        by=people.worker1, device_id="gate-phone", device_time=corrected,
        entries=[{"client_uuid": client_uuid, "gate": str(tree.compound1.public_id),
                  "registered_at": int(now.timestamp()), "name": "李四", "phone": "13912345678"}],
    )
    assert (entry[0]["status"], again[0]["status"]) == ("stored", "duplicate")
    assert CheckpointEntry.objects.filter(client_uuid=client_uuid).count() == 1


def _claimed(spec: Partitioned, client_uuid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {spec.claims} WHERE client_uuid = %s", [client_uuid])  # noqa: S608
        return cursor.fetchone()[0] == 1


def test_every_writer_claims_and_a_delete_releases_while_a_move_to_another_month_keeps_the_claim(tree, people):
    this = _this_month()
    scan = _scan_row(tree, people, _at(this, days=1))  # save(): claimed
    assert _claimed(SCANS, scan.client_uuid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scan.objects.bulk_create([Scan(**{f.attname: getattr(scan, f.attname) for f in Scan._meta.concrete_fields
                                          if f.attname != "id"})])
    Scan.objects.filter(pk=scan.pk).update(scanned_at=_at(next_month(this), days=1))  # moves partitions
    assert _where(scan.client_uuid) == partition_name(SCANS, next_month(this))
    assert _claimed(SCANS, scan.client_uuid)
    Scan.objects.filter(client_uuid=scan.client_uuid).delete()
    assert not _claimed(SCANS, scan.client_uuid)
    assert _upload(tree, people, str(scan.client_uuid), timezone.now() - timedelta(minutes=1)) == "stored"


def test_retention_drops_exactly_the_expired_months_with_their_dependents_and_audits_it(tree, people):
    this = _this_month()
    now = _at(this, days=10)  # 28 days back is last month: it stays, the two before it go
    ensure_months(now=_at(_previous(this, 3)), ahead=3)
    old = {n: _scan_row(tree, people, _at(_previous(this, n), days=5)) for n in (1, 2, 3)}
    Disagreement.objects.create(scan=old[2], gate_path=old[2].gate_path)
    Disagreement.objects.create(scan=old[1], gate_path=old[1].gate_path)
    stray = _scan_row(tree, people, _at(_previous(this, 4), days=2))  # no partition: in the default one
    kept = _scan_row(tree, people, now - timedelta(days=27))  # last month too, but within its 28 days
    Disagreement.objects.create(scan=kept, gate_path=kept.gate_path)
    recent = _scan_row(tree, people, now - timedelta(days=1))

    dropped = drop_expired_months(retention_days=28, now=now)

    assert [d["partition"] for d in dropped] == [partition_name(SCANS, _previous(this, n)) for n in (3, 2)]
    # last month stays as a partition, without its rows past the cutoff: 28 days, not a month more
    assert set(Scan.objects.values_list("client_uuid", flat=True)) == {kept.client_uuid, recent.client_uuid}
    assert list(Disagreement.objects.values_list("scan_id", flat=True)) == [kept.client_uuid]
    with connection.cursor() as cursor:
        assert set(months(cursor, SCANS)) >= {_previous(this), this, next_month(this)}
        assert not {_previous(this, 2), _previous(this, 3)} & set(months(cursor, SCANS))
        cursor.execute("SELECT count(*) FROM passes_scan_uuid WHERE client_uuid = ANY(%s)",
                       [[old[1].client_uuid, old[2].client_uuid, old[3].client_uuid, stray.client_uuid]])
        assert cursor.fetchone()[0] == 0  # their UUIDs are released with them
    events = AuditEvent.objects.filter(action="partition.dropped").order_by("id")
    assert [(e.fields["month"], e.fields["rows"]) for e in events] == [
        (f"{_previous(this, 3):%Y-%m}", 1), (f"{_previous(this, 2):%Y-%m}", 1)
    ]
    assert AuditEvent.objects.get(action="passes.scans_expired").fields["rows"] == 2  # old[1] and the stray
    assert drop_expired_months(retention_days=28, now=now) == []


def test_the_migration_converts_a_table_holding_rows_and_keeps_its_references(db):
    """convert() on a small copy of the scan table's shape: rows, ids, sequence, indexes, foreign key."""
    spec = Partitioned("demo_scan", "taken_at", (("demo_note", "scan_id"),))
    this = _this_month()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE demo_scan (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                       "client_uuid uuid NOT NULL UNIQUE, public_id uuid NOT NULL UNIQUE, "
                       "taken_at timestamptz NOT NULL, gate varchar(20) NOT NULL)")
        cursor.execute("CREATE INDEX demo_scan_gate_time ON demo_scan (gate, taken_at)")
        cursor.execute("CREATE TABLE demo_note (id serial PRIMARY KEY, scan_id uuid NOT NULL "
                       "REFERENCES demo_scan (client_uuid) DEFERRABLE INITIALLY DEFERRED)")
        cursor.execute("INSERT INTO demo_scan (client_uuid, public_id, taken_at, gate) SELECT gen_random_uuid(), "
                       "gen_random_uuid(), %s - i * interval '1 day', 'g' FROM generate_series(0, 69) i",
                       [_at(this, days=1)])
        cursor.execute("INSERT INTO demo_note (scan_id) SELECT client_uuid FROM demo_scan LIMIT 3")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a migration: no pending checks

        convert(cursor, spec, today=this)

        cursor.execute("SELECT count(*), max(id) FROM demo_scan")
        assert cursor.fetchone() == (70, 70)
        first = month_start(_at(this, days=1 - 69).date())
        expected = {first}
        while max(expected) < next_month(this):
            expected.add(next_month(max(expected)))
        assert set(months(cursor, spec)) == expected
        cursor.execute("SELECT count(*) FROM demo_scan_default")
        assert cursor.fetchone() == (0,)
        cursor.execute("INSERT INTO demo_scan (client_uuid, public_id, taken_at, gate) "
                       "VALUES (gen_random_uuid(), gen_random_uuid(), now(), 'g') RETURNING id")
        assert cursor.fetchone() == (71,)  # the sequence went on from the copied ids
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'demo_scan'")
        assert {"demo_scan_gate_time", "demo_scan_client_uuid", "demo_scan_pkey"} <= {n for (n,) in cursor.fetchall()}
        cursor.execute("SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'demo_note'::regclass "
                       "AND contype = 'f'")
        assert cursor.fetchone() == ("demo_scan_uuid",)
        cursor.execute("SELECT scan_id FROM demo_note LIMIT 1")
        stored = cursor.fetchone()[0]
        with pytest.raises(IntegrityError), transaction.atomic():  # the copied rows' UUIDs are claimed
            claim(spec, [stored])
