"""Batch ingest of gate scans: idempotent on the device's UUID, re-verified, disagreements kept.

A batch is one transaction with a handful of queries whatever its size: gates, trust list, policies,
revocations and recent outings are read once, every scan is re-verified in memory, and the new rows
go in with one bulk statement (`ScanWriter`: on PostgreSQL a COPY claims the batch's UUIDs, skipping
stored ones on a re-send, and a binary COPY writes the rows claimed into the partitioned table, ADR 2111;
a multi-row INSERT … ON CONFLICT (client_uuid) DO NOTHING elsewhere), so a re-sent or concurrently
uploaded batch cannot create a second row; only rows this call inserted get disagreements, fever
alerts and the upload's audit line (ADR 0503).
"""

import math
import re
import time
import uuid
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import errors as psycopg_errors

from xiachen.accounts.models import User
from xiachen.accounts.permissions import scope_paths
from xiachen.audit import services as audit
from xiachen.interop.webhooks import emit
from xiachen.notices.services import notify
from xiachen.org.models import Unit

from .models import Disagreement, FeverAlert, Pass, PolicyVersion, Scan
from .partitions import SCANS, claim, copy_claims
from .rules import combine, policy_from
from .selectors import audiences_of, prefixes_of, trust_for
from .temperatures import TemperatureError, parse_temperature
from .tokens import MAX_TOKEN_LENGTH, TokenError, parse_token
from .verifier import Policy, Snapshot, verify
from .verifier import Scan as ScanInput

MAX_BATCH = 1000
MAX_CLOCK_SKEW = timedelta(days=30)  # after correction: older or later scans are refused as bad_field
MAX_CLOCK_SKEW_SECONDS = int(MAX_CLOCK_SKEW.total_seconds())
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


@dataclass(slots=True)
class _Row:
    client_uuid: str  # canonical lowercase text
    gate: Unit
    at: int  # when scanned, epoch seconds on the server's clock (device time + clock_offset)
    token: str
    direction: str
    temperature: Decimal | None
    client_valid: bool
    client_reason: str
    manual_reason: str
    clock_offset: int = 0  # seconds added to the device's timestamp


class _BadScan(ValueError):
    pass


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid_text(value) -> str:
    """Canonical text of a UUID the device sent (crypto.randomUUID's form passes with one regex)."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    return str(uuid.UUID(str(value)))


def _text(value, limit: int) -> str:
    if value == "":
        return value
    return str(value)[:limit].replace("\x00", "")  # NUL: the one character PostgreSQL text cannot hold


def _parse(raw: dict, gates: dict[str, Unit], now: int, offset: int) -> _Row:
    if not isinstance(raw, dict):
        raise _BadScan("not_an_object")
    try:
        client_uuid = _uuid_text(raw.get("client_uuid"))
        scanned = raw["scanned_at"]
        if isinstance(scanned, bool) or not isinstance(scanned, int | float | str):
            raise TypeError(scanned)
        at = int(scanned) + offset
    except (KeyError, ValueError, TypeError, OverflowError, InvalidOperation) as error:
        raise _BadScan("bad_field") from error
    try:
        temperature = parse_temperature(raw.get("temperature"))
    except TemperatureError as error:
        raise _BadScan("bad_temperature") from error
    gate = gates.get(str(raw.get("gate")))
    if gate is None:
        raise _BadScan("unknown_gate")
    direction = raw.get("direction")
    if direction not in ("in", "out") or abs(at - now) > MAX_CLOCK_SKEW_SECONDS:
        raise _BadScan("bad_field")
    token = raw.get("token")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        token = ""
    return _Row(
        client_uuid,
        gate,
        at,
        token,
        direction,
        temperature,
        bool(raw.get("client_valid")),
        _text(raw.get("client_reason", ""), 30),
        _text(raw.get("manual_reason", ""), 200),
        offset,
    )


def _gates_for(user, raw_items: list) -> dict[str, Unit]:
    """Gate units the user may scan at, keyed by the text each item gave for its gate."""
    canonical = {}
    for text in {str(raw.get("gate")) for raw in raw_items if isinstance(raw, dict)}:
        try:
            canonical[text] = uuid.UUID(text)
        except ValueError:
            continue
    paths = scope_paths(user, "gate.scan")
    gates = Unit.objects.filter(public_id__in=set(canonical.values()), kind__code="compound").select_related("parent")
    in_scope = {g.public_id: g for g in gates if any(g.path.startswith(p) for p in paths)}
    return {text: in_scope[public_id] for text, public_id in canonical.items() if public_id in in_scope}


_MEMO: dict = {}  # decoded tokens and signature checks (pure functions of their inputs), process-wide
_MEMO_LIMIT = 20_000  # ≈ 20 MB; cleared when full (a compound has far fewer passes)


class _Checker:
    """Server re-check of many scans with the data read once per batch.

    Trust list, revoked keys, policies, revocation times and recent outings are read in a fixed
    number of queries; snapshots are built once per (gate, policy version, revocations in force)
    and tokens are decoded and signature-checked once per distinct token (`_MEMO`).
    """

    def __init__(self, rows: list[_Row], now: datetime):
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        communities = {row.gate.parent_id: row.gate.parent for row in rows}
        self.trust = {cid: trust_for(c, at=now) for cid, c in communities.items()}
        self.policies = self._policy_timelines(communities)
        parsed = [self._parsed(row) for row in rows]
        revoked = self._revocations(parsed)
        self.revoked_times = [at for at, _pid in revoked]
        self.revoked_ids = [pid for _at, pid in revoked]
        self.outs = self._recent_outs(rows, parsed)
        self.held = self._held_periods(rows, parsed)
        self.designated = self._designated(parsed)
        self.snapshots: dict[tuple, Snapshot] = {}
        self.audiences: dict[int, frozenset[str]] = {}

    @staticmethod
    def _policy_timelines(communities: dict) -> dict[int, list[tuple[float, Policy]]]:
        """Per community, [(epoch from which, policy in force)] in time order: each time a version of
        the community or of an area above it takes effect, the chain's combined rules (rules.combine)."""
        prefixes = {cid: prefixes_of(c.path) for cid, c in communities.items()}
        paths = {path for chain in prefixes.values() for path in chain}
        versions = list(
            PolicyVersion.objects.filter(community_path__in=paths)
            .order_by("effective_at", "number")
            .only("community_path", "effective_at", "number", "rules")
        )
        timelines = defaultdict(list)
        for cid, chain_paths in prefixes.items():
            in_force: dict[str, PolicyVersion] = {}
            for version in (v for v in versions if v.community_path in chain_paths):
                in_force[version.community_path] = version
                chain = [in_force[path] for path in chain_paths if path in in_force]
                policy = policy_from(combine([v.rules for v in chain]), chain[-1].number)
                timelines[cid].append((version.effective_at.timestamp(), policy))
        return timelines

    @staticmethod
    def _held_periods(rows: list[_Row], parsed: list) -> dict[str, list[tuple[float, float]]]:
        """Per pass id of the batch's outgoing scans, the [from, until) epochs its holder was held at
        home (home quarantine of the household, health monitoring of the person)."""
        from xiachen.errands.enums import EpisodeKind
        from xiachen.errands.selectors import held_episodes

        outgoing = [(row, token) for row, token in zip(rows, parsed, strict=True) if row.direction == "out" and token]
        if not outgoing:
            return {}
        passes = Pass.objects.filter(public_id__in={token.pass_id for _row, token in outgoing})
        holders = {
            str(pid): (hid, rid) for pid, hid, rid in passes.values_list("public_id", "household_id", "resident_id")
        }
        if not holders:
            return {}
        since = datetime.fromtimestamp(min(row.at for row, _t in outgoing), tz=UTC)
        until = datetime.fromtimestamp(max(row.at for row, _t in outgoing), tz=UTC)
        households = {hid for hid, _rid in holders.values()}
        by_household: defaultdict[int, list[tuple[float, float]]] = defaultdict(list)
        by_resident: defaultdict[int, list[tuple[float, float]]] = defaultdict(list)
        episodes = held_episodes("/", since=since, until=until).filter(household_id__in=households)
        for kind, hid, rid, start, ended_at in episodes.values_list(
            "kind", "household_id", "resident_id", "start", "ended_at"
        ):
            begins = timezone.make_aware(datetime.combine(start, datetime.min.time())).timestamp()
            period = (begins, ended_at.timestamp() if ended_at else math.inf)
            (by_household[hid] if kind == EpisodeKind.HOME_QUARANTINE else by_resident[rid]).append(period)
        return {pid: by_household[hid] + by_resident[rid] for pid, (hid, rid) in holders.items()}

    @staticmethod
    def _designated(parsed: list) -> frozenset[str]:
        """The batch's passes that belong to their household's designated member (as designated now)."""
        ids = {token.pass_id for token in parsed if token is not None}
        rows = Pass.objects.filter(public_id__in=ids, resident_id=models.F("household__outing_member_id"))
        return frozenset(str(pid) for pid in rows.values_list("public_id", flat=True))

    @staticmethod
    def _parsed(row: _Row):
        parsed = _MEMO.get(row.token)
        if parsed is None:
            try:
                parsed = parse_token(row.token)
            except TokenError as error:
                parsed = error
            _MEMO[row.token] = parsed
        return None if isinstance(parsed, TokenError) else parsed

    @staticmethod
    def _revocations(parsed: list) -> list[tuple[float, str]]:
        """(epoch, pass id) of the batch's passes that are revoked, in time order."""
        ids = {token.pass_id for token in parsed if token is not None}
        revoked = Pass.objects.filter(public_id__in=ids, revoked_at__isnull=False).values_list(
            "public_id", "revoked_at"
        )
        return sorted((at.timestamp(), str(pid)) for pid, at in revoked if at is not None)  # not null: filtered

    @staticmethod
    def _recent_outs(rows: list[_Row], parsed: list) -> dict[str, list[tuple[str, int]]]:
        outgoing = [(row, token) for row, token in zip(rows, parsed, strict=True) if row.direction == "out"]
        households = {token.household_id for _row, token in outgoing if token is not None}
        outs: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
        if not households:
            return outs
        earliest = datetime.fromtimestamp(min(row.at for row, _t in outgoing), tz=UTC) - timedelta(days=31)
        query = Scan.objects.filter(
            direction="out", server_valid=True, scanned_at__gte=earliest, household_public_id__in=households
        )
        for household, pass_id, at in query.values_list("household_public_id", "pass_public_id", "scanned_at"):
            outs[str(household)].append((str(pass_id), int(at.timestamp())))  # 31 days: the longest interval
        return outs

    def _snapshot(self, row: _Row, policy: Policy | None, pass_id: str) -> Snapshot:
        """The gate's snapshot at the scan; held and designated are given for the scanned pass only
        (all the verifier looks at), so snapshots are shared by every scan with the same flags."""
        in_force = bisect_right(self.revoked_times, row.at)  # revocations at or before the scan
        held = any(begins <= row.at < ends for begins, ends in self.held.get(pass_id, ()))
        designated = pass_id in self.designated
        key = (row.gate.pk, id(policy), in_force, held, designated)
        snapshot = self.snapshots.get(key)
        if snapshot is None:
            keys, revoked_keys = self.trust[row.gate.parent_id]
            audiences = self.audiences.get(row.gate.pk)
            if audiences is None:
                audiences = self.audiences[row.gate.pk] = audiences_of(row.gate)
            revoked = frozenset(self.revoked_ids[:in_force])
            snapshot = self.snapshots[key] = Snapshot(
                keys, revoked_keys, revoked, audiences, policy,
                held_passes=frozenset({pass_id}) if held else frozenset(),
                designated_passes=frozenset({pass_id}) if designated else frozenset(),
            )
        return snapshot

    def check(self, row: _Row):
        policy = None
        community = row.gate.parent_id
        if community is None:
            raise ValueError("a gate always sits in a community")  # parse_rows accepts gates only
        for effective_at, candidate in self.policies[community]:
            if effective_at > row.at:
                break
            policy = candidate
        token = _MEMO.get(row.token)
        pass_id = token.pass_id if token is not None and not isinstance(token, TokenError) else ""
        snapshot = self._snapshot(row, policy, pass_id)
        temperature = float(row.temperature) if row.temperature is not None else None
        scan = ScanInput(row.at, row.direction, temperature, lambda household: self.outs.get(household, ()))
        verdict = verify(row.token, snapshot, scan, memo=_MEMO)
        if verdict.valid and row.direction == "out":
            self.outs[verdict.household_id].append((verdict.pass_id, row.at))
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


@transaction.atomic
def ingest_scans(*, by, device_id: str, scans: list, device_time: int | None = None) -> list[dict]:
    """Store each new scan once; report per scan "stored", "duplicate" or "rejected" with an error code.

    `device_time` is the device's clock when it sent the batch; a skewed clock is corrected for
    (see clock_offset) and the correction is kept on each scan.
    """
    if len(scans) > MAX_BATCH:
        raise ValueError(_("每批最多 %(max)s 条") % {"max": MAX_BATCH})
    now = timezone.now()
    # whole seconds, rounded down: a corrected time is never after the server's receipt
    offset = math.floor(clock_offset(device_time, now).total_seconds())
    now_epoch = int(now.timestamp())
    gates = _gates_for(by, scans)
    results, rows, seen = [], [], set()
    for raw in scans:
        try:
            row = _parse(raw, gates, now_epoch, offset)
        except _BadScan as error:
            results.append(
                {
                    "client_uuid": str(raw.get("client_uuid", ""))[:40] if isinstance(raw, dict) else "",
                    "status": "rejected",
                    "error": str(error),
                }
            )
            continue
        if row.client_uuid in seen:
            results.append({"client_uuid": row.client_uuid, "status": "duplicate", "error": ""})
            continue
        results.append({"client_uuid": row.client_uuid, "status": "stored", "error": ""})
        seen.add(row.client_uuid)
        rows.append(row)
    # No lookup of stored UUIDs first: the insert skips them, and re-verifying a re-sent scan is
    # cheaper than a 500-value IN query on every upload (re-sends are rare).
    # Time order for the re-check; the UUID breaks ties so that two uploads holding the same scans
    # insert them in the same order and cannot deadlock on the unique index.
    rows.sort(key=lambda r: (r.at, r.client_uuid))
    inserted = _store(rows, by=by, device_id=_text(device_id, 40), now=now)
    for result in results:  # already stored, or stored by a concurrent upload of the same batch
        if result["status"] == "stored" and result["client_uuid"] not in inserted:
            result["status"] = "duplicate"
    return results


def _store(rows: list[_Row], *, by, device_id: str, now: datetime) -> set[str]:
    """Verify in memory, insert in bulk; disagreements and fever alerts only for rows this call inserted."""
    if not rows:
        return set()
    checker = _Checker(rows, now)
    writer = ScanWriter(device_id=device_id, by_id=by.pk, received_at=now)  # by: often a lazy user proxy
    disagreeing: list[_Row] = []
    alerts: list[tuple[_Row, Decimal]] = []
    for row in rows:
        verdict, policy = checker.check(row)
        writer.add(row, verdict)
        if row.client_valid != verdict.valid or row.client_reason != verdict.reason:
            disagreeing.append(row)
        if policy and row.temperature is not None and float(row.temperature) >= policy.fever_threshold:
            alerts.append((row, row.temperature))
    inserted = writer.insert()
    disagreements = [
        Disagreement(scan_id=row.client_uuid, gate_path=row.gate.path)
        for row in disagreeing
        if row.client_uuid in inserted
    ]
    fever = [
        FeverAlert(scan_id=row.client_uuid, gate_path=row.gate.path, temperature=temperature)
        for row, temperature in alerts
        if row.client_uuid in inserted
    ]
    Disagreement.objects.bulk_create(disagreements, batch_size=500, ignore_conflicts=True)
    FeverAlert.objects.bulk_create(fever, ignore_conflicts=True)
    if fever:
        _notify_fever(fever)
    if inserted:
        # Last, in the same transaction: appending to the audit chain locks its head row until the
        # commit, so concurrent uploads queue only for the audit insert and the commit, not for the
        # whole batch; the audit line commits with the scans or not at all.
        audit.record(actor=by, action="scans.ingested", fields={"count": len(inserted), "device": device_id})
    return inserted


def _utc_text(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _uuid_from_text(text: str) -> uuid.UUID:
    """uuid.UUID(text) for canonical text, without its format checks (the text was checked)."""
    value = object.__new__(uuid.UUID)
    object.__setattr__(value, "int", int(text.replace("-", ""), 16))
    object.__setattr__(value, "is_safe", uuid.SafeUUID.unknown)
    return value


# PostgreSQL types of SCAN_COLUMNS, for the binary COPY
_SCAN_COPY_TYPES = [
    "uuid", "varchar", "int8", "varchar", "int8", "timestamptz", "timestamptz", "varchar", "uuid", "uuid",
    "varchar", "numeric", "bool", "varchar", "bool", "varchar", "int4", "varchar", "int4",
]  # fmt: skip


class ScanWriter:
    """Rows of one upload, encoded for the database at hand, then inserted skipping stored UUIDs.

    PostgreSQL (partitioned, ADR 2111): in a savepoint, a binary COPY claims the batch's UUIDs in the
    claim table; when one is stored already (a re-sent batch, or the same batch from a concurrent
    upload) the savepoint is rolled back and `partitions.claim` claims them skipping stored ones
    (ON CONFLICT DO NOTHING: it waits for a concurrent upload and skips what that upload committed).
    Then one binary COPY writes exactly the rows claimed. No trigger runs per row, so the COPY stays
    batched; binary COPY halves the server's work per row against text (no parsing of UUIDs and
    timestamps).
    Other databases: one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per 500 rows.
    """

    def __init__(self, *, device_id: str, by_id: int, received_at: datetime):
        self.postgres = connection.vendor == "postgresql"
        self.device_id, self.by_id = device_id, by_id
        self.uuids: list[str] = []
        self.rows: list[tuple] = []
        self.ids: dict[str, uuid.UUID | None] = {"": None}  # pass and household ids of the batch
        self.received = received_at if self.postgres else connection.ops.adapt_datetimefield_value(received_at)

    def _id(self, text: str) -> uuid.UUID | None:
        value = self.ids.get(text)
        if value is None and text:
            value = self.ids[text] = _uuid_from_text(text)
        return value

    def add(self, row: _Row, verdict) -> None:
        self.uuids.append(row.client_uuid)
        client_uuid: uuid.UUID | str
        scanned_at: datetime | str
        if self.postgres:
            client_uuid = _uuid_from_text(row.client_uuid)
            scanned_at = datetime.fromtimestamp(row.at, UTC)
            pass_id, household_id = self._id(verdict.pass_id), self._id(verdict.household_id)
        else:  # Django keeps UUIDs as 32 hex digits and times as UTC text where there are no native types
            client_uuid = row.client_uuid.replace("-", "")
            scanned_at = _utc_text(row.at)
            pass_id = verdict.pass_id.replace("-", "") or None
            household_id = verdict.household_id.replace("-", "") or None
        self.rows.append(
            (
                client_uuid,
                self.device_id,
                row.gate.pk,
                row.gate.path,
                self.by_id,
                scanned_at,
                self.received,
                "manual" if row.manual_reason else "qr",
                pass_id,
                household_id,
                row.direction,
                row.temperature if self.postgres or row.temperature is None else str(row.temperature),
                row.client_valid,
                row.client_reason,
                verdict.valid,
                verdict.reason,
                verdict.policy_version,
                row.manual_reason,
                row.clock_offset,
            )
        )

    def insert(self) -> set[str]:
        """The client UUIDs this call inserted."""
        return self._insert_postgresql() if self.postgres else self._insert_other()

    def _copy(self, cursor, table: str, rows: list[tuple]) -> None:
        with cursor.cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_SCAN_COPY_TYPES)
            for row in rows:
                copy.write_row(row)

    def _insert_postgresql(self) -> set[str]:
        with connection.cursor() as cursor:
            savepoint = transaction.savepoint()
            try:
                copy_claims(cursor, SCANS, [row[0] for row in self.rows])
            except psycopg_errors.UniqueViolation:  # some stored already: claim the others, skipping those
                transaction.savepoint_rollback(savepoint)
                claimed = claim(SCANS, self.uuids, skip_stored=True)
                rows = [row for row in self.rows if str(row[0]) in claimed]
            else:
                transaction.savepoint_commit(savepoint)
                claimed, rows = set(self.uuids), self.rows
            if rows:
                self._copy(cursor, _TABLE, rows)
        return claimed

    def _insert_other(self) -> set[str]:
        placeholders = "(" + ", ".join(["%s"] * len(SCAN_COLUMNS)) + ")"
        inserted: set[str] = set()
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), 500):
                chunk = self.rows[start : start + 500]
                cursor.execute(
                    f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES {', '.join([placeholders] * len(chunk))} "  # noqa: S608
                    "ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid",
                    [value for row in chunk for value in row],
                )
                inserted.update(str(uuid.UUID(u)) for (u,) in cursor.fetchall())
        return inserted


# identifiers only come from the model and SCAN_COLUMNS (constants); every value is a bound parameter
# or COPY data
_TABLE = Scan._meta.db_table
_COLUMNS = ", ".join(SCAN_COLUMNS)


def _notify_fever(alerts: list[FeverAlert]) -> None:
    """Each alert goes to the managers of the gate's community (the follow-up task is the alert row)."""
    for alert in alerts:
        community_path = alert.gate_path.rstrip("/").rsplit("/", 1)[0] + "/"
        # the alert's id only: the temperature is health data of an identifiable person (docs/security.md)
        emit("fever.alert", path=alert.gate_path, data={"alert": str(alert.public_id)})
        managers = User.objects.filter(
            memberships__is_active=True, memberships__role="unit_manager", memberships__unit__path=community_path
        )
        notify(
            recipients=managers,
            kind="fever_alert",
            title=_("门岗发热预警：%(t)s ℃") % {"t": alert.temperature},
            link="/passes/fever/",
        )
