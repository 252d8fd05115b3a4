"""Batch ingest of gate scans: idempotent on the device's UUID, re-verified, disagreements kept.

A batch is one transaction with a handful of queries whatever its size: existing UUIDs, gates,
revocations, policies and recent outings are read once, the new rows are bulk-inserted with
`ignore_conflicts` so a concurrent duplicate upload cannot create a second row.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
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
from .tokens import MAX_TOKEN_LENGTH
from .verifier import Scan as ScanInput
from .verifier import Snapshot, verify

MAX_BATCH = 1000
MAX_CLOCK_SKEW = timedelta(days=30)


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


class _BadScan(ValueError):
    pass


def _parse(raw: dict, gates: dict[str, Unit], now: datetime) -> _Row:
    if not isinstance(raw, dict):
        raise _BadScan("not_an_object")
    try:
        client_uuid = uuid.UUID(str(raw.get("client_uuid")))
        scanned_at = datetime.fromtimestamp(int(raw["scanned_at"]), tz=UTC)
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


class _Checker:
    """Server re-check of many scans with the data read once per batch."""

    def __init__(self, rows: list[_Row], now: datetime):
        communities = {row.gate.parent_id: row.gate.parent for row in rows}
        self.base = {cid: snapshot_for(c, at=now) for cid, c in communities.items()}
        self.policies = defaultdict(list)
        for version in PolicyVersion.objects.filter(community_id__in=communities).order_by("effective_at"):
            self.policies[version.community_id].append(version)
        self.revoked = self._revocations(rows)
        self.outs = self._recent_outs(rows)

    def _revocations(self, rows: list[_Row]) -> dict[str, datetime]:
        from .tokens import TokenError, parse_token

        ids = set()
        for row in rows:
            try:
                ids.add(parse_token(row.token).claims.pass_id)
            except TokenError:
                continue
        revoked = Pass.objects.filter(public_id__in=ids, revoked_at__isnull=False).values_list(
            "public_id", "revoked_at"
        )
        return {str(pid): at for pid, at in revoked}

    def _recent_outs(self, rows: list[_Row]) -> dict[str, list[tuple[str, int]]]:
        if not rows:
            return {}
        earliest = min(row.scanned_at for row in rows) - timedelta(days=31)
        paths = {row.gate.parent.path for row in rows}
        outs = defaultdict(list)
        query = Scan.objects.filter(direction="out", server_valid=True, scanned_at__gte=earliest)
        for path in paths:
            for household, pass_id, at in query.filter(gate_path__startswith=path).values_list(
                "household_public_id", "pass_public_id", "scanned_at"
            ):
                outs[str(household)].append((str(pass_id), int(at.timestamp())))
        return outs

    def check(self, row: _Row):
        base = self.base[row.gate.parent_id]
        policy = None
        for version in self.policies[row.gate.parent_id]:
            if version.effective_at <= row.scanned_at:
                policy = policy_of(version)
        revoked = frozenset(pid for pid, at in self.revoked.items() if at <= row.scanned_at)
        snapshot = Snapshot(base.keys, base.revoked_keys, revoked, audiences_of(row.gate), policy)
        now = int(row.scanned_at.timestamp())

        def went_out(household: str, pass_id: str, days: int) -> bool:
            since = now - days * 86400
            return any(p != pass_id and since <= at < now for p, at in self.outs.get(household, ()))

        temperature = float(row.temperature) if row.temperature is not None else None
        verdict = verify(row.token, snapshot, ScanInput(now, row.direction, temperature, went_out))
        if verdict.valid and row.direction == "out":
            self.outs[verdict.household_id].append((verdict.pass_id, now))
        return verdict, policy


def _scan_of(row: _Row, verdict, *, by, device_id: str, now: datetime) -> Scan:
    return Scan(
        client_uuid=row.client_uuid,
        device_id=device_id,
        gate=row.gate,
        gate_path=row.gate.path,
        recorded_by=by,
        scanned_at=row.scanned_at,
        received_at=now,
        method="manual" if row.manual_reason else "qr",
        pass_public_id=verdict.pass_id or None,
        household_public_id=verdict.household_id or None,
        direction=row.direction,
        temperature=row.temperature,
        client_valid=row.client_valid,
        client_reason=row.client_reason,
        server_valid=verdict.valid,
        server_reason=verdict.reason,
        policy_version=verdict.policy_version,
        manual_reason=row.manual_reason,
    )


@transaction.atomic
def ingest_scans(*, by, device_id: str, scans: list) -> list[dict]:
    """Store each new scan once; report per scan "stored", "duplicate" or "rejected" with an error code."""
    if len(scans) > MAX_BATCH:
        raise ValueError(_("每批最多 %(max)s 条") % {"max": MAX_BATCH})
    now = timezone.now()
    gates = _gates_for(by, scans)
    results, rows, seen = [], [], set()
    for raw in scans:
        try:
            row = _parse(raw, gates, now)
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
    existing = {str(u) for u in Scan.objects.filter(client_uuid__in=seen).values_list("client_uuid", flat=True)}
    for result in results:
        if result["client_uuid"] in existing and result["status"] == "stored":
            result["status"] = "duplicate"
    rows = sorted((r for r in rows if str(r.client_uuid) not in existing), key=lambda r: r.scanned_at)
    _store(rows, by=by, device_id=str(device_id)[:40], now=now)
    return results


def _store(rows: list[_Row], *, by, device_id: str, now: datetime) -> None:
    checker = _Checker(rows, now)
    new_scans, disagreements, alerts = [], [], []
    for row in rows:
        verdict, policy = checker.check(row)
        scan = _scan_of(row, verdict, by=by, device_id=device_id, now=now)
        new_scans.append(scan)
        if scan.disagrees:
            disagreements.append(Disagreement(scan_id=scan.client_uuid, gate_path=scan.gate_path))
        if policy and row.temperature is not None and float(row.temperature) >= policy.fever_threshold:
            alerts.append(FeverAlert(scan_id=scan.client_uuid, gate_path=scan.gate_path, temperature=row.temperature))
    Scan.objects.bulk_create(new_scans, batch_size=500, ignore_conflicts=True)
    Disagreement.objects.bulk_create(disagreements, batch_size=500, ignore_conflicts=True)
    FeverAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    if alerts:
        _notify_fever(alerts)
    if new_scans:
        audit.record(actor=by, action="scans.ingested", fields={"count": len(new_scans), "device": device_id[:40]})


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
