"""The month's hotline tickets (接诉即办) with deadlines from the real calendar, timelines and call-backs.

Callers come from a pool of names and phones (the same person calling twice is the usual case, not an
exception); each ticket's copy is encrypted for its own row, as `EncryptedTextField` binds every value
to its table, column and row.
"""

from collections import Counter
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from faker import Faker

from xiachen.core import crypto
from xiachen.hotline import deadlines
from xiachen.hotline.enums import EventKind, Satisfaction, Source, TicketStatus, Urgency
from xiachen.hotline.models import Category, Ticket, TicketEvent, WorkingCalendar
from xiachen.hotline.services import current_calendar

from .activity import LOCAL, Context
from .activity_services import daily_counts, draw_moments
from .bulk import insert_rows, next_id, reset_sequences, utc_text
from .identities import People

CATEGORY_WEIGHTS = {
    "emergency": 2,
    "utilities": 12,
    "epidemic": 10,
    "supplies": 14,
    "medical": 10,
    "quarantine": 6,
    "passes": 8,
    "staff_complaint": 3,
    "general": 20,
    "complex": 5,
    "suggestion": 10,
}
STREET_CATEGORIES = {"utilities", "complex", "suggestion"}
TEXTS = {
    "emergency": "家中老人突发不适，需要协助就医",
    "utilities": "小区停水两天，无人通知恢复时间",
    "epidemic": "楼栋有人发热，询问防控措施",
    "supplies": "团购物资迟迟未送到",
    "medical": "慢性病需要定期取药，出不了小区",
    "quarantine": "居家隔离期满未解除",
    "passes": "出入证无法扫码通行",
    "staff_complaint": "卡口工作人员态度生硬",
    "general": "楼道灯坏了很久没人修",
    "complex": "小区物业长期失管，多项问题未解决",
    "suggestion": "建议增加代购服务的时段",
}
SATISFACTION = {Satisfaction.SATISFIED: 76, Satisfaction.BASICALLY: 15, Satisfaction.UNSATISFIED: 9}
CALLERS = 20_000
TICKET_FIELDS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "number",
    "source",
    "caller_name",
    "caller_phone",
    "caller_phone_index",
    "place_id",
    "place_path",
    "address",
    "category_id",
    "urgency",
    "description",
    "status",
    "owner_id",
    "owner_path",
    "transfer_path",
    "district_id",
    "received_at",
    "response_due",
    "due_at",
    "remind_at",
    "deadline_from",
    "deadline_provisional",
    "dispatched_at",
    "accepted_at",
    "reminded_at",
    "escalated_at",
    "escalated_to_id",
    "resolved_at",
    "outcome",
    "called_back_at",
    "caller_says_resolved",
    "satisfaction",
    "satisfaction_reason",
    "reopen_count",
    "duplicate_of_id",
    "created_by_id",
]
EVENT_FIELDS = [
    "public_id",
    "created_at",
    "updated_at",
    "ticket_id",
    "kind",
    "actor_id",
    "unit_id",
    "from_status",
    "to_status",
    "note",
]


class Desk:
    """What every ticket needs: categories, calendar, callers, owners by place, the operator."""

    def __init__(self, ctx: Context):
        self.categories = list(Category.objects.filter(code__in=CATEGORY_WEIGHTS).order_by("sort_order"))
        self.weights = [CATEGORY_WEIGHTS[c.code] for c in self.categories]
        self.calendar = current_calendar()
        self.settings = WorkingCalendar.objects.get(pk=1)
        self.callers = caller_pool(ctx, min(CALLERS, max(1, ctx.volume.tickets // 5)))
        self.operator = ctx.city.users["rexian"]
        codes = {code: pk for pk, (_path, _kind, code, _parent) in ctx.city.units.items()}
        self.health_centre = {
            pk: codes.get(f"{code}-WSY", pk)
            for pk, (_p, kind, code, _parent) in ctx.city.units.items()
            if kind in ("street", "township")
        }

    def due(self, received: datetime, category, urgent: bool) -> tuple[datetime, datetime, bool]:
        """Feedback deadline, reminder time and whether the deadline is provisional, as
        `hotline.services.set_deadlines` computes them."""
        amount, unit = category.deadline_amount, category.deadline_unit
        if urgent and category.urgent_deadline_hours:
            amount, unit = category.urgent_deadline_hours, deadlines.HOURS
        local = received.astimezone(LOCAL).replace(tzinfo=None)
        try:
            due, provisional = deadlines.deadline(local, amount, unit, self.calendar), False
        except deadlines.CalendarMissing:
            due, provisional = deadlines.deadline(local, amount, unit, self.calendar.by_weekday_rule()), True
        remind = deadlines.reminder_time(
            local, due, percent=self.settings.reminder_percent, cap=timedelta(minutes=self.settings.reminder_minutes)
        )
        return due.replace(tzinfo=LOCAL), remind.replace(tzinfo=LOCAL), provisional


def sealed(field_name: str, public_id: str, value: str) -> str:
    """What `EncryptedTextField` would store for this ticket: each value bound to its own row."""
    column = Ticket._meta.get_field(field_name).column
    context = crypto.field_context(Ticket._meta.db_table, column, str(UUID(public_id)))
    return crypto.encrypt(value, associated_data=context)


def caller_pool(ctx: Context, size: int) -> list[tuple[str, str, str]]:
    fake = Faker("zh_CN")
    fake.seed_instance(ctx.rng.getrandbits(32))
    people = People(ctx.rng, fake, ctx.month.first_day)
    pool = []
    for _ in range(size):
        name, phone = people.name(ctx.rng.random() < 0.5), people.mobile()
        pool.append((name, phone, crypto.blind_index(phone, purpose="phone")))
    return pool


def write_tickets(ctx: Context) -> Counter:
    desk, counts = Desk(ctx), Counter()
    ticket_id = next_id(Ticket)
    last_at_place: dict[int, int] = {}
    for day_index, count in enumerate(daily_counts(ctx, ctx.volume.tickets)):
        tickets, events = [], []
        for household, received in zip(*draw_moments(ctx, day_index, count), strict=True):
            compound = int(ctx.city.household_compound[household])
            ticket, timeline = ticket_row(ctx, desk, ticket_id, compound, received, last_at_place.get(compound))
            tickets.append(ticket)
            events += timeline
            last_at_place[compound] = ticket_id
            ticket_id += 1
        with transaction.atomic():
            insert_rows(Ticket, TICKET_FIELDS, tickets)
            insert_rows(TicketEvent, EVENT_FIELDS, events)
        counts.update({"tickets": len(tickets), "ticket_events": len(events)})
        counts.update(f"tickets.{row[15]}" for row in tickets)
    reset_sequences(Ticket, TicketEvent)
    return counts


def owner_of(ctx: Context, desk: Desk, compound: int, code: str) -> int:
    community = ctx.city.compound_community[compound]
    street = ctx.city.units[community][3]
    if code == "medical":
        return desk.health_centre.get(street, street)
    return street if code in STREET_CATEGORIES else community


def ticket_steps(ctx: Context, received: datetime, response_due: datetime, due: datetime) -> list[tuple[str, datetime]]:
    """Dispatch, signing (late for 7 in 100), resolution (late for 12 in 100), call-back; cut at "now"."""
    rng = ctx.rng
    dispatched = received + timedelta(minutes=rng.uniform(1, 10))
    accepted = dispatched + timedelta(minutes=rng.expovariate(1 / 30))
    if rng.random() < 0.07:
        accepted = response_due + timedelta(minutes=rng.uniform(5, 480))
    allowed = (due - received).total_seconds()
    share = rng.uniform(1.05, 2.0) if rng.random() < 0.12 else rng.uniform(0.1, 0.95)
    resolved = max(accepted + timedelta(minutes=10), received + timedelta(seconds=allowed * share))
    called_back = resolved + timedelta(hours=rng.uniform(2, 36))
    steps = [
        (EventKind.CREATED, received),
        (EventKind.ROUTED, dispatched),
        (EventKind.ACCEPTED, accepted),
        (EventKind.RESOLVED, resolved),
        (EventKind.CALLED_BACK, called_back),
    ]
    return [(kind, at) for kind, at in steps if at <= ctx.month.now]


STATUS_AFTER = {
    EventKind.CREATED: TicketStatus.NEW,
    EventKind.ROUTED: TicketStatus.DISPATCHED,
    EventKind.ACCEPTED: TicketStatus.IN_PROGRESS,
    EventKind.RESOLVED: TicketStatus.RESOLVED,
    EventKind.CALLED_BACK: TicketStatus.CLOSED,
}


def ticket_row(
    ctx: Context, desk: Desk, ticket_id: int, compound: int, received: datetime, earlier_here: int | None
) -> tuple[tuple, list[tuple]]:
    rng, city = ctx.rng, ctx.city
    category = rng.choices(desk.categories, weights=desk.weights)[0]
    urgent = rng.random() < 0.05
    due, remind, provisional = desk.due(received, category, urgent)
    response_due = received + timedelta(minutes=desk.settings.response_minutes)
    owner = owner_of(ctx, desk, compound, category.code)
    steps = ticket_steps(ctx, received, response_due, due)
    merged = earlier_here is not None and rng.random() < 0.01
    if merged:
        steps = steps[:2]
    times = dict(steps)
    status = TicketStatus.MERGED if merged else STATUS_AFTER[steps[-1][0]]
    closed_at = times.get(EventKind.RESOLVED) or ctx.month.now
    late = due < closed_at and not merged
    reminded = remind if remind < closed_at and not merged else None
    escalated = due + timedelta(minutes=5) if late and due + timedelta(minutes=5) <= closed_at else None
    called_back = times.get(EventKind.CALLED_BACK)
    satisfaction, says_resolved = "", None
    if called_back:
        satisfaction = rng.choices(list(SATISFACTION), weights=list(SATISFACTION.values()))[0]
        says_resolved = rng.random() < (0.3 if satisfaction == Satisfaction.UNSATISFIED else 0.93)
    name, phone, phone_index = rng.choice(desk.callers)
    public_id = ctx.public_id()
    district = city.district_of(compound)
    local_day = received.astimezone(LOCAL)
    row = (
        ticket_id,
        public_id,
        utc_text(received),
        utc_text(steps[-1][1]),
        f"HL{local_day:%y%m%d}-{ticket_id:05d}",
        Source.CALL,
        sealed("caller_name", public_id, name),
        sealed("caller_phone", public_id, phone),
        phone_index,
        compound,
        city.path(compound),
        "",
        category.pk,
        Urgency.URGENT if urgent else Urgency.NORMAL,
        TEXTS[category.code],
        status,
        owner,
        city.path(owner),
        "",
        district,
        utc_text(received),
        utc_text(response_due),
        utc_text(due),
        utc_text(remind),
        utc_text(received),
        provisional,
        text(times.get(EventKind.ROUTED)),
        text(times.get(EventKind.ACCEPTED)),
        text(reminded),
        text(escalated),
        district if escalated else None,
        text(times.get(EventKind.RESOLVED)),
        "已联系相关单位处理完毕" if EventKind.RESOLVED in times else "",
        text(called_back),
        says_resolved,
        satisfaction,
        "问题反复出现" if satisfaction == Satisfaction.UNSATISFIED else "",
        0,
        earlier_here if merged else None,
        desk.operator,
    )
    return row, ticket_events(ctx, ticket_id, steps, owner, compound, desk.operator, merged=merged)


def ticket_events(
    ctx: Context, ticket_id: int, steps: list, owner: int, place: int, operator: int, *, merged: bool
) -> list[tuple]:
    events, previous = [], ""
    for kind, at in steps:
        status = STATUS_AFTER[kind]
        unit = place if kind == EventKind.CREATED else owner
        actor = None if kind in (EventKind.ROUTED, EventKind.ACCEPTED, EventKind.RESOLVED) else operator
        stamp = utc_text(at)
        events.append((ctx.public_id(), stamp, stamp, ticket_id, kind, actor, unit, previous, status, ""))
        previous = status
    if merged:
        stamp = utc_text(steps[-1][1] + timedelta(minutes=1))
        events.append(
            (
                ctx.public_id(),
                stamp,
                stamp,
                ticket_id,
                EventKind.LINKED,
                operator,
                None,
                previous,
                TicketStatus.MERGED,
                "",
            )
        )
    return events


def text(moment: datetime | None) -> str | None:
    return utc_text(moment) if moment else None
