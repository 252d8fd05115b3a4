"""Batch ingest of gate scans: idempotent on the device's UUID, re-verified, disagreements kept.

A batch is one transaction with a handful of queries whatever its size: existing UUIDs, gates,
revocations, policies and recent outings are read once, every scan is re-verified in memory, and the
new rows go in with one bulk statement (COPY + INSERT … SELECT on PostgreSQL, a multi-row INSERT
elsewhere) with ON CONFLICT (client_uuid) DO NOTHING, so a concurrent duplicate upload cannot create
a second row; only rows this call inserted get disagreements and fever alerts.
"""

import uuid
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.models import User
from xiachen.accounts.permissions import scope_paths
from xiachen.audit import services as audit
from xiachen.notices.services import notify
from xiachen.org.models import Unit

from .models import Disagreement, FeverAlert, Pass, PolicyVersion, Scan
from .rules import policy_of
from .selectors import audiences_of, snapshot_for
from .tokens import MAX_TOKEN_LENGTH, TokenError, parse_token
from .verifier import Policy, Snapshot, verify
from .verifier import Scan as ScanInput

MAX_BATCH = 1000
MAX_CLOCK_SKEW = timedelta(days=30)  # after correction: older or later scans are refused as bad_field
CLOCK_TOLERANCE = timedelta(minutes=2)  # device clocks this close to the server's are taken as they are


def clock_offset(device_time: int | None, now: datetime) -> timedelta:
    """How far the device's clock is behind the server's, from the clock it sent with the upload.

    Zero when it did not send one or is within CLOCK_TOLERANCE. Applied to every timestamp of the
    upload, so a gate phone whose clock was reset (or runs days ahead) loses no scans; an upload made
    after the clock was fixed carries no offset, and those scans keep the wrong times they were taken
    with (the device cannot know better).
    """
    if device_time is None:
        return timedelta(0)
    try:
        offset = now - datetime.fromtimestamp(int(device_time), tz=UTC)
    except (ValueError, TypeError, OverflowError, OSError):
        return timedelta(0)
    return offset if abs(offset) > CLOCK_TOLERANCE else timedelta(0)


@dataclass
class _Row:
    client_uuid: uuid.UUID
    gate: Unit
    scanned_at: datetime
    token: str
    direction: str
    temperature: Decimal | None
    client_valid: bool
    client_reason: str
    manual_reason: str
    clock_offset: int = 0  # seconds added to the device's timestamp


class _BadScan(ValueError):
    pass


def _parse(raw: dict, gates: dict[str, Unit], now: datetime, offset: timedelta) -> _Row:
    if not isinstance(raw, dict):
        raise _BadScan("not_an_object")
    try:
        client_uuid = uuid.UUID(str(raw.get("client_uuid")))
        scanned_at = datetime.fromtimestamp(int(raw["scanned_at"]), tz=UTC) + offset
        temperature = None if raw.get("temperature") in (None, "") else Decimal(str(raw["temperature"]))
    except (KeyError, ValueError, TypeError, OverflowError, OSError, InvalidOperation) as error:
        raise _BadScan("bad_field") from error
    gate = gates.get(str(raw.get("gate")))
    if gate is None:
        raise _BadScan("unknown_gate")
    if raw.get("direction") not in ("in", "out") or abs(scanned_at - now) > MAX_CLOCK_SKEW:
        raise _BadScan("bad_field")
    if temperature is not None and not Decimal("30") <= temperature <= Decimal("45"):
        raise _BadScan("bad_temperature")
    token = raw.get("token")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        token = ""
    return _Row(
        client_uuid,
        gate,
        scanned_at,
        token,
        raw["direction"],
        temperature.quantize(Decimal("0.1")) if temperature else None,
        bool(raw.get("client_valid")),
        str(raw.get("client_reason", ""))[:30],
        str(raw.get("manual_reason", ""))[:200],
        int(offset.total_seconds()),
    )


def _gates_for(user, raw_scans: list) -> dict[str, Unit]:
    ids = set()
    for raw in raw_scans:
        try:
            ids.add(uuid.UUID(str(raw.get("gate"))))
        except (ValueError, AttributeError):
            continue
    paths = scope_paths(user, "gate.scan")
    gates = Unit.objects.filter(public_id__in=ids, kind__code="compound").select_related("parent")
    return {str(g.public_id): g for g in gates if any(g.path.startswith(p) for p in paths)}


_MEMO: dict = {}  # decoded tokens and signature checks (pure functions of their inputs), process-wide
_MEMO_LIMIT = 20_000  # ≈ 20 MB; cleared when full (a compound has far fewer passes)


class _Checker:
    """Server re-check of many scans with the data read once per batch.

    Trust list, revoked keys, policies, revocation times and recent outings are read in a fixed
    number of queries; snapshots are built once per (gate, policy version, revocations in force)
    and tokens are decoded and signature-checked once per distinct token (`_MEMO`).
    """

    def __init__(self, rows: list[_Row], now: datetime):
        communities = {row.gate.parent_id: row.gate.parent for row in rows}
        self.base = {cid: snapshot_for(c, at=now) for cid, c in communities.items()}
        self.policies = defaultdict(list)
        for version in PolicyVersion.objects.filter(community_id__in=communities).order_by("effective_at"):
            self.policies[version.community_id].append((version.effective_at, policy_of(version)))
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        revoked = self._revocations(rows)
        self.revoked_times = [at for _pid, at in revoked]
        self.revoked_ids = [pid for pid, _at in revoked]
        self.outs = self._recent_outs(rows)
        self.snapshots: dict[tuple, Snapshot] = {}
        self.audiences: dict[int, frozenset[str]] = {}

    def _claims(self, row: _Row):
        parsed = _MEMO.get(row.token)
        if parsed is None:
            try:
                parsed = parse_token(row.token)
            except TokenError as error:
                parsed = error
            _MEMO[row.token] = parsed
        return None if isinstance(parsed, TokenError) else parsed.claims

    def _revocations(self, rows: list[_Row]) -> list[tuple[str, datetime]]:
        ids = {claims.pass_id for claims in map(self._claims, rows) if claims is not None}
        revoked = Pass.objects.filter(public_id__in=ids, revoked_at__isnull=False).values_list(
            "public_id", "revoked_at"
        )
        return sorted(((str(pid), at) for pid, at in revoked), key=lambda item: item[1])

    def _recent_outs(self, rows: list[_Row]) -> dict[str, list[tuple[str, int]]]:
        outgoing = [row for row in rows if row.direction == "out"]
        households = {claims.household_id for claims in map(self._claims, outgoing) if claims is not None}
        if not households:
            return defaultdict(list)
        earliest = min(row.scanned_at for row in outgoing) - timedelta(days=31)
        outs = defaultdict(list)
        query = Scan.objects.filter(
            direction="out", server_valid=True, scanned_at__gte=earliest, household_public_id__in=households
        )
        for household, pass_id, at in query.values_list("household_public_id", "pass_public_id", "scanned_at"):
            outs[str(household)].append((str(pass_id), int(at.timestamp())))
        return outs

    def _snapshot(self, row: _Row, policy: Policy | None) -> Snapshot:
        in_force = bisect_right(self.revoked_times, row.scanned_at)  # revocations at or before the scan
        key = (row.gate.pk, policy.version if policy else None, in_force)
        snapshot = self.snapshots.get(key)
        if snapshot is None:
            base = self.base[row.gate.parent_id]
            audiences = self.audiences.get(row.gate.pk)
            if audiences is None:
                audiences = self.audiences[row.gate.pk] = audiences_of(row.gate)
            revoked = frozenset(self.revoked_ids[:in_force])
            snapshot = self.snapshots[key] = Snapshot(base.keys, base.revoked_keys, revoked, audiences, policy)
        return snapshot

    def check(self, row: _Row):
        policy = None
        for effective_at, candidate in self.policies[row.gate.parent_id]:
            if effective_at <= row.scanned_at:
                policy = candidate
        snapshot = self._snapshot(row, policy)
        now = int(row.scanned_at.timestamp())

        def went_out(household: str, pass_id: str, days: int) -> bool:
            since = now - days * 86400
            return any(p != pass_id and since <= at < now for p, at in self.outs.get(household, ()))

        temperature = float(row.temperature) if row.temperature is not None else None
        verdict = verify(row.token, snapshot, ScanInput(now, row.direction, temperature, went_out), memo=_MEMO)
        if verdict.valid and row.direction == "out":
            self.outs[verdict.household_id].append((verdict.pass_id, now))
        return verdict, policy


# Columns written by the bulk insert, in order (the id is generated by the database); the demo's
# bulk loader writes the same ones.
SCAN_COLUMNS = [
    "client_uuid",
    "device_id",
    "gate_id",
    "gate_path",
    "recorded_by_id",
    "scanned_at",
    "received_at",
    "method",
    "pass_public_id",
    "household_public_id",
    "direction",
    "temperature",
    "client_valid",
    "client_reason",
    "server_valid",
    "server_reason",
    "policy_version",
    "manual_reason",
    "clock_offset",
]


def _values(row: _Row, verdict, *, by_id: int, device_id: str, now: datetime) -> tuple:
    return (
        row.client_uuid,
        device_id,
        row.gate.pk,
        row.gate.path,
        by_id,
        row.scanned_at,
        now,
        "manual" if row.manual_reason else "qr",
        verdict.pass_id or None,  # canonical UUID text from the token (COPY and the adapter take it as is)
        verdict.household_id or None,
        row.direction,
        row.temperature,
        row.client_valid,
        row.client_reason,
        verdict.valid,
        verdict.reason,
        verdict.policy_version,
        row.manual_reason,
        row.clock_offset,
    )


@transaction.atomic
def ingest_scans(*, by, device_id: str, scans: list, device_time: int | None = None) -> list[dict]:
    """Store each new scan once; report per scan "stored", "duplicate" or "rejected" with an error code.

    `device_time` is the device's clock when it sent the batch; a skewed clock is corrected for
    (see clock_offset) and the correction is kept on each scan.
    """
    if len(scans) > MAX_BATCH:
        raise ValueError(_("每批最多 %(max)s 条") % {"max": MAX_BATCH})
    now = timezone.now()
    offset = clock_offset(device_time, now)
    gates = _gates_for(by, scans)
    results, rows, seen = [], [], set()
    for raw in scans:
        try:
            row = _parse(raw, gates, now, offset)
        except _BadScan as error:
            results.append(
                {
                    "client_uuid": str(raw.get("client_uuid", ""))[:40] if isinstance(raw, dict) else "",
                    "status": "rejected",
                    "error": str(error),
                }
            )
            continue
        results.append({"client_uuid": str(row.client_uuid), "status": "stored", "error": ""})
        if row.client_uuid in seen:
            results[-1]["status"] = "duplicate"
            continue
        seen.add(row.client_uuid)
        rows.append(row)
    # No lookup of stored UUIDs first: ON CONFLICT skips them, and re-verifying a re-sent scan is
    # cheaper than a 500-value IN query on every upload (re-sends are rare).
    rows.sort(key=lambda r: r.scanned_at)
    inserted = _store(rows, by=by, device_id=str(device_id)[:40], now=now)
    for result in results:  # already stored, or stored by a concurrent upload of the same batch
        if result["status"] == "stored" and result["client_uuid"] not in inserted:
            result["status"] = "duplicate"
    return results


def _store(rows: list[_Row], *, by, device_id: str, now: datetime) -> set[str]:
    """Verify in memory, insert in bulk; disagreements and fever alerts only for rows this call inserted."""
    if not rows:
        return set()
    checker = _Checker(rows, now)
    values, disagreeing, alerts = [], [], []
    by_id = by.pk  # read once: `by` is usually the request's lazy user proxy
    for row in rows:
        verdict, policy = checker.check(row)
        values.append(_values(row, verdict, by_id=by_id, device_id=device_id, now=now))
        if row.client_valid != verdict.valid or row.client_reason != verdict.reason:
            disagreeing.append(row)
        if policy and row.temperature is not None and float(row.temperature) >= policy.fever_threshold:
            alerts.append(row)
    inserted = bulk_insert_scans(values)
    disagreements = [
        Disagreement(scan_id=row.client_uuid, gate_path=row.gate.path)
        for row in disagreeing
        if str(row.client_uuid) in inserted
    ]
    fever = [
        FeverAlert(scan_id=row.client_uuid, gate_path=row.gate.path, temperature=row.temperature)
        for row in alerts
        if str(row.client_uuid) in inserted
    ]
    Disagreement.objects.bulk_create(disagreements, batch_size=500, ignore_conflicts=True)
    FeverAlert.objects.bulk_create(fever, ignore_conflicts=True)
    if fever:
        _notify_fever(fever)
    if inserted:
        # After the commit, in its own short transaction: appending to the audit chain locks its head
        # row until commit, and inside this transaction that lock would serialize every upload of
        # every gate for the whole insert and commit. Scans hold no personal data; the trade-off is
        # that a crash between the two commits loses the upload's audit line, never a scan.
        fields = {"count": len(inserted), "device": device_id[:40]}
        transaction.on_commit(lambda: audit.record(actor=by, action="scans.ingested", fields=fields))
    return inserted


def bulk_insert_scans(values: list[tuple]) -> set[str]:
    """Insert scan rows, skipping client UUIDs already stored; the UUIDs actually inserted.

    PostgreSQL: COPY into a session temp table, then one INSERT … SELECT … ON CONFLICT DO NOTHING
    RETURNING. Other databases: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per 500 rows.
    """
    # identifiers only come from the model and SCAN_COLUMNS (constants); every value is a bound parameter
    table = connection.ops.quote_name(Scan._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in SCAN_COLUMNS)
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS passes_scan_incoming AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
            )
            cursor.execute("TRUNCATE passes_scan_incoming")
            with cursor.cursor.copy(f"COPY passes_scan_incoming ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM passes_scan_incoming "  # noqa: S608
                "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid"
            )
            inserted = {str(u) for (u,) in cursor.fetchall()}
            cursor.execute("TRUNCATE passes_scan_incoming")
            return inserted
        adapt = _sqlite_adapter()
        placeholders = "(" + ", ".join(["%s"] * len(SCAN_COLUMNS)) + ")"
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            params = [value for row in chunk for value in adapt(row)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} "  # noqa: S608
                "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid",
                params,
            )
            inserted.update(str(uuid.UUID(u)) for (u,) in cursor.fetchall())
    return inserted


def _sqlite_adapter():
    """Row values as Django stores them without native UUID/datetime types (hex UUIDs, UTC text)."""
    ops = connection.ops

    def adapt(row: tuple) -> tuple:
        row = list(row)
        row[0] = row[0].hex
        for index in (8, 9):  # pass and household ids: canonical UUID text
            if row[index] is not None:
                row[index] = row[index].replace("-", "")
        row[5] = ops.adapt_datetimefield_value(row[5])
        row[6] = ops.adapt_datetimefield_value(row[6])
        if row[11] is not None:
            row[11] = str(row[11])
        return tuple(row)

    return adapt


def _notify_fever(alerts: list[FeverAlert]) -> None:
    """Each alert goes to the managers of the gate's community (the follow-up task is the alert row)."""
    for alert in alerts:
        community_path = alert.gate_path.rstrip("/").rsplit("/", 1)[0] + "/"
        managers = User.objects.filter(
            memberships__is_active=True, memberships__role="unit_manager", memberships__unit__path=community_path
        )
        notify(
            recipients=managers,
            kind="fever_alert",
            title=_("门岗发热预警：%(t)s ℃") % {"t": alert.temperature},
            link="/passes/fever/",
        )
