"""Contact tracing (流调) over the gate scan log and checkpoint registrations (ADR 2011).

Given a person — a pass, or a checkpoint registration (and every registration with the same ID
number or phone) — and a time window, list who passed the same gates within ± an interval of each
of the person's passages, and the households behind them. Nothing is stored: the list is computed
from the logs on each request, so it disappears with them (the checkpoint purge blanks entries,
which then no longer match); each trace and each export writes an audit row.

The query is one range read per passage on the (gate_path, scanned_at) index (passes migration
0009): `gate_path = g AND scanned_at BETWEEN t-Δ AND t+Δ`, so its cost grows with the person's
passages and the contacts found, not with the size of the log (bench/tracing.py).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.core.masking import mask_name, mask_phone
from xiachen.org.models import Unit

from .models import CheckpointEntry, Pass, Scan

PERMISSION = "passes.trace_contacts"
DEFAULT_INTERVAL_MINUTES = 15
MAX_INTERVAL_MINUTES = 120
MAX_WINDOW_DAYS = 28  # the retention of the logs (personal_data.py): nothing older exists
MAX_PASSAGES = 500  # a month of a busy person's passages; more is refused, not truncated silently


class TracingError(ValueError):
    pass


@dataclass(frozen=True)
class Passage:
    """One passage of the traced person: a gate (by path) and a time."""

    gate_path: str
    at: datetime


@dataclass
class Contact:
    """Someone at the same gate within the interval of one of the person's passages."""

    kind: str  # "scan" or "checkpoint"
    gate_path: str
    at: datetime
    gap_seconds: int  # to the nearest passage of the traced person
    pass_public_id: UUID | None = None
    household_public_id: UUID | None = None
    direction: str = ""
    entry: CheckpointEntry | None = None
    household: object = None
    gate_name: str = ""


@dataclass
class Trace:
    person: str  # how the person was chosen, for the page and the export title (masked)
    passages: list[Passage]
    contacts: list[Contact]
    households: list = field(default_factory=list)
    interval: timedelta = timedelta(minutes=DEFAULT_INTERVAL_MINUTES)
    passage_names: list[tuple[str, datetime]] = field(default_factory=list)  # (gate name, time), for the page


def scan_contacts(passages: list[Passage], *, interval: timedelta, exclude_pass: UUID | None) -> list[Contact]:
    """Scans at each passage's gate within ± interval, the person's own excluded, each scan once
    with its smallest gap. One indexed range read per passage."""
    found: dict[int, Contact] = {}
    for passage in passages:
        rows = Scan.objects.filter(
            gate_path=passage.gate_path,
            scanned_at__gte=passage.at - interval,
            scanned_at__lte=passage.at + interval,
        ).values_list("id", "scanned_at", "pass_public_id", "household_public_id", "direction")
        for scan_id, at, pass_id, household_id, direction in rows:
            if exclude_pass is not None and pass_id == exclude_pass:
                continue
            gap = abs(int((at - passage.at).total_seconds()))
            if scan_id not in found or gap < found[scan_id].gap_seconds:
                found[scan_id] = Contact("scan", passage.gate_path, at, gap, pass_id, household_id, direction)
    return list(found.values())


def checkpoint_contacts(passages: list[Passage], *, interval: timedelta, exclude: set[int]) -> list[Contact]:
    """Checkpoint registrations (not purged) at each passage's gate within ± interval."""
    found: dict[int, Contact] = {}
    for passage in passages:
        entries = CheckpointEntry.objects.filter(
            gate_path=passage.gate_path, purged_at__isnull=True,
            registered_at__gte=passage.at - interval, registered_at__lte=passage.at + interval,
        ).exclude(pk__in=exclude)
        for entry in entries:
            gap = abs(int((entry.registered_at - passage.at).total_seconds()))
            if entry.pk not in found or gap < found[entry.pk].gap_seconds:
                found[entry.pk] = Contact("checkpoint", passage.gate_path, entry.registered_at, gap, entry=entry)
    return list(found.values())


def _window(start: datetime, end: datetime, interval_minutes: int) -> timedelta:
    if end <= start:
        raise TracingError(_("结束时间须晚于开始时间"))
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise TracingError(_("时间范围不能超过 %(days)s 天") % {"days": MAX_WINDOW_DAYS})
    if not 1 <= interval_minutes <= MAX_INTERVAL_MINUTES:
        raise TracingError(_("时间间隔须在 1 到 %(max)s 分钟之间") % {"max": MAX_INTERVAL_MINUTES})
    return timedelta(minutes=interval_minutes)


def _in_scope(by, passages: list[Passage]) -> list[Passage]:
    """Only passages at gates the tracer may trace (a street-wide pass also crosses other communities)."""
    paths = scope_paths(by, PERMISSION)
    return [p for p in passages if any(p.gate_path.startswith(path) for path in paths)]


def _checked(passages: list[Passage]) -> list[Passage]:
    if len(passages) > MAX_PASSAGES:
        raise TracingError(_("该人员在此时间范围内有 %(n)s 次通行，请缩短时间范围") % {"n": len(passages)})
    return passages


def passages_of_pass(pass_obj: Pass, *, start: datetime, end: datetime) -> list[Passage]:
    """The pass's scans in the window (read through the household index, then the pass)."""
    rows = Scan.objects.filter(
        household_public_id=pass_obj.household.public_id, pass_public_id=pass_obj.public_id,
        scanned_at__gte=start, scanned_at__lt=end,
    ).order_by("scanned_at").values_list("gate_path", "scanned_at")
    return [Passage(gate_path, at) for gate_path, at in rows]


def same_person_entries(entry: CheckpointEntry, *, start: datetime, end: datetime):
    """The registrations of the same person: same ID number, else same phone, else only this one."""
    same = Q(pk=entry.pk)
    if entry.id_number_index:
        same |= Q(id_number_index=entry.id_number_index)
    elif entry.phone_index:
        same |= Q(phone_index=entry.phone_index)
    return CheckpointEntry.objects.filter(same, purged_at__isnull=True, registered_at__gte=start,
                                          registered_at__lt=end).order_by("registered_at")


def trace_pass(*, by, pass_obj: Pass, start: datetime, end: datetime, interval_minutes: int) -> Trace:
    """Who passed the same gates as this pass's holder within ± interval, in [start, end)."""
    require_permission(by, PERMISSION)
    interval = _window(start, end, interval_minutes)
    passages = _checked(_in_scope(by, passages_of_pass(pass_obj, start=start, end=end)))
    contacts = scan_contacts(passages, interval=interval, exclude_pass=pass_obj.public_id)
    contacts += checkpoint_contacts(passages, interval=interval, exclude=set())
    trace = _finish(by, Trace(_("通行证 %(id)s") % {"id": str(pass_obj.public_id)[:8]}, passages, contacts,
                              interval=interval))
    audit.record(actor=by, action="tracing.traced", target=pass_obj,
                 fields={"by": "pass", "passages": len(passages), "contacts": len(contacts)})
    return trace


def trace_entry(*, by, entry: CheckpointEntry, start: datetime, end: datetime, interval_minutes: int) -> Trace:
    """As trace_pass, from a checkpoint registration and the same person's other registrations."""
    require_permission(by, PERMISSION)
    interval = _window(start, end, interval_minutes)
    own = list(same_person_entries(entry, start=start, end=end))
    passages = _checked(_in_scope(by, [Passage(e.gate_path, e.registered_at) for e in own]))
    contacts = scan_contacts(passages, interval=interval, exclude_pass=None)
    contacts += checkpoint_contacts(passages, interval=interval, exclude={e.pk for e in own})
    trace = _finish(by, Trace(_("卡口登记 %(name)s") % {"name": entry.masked_name}, passages, contacts,
                              interval=interval))
    audit.record(actor=by, action="tracing.traced", target=entry,
                 fields={"by": "checkpoint", "passages": len(passages), "contacts": len(contacts)})
    return trace


def _finish(by, trace: Trace) -> Trace:
    """Attach gate names and households (one read each); sort by gate and time."""
    from xiachen.households.models import Household

    gates = dict(Unit.objects.filter(path__in={c.gate_path for c in trace.contacts} |
                                     {p.gate_path for p in trace.passages}).values_list("path", "name"))
    ids = {c.household_public_id for c in trace.contacts if c.household_public_id}
    households = {h.public_id: h for h in Household.objects.filter(public_id__in=ids)
                  .select_related("compound").prefetch_related("residents")}
    for contact in trace.contacts:
        contact.gate_name = gates.get(contact.gate_path, "")
        contact.household = households.get(contact.household_public_id) if contact.household_public_id else None
    trace.contacts.sort(key=lambda c: (c.at, c.gate_path))
    trace.households = sorted(households.values(), key=lambda h: (h.compound_path, h.building, h.entrance, h.room))
    trace.passage_names = [(gates.get(p.gate_path, ""), p.at) for p in trace.passages]
    return trace


def may_export_full(by, trace: Trace) -> bool:
    """Full names and phones only for a role that may export households in full over every household."""
    return bool(trace.households) and all(
        has_permission(by, "households.export_full", household.compound) for household in trace.households
    )


def _household_address(household) -> str:
    return f"{household.compound.name} {household.building}-{household.entrance or '-'}-{household.room}"


def _head(household):
    residents = list(household.residents.all())
    return next((r for r in residents if r.relation == "head"), residents[0] if residents else None)


def export_rows(trace: Trace, *, full: bool) -> tuple[list[str], list[list]]:
    """One row per contact: gate, time, gap, kind, household address, contact person (masked unless full)."""
    headers = [_("卡口"), _("通行时间"), _("间隔（分钟）"), _("类别"), _("住户"), _("联系人"), _("联系电话")]
    rows = []
    for contact in trace.contacts:
        if contact.kind == "scan":
            head = _head(contact.household) if contact.household else None
            address = _household_address(contact.household) if contact.household else _("（未登记住户）")
            name = (head.name if full else mask_name(head.name)) if head else ""
            phone = (head.phone if full else mask_phone(head.phone)) if head else ""
            kind = _("扫码")
        else:
            entry = contact.entry
            assert entry is not None  # a checkpoint contact always carries its registration
            address = entry.coming_from
            name = entry.name if full else entry.masked_name
            phone = entry.phone if full else entry.masked_phone
            kind = _("卡口登记")
        local = timezone.localtime(contact.at).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([contact.gate_name, local, round(contact.gap_seconds / 60, 1), kind, address, name, phone])
    return headers, rows


def record_export(*, by, trace: Trace, full: bool, target) -> None:
    if full and not may_export_full(by, trace):
        raise TracingError(_("您无权导出完整个人信息"))
    audit.record(actor=by, action="tracing.exported_full" if full else "tracing.exported", target=target,
                 fields={"contacts": len(trace.contacts), "households": len(trace.households)})
