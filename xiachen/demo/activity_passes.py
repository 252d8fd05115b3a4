"""The month at the gates: a policy and a signing key per community, one signed pass per household,
and the scans (hourly curve, refusals, fevers with their alerts, a few disagreements)."""

import base64
from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from nacl.signing import SigningKey as NaclSigningKey

from xiachen.org.models import Unit
from xiachen.passes.enums import AlertStatus
from xiachen.passes.ingest import SCAN_COLUMNS
from xiachen.passes.models import Disagreement, FeverAlert, Pass, PolicyVersion, Scan, SigningKey
from xiachen.passes.partitions import SCANS, claim
from xiachen.passes.rules import DEFAULT_RULES
from xiachen.passes.tokens import PREFIX, PassClaims, b32encode, encode_claims

from .activity import Context
from .bulk import analyze, insert_rows, utc_text, without_secondary_indexes
from .generator import split

# Share of a day's scans in each local hour: a morning and an evening peak, quiet nights.
HOURLY = np.array([0.3, 0.2, 0.1, 0.1, 0.2, 0.8, 3, 7, 8, 6, 5, 5, 6, 5, 4, 4, 5, 7, 8, 6, 4, 3, 1.5, 0.7])
HOURLY = HOURLY / HOURLY.sum()
OUT_SHARE = np.array([0.3] * 6 + [0.7] * 6 + [0.5] * 4 + [0.3] * 8)  # mornings out, evenings back
FEVER_RATE = 0.0008  # of temperatures taken
TOO_FREQUENT_RATE = 0.01  # of outgoing scans
REVOKED_PASSES = 0.003
# The ingest path's columns; clock_offset is left to its database default (0: a server-side load).
SCAN_FIELDS = [column for column in SCAN_COLUMNS if column != "clock_offset"]


def write_passes(ctx: Context) -> Counter:
    with transaction.atomic():
        keys = create_policies_and_keys(ctx)
        count = create_passes(ctx, keys)
    return Counter({"pass_policies": len(keys), "signing_keys": len(keys), "passes": count})


def create_policies_and_keys(ctx: Context) -> dict[int, tuple[SigningKey, bytes]]:
    """Version 1 of the default policy and one key per community, both in force before the month."""
    rng, organizer, since = ctx.rng, ctx.city.users["zuzhibu"], ctx.month.start - timedelta(days=10)
    versions, keys, seeds, key_ids = [], [], [], set(SigningKey.objects.values_list("key_id", flat=True))
    for community in ctx.city.communities:
        path = ctx.city.path(community)
        versions.append(
            PolicyVersion(
                community_id=community,
                community_path=path,
                number=1,
                effective_at=since,
                rules=DEFAULT_RULES,
                change_note="演示：常态化防控通行政策",
                author_id=organizer,
            )
        )
        seed = rng.getrandbits(256).to_bytes(32, "big")
        key_id = b32encode(rng.getrandbits(32).to_bytes(4, "big"))
        while key_id in key_ids:
            key_id = b32encode(rng.getrandbits(32).to_bytes(4, "big"))
        key_ids.add(key_id)
        public = bytes(NaclSigningKey(seed).verify_key)
        keys.append(
            SigningKey(
                community_id=community,
                community_path=path,
                key_id=key_id,
                valid_from=since,
                public_key=base64.b64encode(public).decode(),
                seed=base64.b64encode(seed).decode(),
            )
        )
        seeds.append(seed)
    PolicyVersion.objects.bulk_create(versions, batch_size=2000)
    SigningKey.objects.bulk_create(keys, batch_size=2000)
    return {key.community_id: (key, seed) for key, seed in zip(keys, seeds, strict=True)}


def create_passes(ctx: Context, keys: dict) -> int:
    """One pass per household, held by its first resident, signed like `passes.services.issue_pass`."""
    city, rng = ctx.city, ctx.rng
    valid_from, valid_until = ctx.month.start - timedelta(days=3), ctx.month.now + timedelta(days=60)
    window = (int(valid_from.timestamp()), int(valid_until.timestamp()))
    compound_public = dict(_public_ids(city.compounds))
    signers = {
        community: (NaclSigningKey(seed), base64.b32decode(key.key_id + "=")) for community, (key, seed) in keys.items()
    }
    organizer, created = city.users["zuzhibu"], utc_text(valid_from)
    revoked_at = np.full(len(city.household_ids), np.iinfo(np.int64).max, dtype=np.int64)
    pass_public, rows = [], []
    for index, household in enumerate(city.household_ids.tolist()):
        compound = int(city.household_compound[index])
        community = city.compound_community[compound]
        key, _seed = keys[community]
        public_id = ctx.public_id()
        claims = PassClaims(_uuid(public_id), _uuid(city.household_public[index]), compound_public[compound], *window)
        token = _sign(signers[community], claims)
        revoked, reason = None, ""
        if rng.random() < REVOKED_PASSES:
            moment = ctx.month.start + timedelta(seconds=rng.randrange(ctx.month.days * 86400))
            revoked_at[index], revoked, reason = int(moment.timestamp()), utc_text(moment), "演示：居民已搬离"
        rows.append(
            (
                public_id,
                created,
                created,
                int(city.household_head[index]),
                household,
                community,
                city.path(community),
                compound,
                "",
                utc_text(valid_from),
                utc_text(valid_until),
                key.pk,
                token,
                organizer,
                revoked,
                reason,
            )
        )
        pass_public.append(public_id)
    insert_rows(
        Pass,
        [
            "public_id",
            "created_at",
            "updated_at",
            "resident_id",
            "household_id",
            "community_id",
            "community_path",
            "audience_id",
            "group",
            "valid_from",
            "valid_until",
            "key_id",
            "token",
            "issued_by_id",
            "revoked_at",
            "revoke_reason",
        ],
        rows,
    )
    ctx.pass_public, ctx.pass_revoked_at = pass_public, revoked_at
    return len(rows)


def _public_ids(unit_ids: list[int]):
    return Unit.objects.filter(pk__in=unit_ids).values_list("id", "public_id")


def _uuid(hex_text: str) -> UUID:
    return UUID(hex_text)


def _sign(signer: tuple, claims: PassClaims) -> str:
    """`tokens.sign_token` with the key object kept: building a key from its seed per pass costs more."""
    key, key_id = signer
    signed_part = f"{PREFIX}:{b32encode(key_id)}:{b32encode(encode_claims(claims))}"
    return f"{signed_part}:{b32encode(key.sign(signed_part.encode()).signature)}"


# --- scans ------------------------------------------------------------------------------------------


def write_scans(ctx: Context) -> Counter:
    """The scan table is loaded without its secondary indexes (rebuilt once at the end), one day per
    transaction; client UUIDs are time-ordered (version 7 style), so the unique index only appends."""
    counts: Counter = Counter()
    per_day = split(
        ctx.volume.scans,
        [1.1 if (ctx.month.first_day + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(ctx.month.days)],
    )
    gates = GateStaff(ctx)
    with without_secondary_indexes(Scan):  # autocommit DDL; each day below is its own transaction
        for day_index, count in enumerate(per_day):
            with transaction.atomic():
                counts.update(write_day(ctx, gates, day_index, count, sequence_start=counts["scans"]))
            ctx.progress(_("出入记录 %(done)d / %(total)d") % {"done": counts["scans"], "total": ctx.volume.scans})
    analyze(Scan, FeverAlert)
    return counts


class GateStaff:
    """Per compound: its unit row, public id and the users who scan there (gate duty first)."""

    def __init__(self, ctx: Context):
        city = ctx.city
        self.path = {c: city.path(c) for c in city.compounds}
        self.recorders = {}
        for compound in city.compounds:
            community = city.compound_community[compound]
            self.recorders[compound] = city.gate_staff.get(community) or city.staff_of(community)
        weights = np.cumsum(city.household_size)
        self.cumulative = weights / weights[-1]
        self.device = {c: f"demo-gate-{c}" for c in city.compounds}


def second_texts(ctx: Context, day_index: int) -> list[str]:
    """Naive UTC text of every second of the day and the next one (received times run over midnight)."""
    start = ctx.month.day_start(day_index).astimezone(UTC).replace(tzinfo=None)
    minutes = [(start + timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:") for m in range(2 * 1440)]
    seconds = [f"{s:02d}" for s in range(60)]
    return [minute + second for minute in minutes for second in seconds]


def time_ordered_uuid(epoch_seconds: int, sequence: int, low: int) -> str:
    """Version-7 layout: milliseconds first, then a running sequence, so ids increase with time."""
    return f"{(epoch_seconds * 1000) << 80 | 0x7 << 76 | 0x2 << 62 | sequence << 16 | low:032x}"


def draw_day(ctx: Context, gates: GateStaff, count: int) -> dict[str, np.ndarray]:
    """The day's scans as arrays, ordered by time of day."""
    rng = ctx.np_rng
    households = np.searchsorted(gates.cumulative, rng.random(count), side="right")
    hours = rng.choice(24, size=count, p=HOURLY)
    seconds = hours * 3600 + rng.integers(0, 3600, count)
    order = np.argsort(seconds, kind="stable")
    households, hours, seconds = households[order], hours[order], seconds[order]
    outgoing = rng.random(count) < OUT_SHARE[hours]
    fever = ~outgoing & (rng.random(count) < FEVER_RATE)
    temperature = np.clip(np.round(rng.normal(36.45, 0.22, count), 1), 35.8, 37.2)
    temperature = np.where(fever, np.round(rng.uniform(37.3, 39.0, count), 1), temperature)
    delay = np.where(rng.random(count) < 0.02, rng.integers(600, 10_800, count), 1 + rng.exponential(20, count))
    return {
        "households": households,
        "hours": hours,
        "seconds": seconds,
        "outgoing": outgoing,
        "fever": fever,
        "temperature": temperature,
        "received": seconds + delay.astype(np.int64),
        "too_frequent": outgoing & (rng.random(count) < TOO_FREQUENT_RATE),
        "client_unaware": rng.random(count) < 0.3,
        "low": rng.integers(0, 65_536, count),
    }


def reason_of(revoked: bool, fever: bool, outgoing: bool, hour: int, too_frequent: bool) -> str:
    """The server's reason, in the verifier's order: revocation, then fever, hours, frequency."""
    if revoked:
        return "pass_revoked"
    if fever:
        return "fever"
    if outgoing and (hour < 6 or hour >= 22):
        return "outside_hours"
    return "too_frequent" if outgoing and too_frequent else "valid"


def write_day(ctx: Context, gates: GateStaff, day_index: int, count: int, *, sequence_start: int) -> Counter:
    city, month = ctx.city, ctx.month
    drawn = draw_day(ctx, gates, count)
    base = int(month.day_start(day_index).timestamp())
    texts = second_texts(ctx, day_index)
    last_text = len(texts) - 1
    compounds = city.household_compound[drawn["households"]].tolist()
    revoked = ((base + drawn["seconds"]) >= ctx.pass_revoked_at[drawn["households"]]).tolist()
    scans, alerts, disagreements = [], [], []
    alert_closed_before = int((month.now - timedelta(days=1)).timestamp())
    columns = zip(
        drawn["households"].tolist(),
        compounds,
        drawn["hours"].tolist(),
        drawn["seconds"].tolist(),
        drawn["received"].tolist(),
        drawn["outgoing"].tolist(),
        drawn["fever"].tolist(),
        drawn["temperature"].tolist(),
        drawn["too_frequent"].tolist(),
        drawn["client_unaware"].tolist(),
        drawn["low"].tolist(),
        revoked,
        strict=True,
    )
    for offset, (
        household,
        compound,
        hour,
        second,
        received,
        out,
        fever,
        temp,
        frequent,
        unaware,
        low,
        gone,
    ) in enumerate(columns):
        client_uuid = time_ordered_uuid(base + second, sequence_start + offset, low)
        reason = reason_of(gone, fever, out, hour, frequent)
        client_reason = "valid" if reason == "too_frequent" and unaware else reason
        recorders = gates.recorders[compound]
        temperature = None if out else f"{temp:.1f}"
        scanned = texts[second]
        scans.append(
            (
                client_uuid,
                gates.device[compound],
                compound,
                gates.path[compound],
                recorders[(day_index * 3 + second // 28_800) % len(recorders)],
                scanned,
                texts[min(received, last_text)],
                "qr",
                ctx.pass_public[household],
                city.household_public[household],
                "out" if out else "in",
                temperature,
                client_reason == "valid",
                client_reason,
                reason == "valid",
                reason,
                1,
                "",
            )
        )
        if fever:
            alerts.append(
                fever_alert_row(
                    ctx,
                    client_uuid,
                    gates.path[compound],
                    temperature,
                    scanned,
                    closed=base + second < alert_closed_before,
                )
            )
        if client_reason != reason:
            disagreements.append(
                (ctx.public_id(), scanned, scanned, client_uuid, gates.path[compound], None, None, "", "")
            )
    claim(SCANS, [row[0] for row in scans])  # PostgreSQL's monthly partitions (ADR 2111); nothing on SQLite
    insert_rows(Scan, SCAN_FIELDS, scans)
    insert_rows(
        FeverAlert,
        [
            "public_id",
            "created_at",
            "updated_at",
            "scan_id",
            "gate_path",
            "temperature",
            "status",
            "follow_up_note",
            "closed_by_id",
            "closed_at",
        ],
        alerts,
    )
    insert_rows(
        Disagreement,
        [
            "public_id",
            "created_at",
            "updated_at",
            "scan_id",
            "gate_path",
            "resolved_by_id",
            "resolved_at",
            "decision",
            "note",
        ],
        disagreements,
    )
    refused = sum(1 for row in scans if not row[14])
    return Counter(
        {
            "scans": len(scans),
            "scans_refused": refused,
            "fever_alerts": len(alerts),
            "disagreements": len(disagreements),
        }
    )


def fever_alert_row(
    ctx: Context, client_uuid: str, gate_path: str, temperature: str, scanned: str, *, closed: bool
) -> tuple:
    """Alerts older than a day were followed up by the community manager two hours later."""
    if not closed:
        return (
            ctx.public_id(),
            scanned,
            scanned,
            client_uuid,
            gate_path,
            temperature,
            AlertStatus.OPEN,
            "",
            None,
            None,
        )
    at = datetime.fromisoformat(scanned).replace(tzinfo=UTC) + timedelta(hours=2)
    return (
        ctx.public_id(),
        scanned,
        utc_text(at),
        client_uuid,
        gate_path,
        temperature,
        AlertStatus.CLOSED,
        "已复测体温，已通知社区卫生服务中心跟进",
        ctx.city.users["shequ"],
        utc_text(at),
    )
