"""卡口登记: people without a pass registered at a gate (visitors, delivery workers, travellers).

Queued offline on the gate phone like scans and uploaded in batches, idempotent on the client UUID.
Name, phone and ID number are encrypted with blind indexes; lists show them masked; contact-tracing
search (exact phone / ID number / name) and every reveal are audited; after the retention period
`purge_entries` blanks every personal field and keeps the gate, the day and the fever flag.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncDay
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.core import crypto
from xiachen.core.text import clean_person_name
from xiachen.org.models import path_within

from .enums import CHECKPOINT_KINDS
from .ingest import MAX_CLOCK_SKEW, _gates_for, clock_offset
from .models import CheckpointEntry, PolicyVersion
from .personal_data import CHECKPOINT_RETENTION_DAYS
from .rules import DEFAULT_RULES, combine
from .selectors import prefixes_of
from .temperatures import TemperatureError, parse_temperature

MAX_BATCH = 500
REVEALABLE = ("name", "phone", "id_number")
TEXT_LIMITS = {"name": 50, "phone": 20, "id_number": 18, "coming_from": 100, "going_to": 100, "reason": 200}


class _Bad(ValueError):
    pass


def admission(*, kind: str, temperature: Decimal | None, rules: dict) -> tuple[bool, str]:
    """Whether the pass policy's rules let this person through, and the refusal code when not.

    Fever (at or above the threshold) is refused whoever it is; visitors only when the policy
    allows visitors; exempt groups and everybody else are let through after registration.
    """
    if temperature is not None and float(temperature) >= rules["fever_threshold"]:
        return False, "fever"
    if kind == "visitor" and not rules["visitors_allowed"]:
        return False, "visitors_not_allowed"
    return True, ""


class _RulesAt:
    """The rules in force at each community at a given time (its own version tightened by the areas
    above it, rules.combine), the versions read once per community."""

    def __init__(self):
        self.versions: dict[int, list[PolicyVersion]] = {}

    def __call__(self, community_id: int, at: datetime) -> dict:
        if community_id not in self.versions:
            from xiachen.org.models import Unit

            paths = prefixes_of(Unit.objects.get(pk=community_id).path)
            self.versions[community_id] = list(
                PolicyVersion.objects.filter(community_path__in=paths).order_by("effective_at", "number")
            )
        in_force: dict[str, PolicyVersion] = {}
        for version in self.versions[community_id]:
            if version.effective_at <= at:
                in_force[version.community_path] = version
        if not in_force:
            return DEFAULT_RULES
        return combine([in_force[path].rules for path in sorted(in_force, key=len)])


def _clean(raw, gates: dict, now: datetime, offset: timedelta) -> dict:
    if not isinstance(raw, dict):
        raise _Bad("not_an_object")
    try:
        client_uuid = uuid.UUID(str(raw.get("client_uuid")))
        registered_at = datetime.fromtimestamp(int(raw["registered_at"]), tz=UTC) + offset
    except (KeyError, ValueError, TypeError, OverflowError, OSError, InvalidOperation) as error:
        raise _Bad("bad_field") from error
    try:
        temperature = parse_temperature(raw.get("temperature"))
    except TemperatureError as error:
        raise _Bad("bad_temperature") from error
    gate = gates.get(str(raw.get("gate")))
    if gate is None:
        raise _Bad("unknown_gate")
    if abs(registered_at - now) > MAX_CLOCK_SKEW:
        raise _Bad("bad_field")
    kind = str(raw.get("kind") or "other")
    if kind not in CHECKPOINT_KINDS:
        raise _Bad("bad_kind")
    text = {field: str(raw.get(field) or "").strip()[:limit] for field, limit in TEXT_LIMITS.items()}
    text["name"] = clean_person_name(text["name"])[0]  # searched by blind index: one spelling only
    if not text["name"] or not (text["phone"] or text["id_number"]):
        raise _Bad("name_and_contact_required")
    return {
        "client_uuid": client_uuid,
        "gate": gate,
        "registered_at": registered_at,
        "temperature": temperature,
        "kind": kind,
        **text,
    }


@transaction.atomic
def ingest_entries(*, by, device_id: str, entries: list, device_time: int | None = None) -> list[dict]:
    """Store each new registration once; per entry "stored", "duplicate" or "rejected" with a code.

    A skewed device clock is corrected from `device_time` as for scans (ingest.clock_offset).
    """
    if len(entries) > MAX_BATCH:
        raise ValueError(_("每批最多 %(max)s 条") % {"max": MAX_BATCH})
    now = timezone.now()
    offset = clock_offset(device_time, now)
    gates = _gates_for(by, entries)
    results, clean, seen = [], [], set()
    for raw in entries:
        try:
            entry = _clean(raw, gates, now, offset)
        except _Bad as error:
            uid = str(raw.get("client_uuid", ""))[:40] if isinstance(raw, dict) else ""
            results.append({"client_uuid": uid, "status": "rejected", "error": str(error)})
            continue
        duplicate = entry["client_uuid"] in seen
        results.append({"client_uuid": str(entry["client_uuid"]), "status": "duplicate" if duplicate else "stored"})
        results[-1]["error"] = ""
        if not duplicate:
            seen.add(entry["client_uuid"])
            clean.append(entry)
    existing = set(CheckpointEntry.objects.filter(client_uuid__in=seen).values_list("client_uuid", flat=True))
    rules_at = _RulesAt()
    rows = []
    for entry in clean:
        if entry["client_uuid"] in existing:
            continue
        gate = entry.pop("gate")
        rules = rules_at(gate.parent_id, entry["registered_at"])
        admitted, refusal = admission(kind=entry["kind"], temperature=entry["temperature"], rules=rules)
        rows.append(
            CheckpointEntry(
                gate=gate,
                gate_path=gate.path,
                recorded_by=by,
                device_id=str(device_id)[:40],
                received_at=now,
                fever=refusal == "fever",
                admitted=admitted,
                refusal=refusal,
                **entry,
            )
        )
    # one order for every upload: two uploads of the same entries cannot deadlock on the unique index
    rows.sort(key=lambda row: row.client_uuid)
    # partitioned on PostgreSQL (ADR 2111): bulk_create claims the UUIDs first and skips stored ones
    CheckpointEntry.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    stored = {str(u) for u in existing}
    for result in results:
        if result["status"] == "stored" and result["client_uuid"] in stored:
            result["status"] = "duplicate"
    if rows:
        audit.record(actor=by, action="checkpoint.registered", fields={"count": len(rows), "device": device_id[:40]})
    return results


def entries_visible_to(user) -> QuerySet[CheckpointEntry]:
    from xiachen.accounts.permissions import scope_paths

    paths = scope_paths(user, "passes.trace_contacts")
    return CheckpointEntry.objects.filter(path_within(paths, field="gate_path")).select_related("gate")


def search_entries(*, by, phone: str = "", id_number: str = "", name: str = "", since=None, until=None):
    """Contact-tracing lookup by exact phone, ID number or name (blind index), audited with the kinds
    of criteria used and the number found — never the values."""
    require_permission(by, "passes.trace_contacts")
    entries = entries_visible_to(by).filter(purged_at__isnull=True)
    criteria = Q()
    used = []
    for field, value in (("phone", phone), ("id_number", id_number), ("name", clean_person_name(name)[0])):
        if value.strip():
            criteria &= Q(**{f"{field}_index": crypto.blind_index(value, purpose=f"checkpoint.{field}")})
            used.append(field)
    if not used:
        return entries.none()
    entries = entries.filter(criteria)
    if since:
        entries = entries.filter(registered_at__gte=since)
    if until:
        entries = entries.filter(registered_at__lt=until)
    found = list(entries[:200])
    audit.record(actor=by, action="checkpoint.searched", fields={"by": used, "found": len(found)})
    return found


def reveal_entry_field(*, by, entry: CheckpointEntry, field: str) -> str:
    if field not in REVEALABLE:
        raise ValueError(field)
    require_permission(by, "passes.trace_contacts", entry.gate)
    audit.record(actor=by, action="checkpoint.personal_revealed", target=entry, fields={"field": field})
    return getattr(entry, field)


@transaction.atomic
def purge_entries(*, now: datetime | None = None, retention_days: int = CHECKPOINT_RETENTION_DAYS) -> int:
    """Blank the personal fields of entries older than the retention period; keep gate, day, fever flag."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days)
    due = CheckpointEntry.objects.filter(registered_at__lt=cutoff, purged_at__isnull=True)
    blank = dict.fromkeys(
        ["name", "name_index", "phone", "phone_index", "id_number", "id_number_index", "coming_from", "going_to"], ""
    )
    count = due.update(
        **blank,
        reason="",
        temperature=None,
        registered_at=TruncDay("registered_at", tzinfo=UTC),  # whereabouts: only the day is kept
        purged_at=now,
    )
    audit.record(actor=None, action="checkpoint.purged", fields={"count": count, "retention_days": retention_days})
    return count


def daily_counts(user, *, since: datetime) -> list[dict]:
    """Registrations and fevers per gate and day (survives the purge)."""
    return list(
        entries_visible_to(user)
        .filter(registered_at__gte=since)
        .annotate(day=TruncDate("registered_at"))
        .values("gate__name", "day")
        .annotate(count=Count("id"), fevers=Count("id", filter=Q(fever=True)))
        .order_by("-day", "gate__name")
    )
