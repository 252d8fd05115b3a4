"""The deadline job: a reminder before each open ticket's deadline, escalation to the owner's parent
unit after it. Each ticket is claimed with a conditional UPDATE, so a second (or concurrent) run
sends nothing new."""

from django.db import transaction
from django.db.models import Q

from xiachen.audit import services as audit
from xiachen.interop.webhooks import emit

from . import notifications
from .enums import OPEN_STATUSES, EventKind
from .models import Ticket
from .services import add_event, webhook_data


def send_reminders(*, now) -> int:
    """Remind the owning unit once, from `remind_at` until the deadline."""
    due = Ticket.objects.filter(
        status__in=OPEN_STATUSES, owner__isnull=False, reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now
    ).select_related("owner", "category")
    count = 0
    for ticket in due:
        with transaction.atomic():
            if not Ticket.objects.filter(pk=ticket.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            add_event(ticket=ticket, kind=EventKind.REMINDED, unit=ticket.owner)
            notifications.reminder(ticket)
            count += 1
    return count


def escalate_overdue(*, now) -> int:
    """Past the deadline and still open: the owner's parent unit (the district for an unrouted
    ticket) is told to supervise, once per deadline."""
    overdue = Ticket.objects.filter(
        Q(owner__isnull=False) | Q(district__isnull=False),
        status__in=OPEN_STATUSES, escalated_at__isnull=True, due_at__lte=now,
    ).select_related("owner__parent", "district", "category")
    count = 0
    for ticket in overdue:
        target = ticket.owner.parent if ticket.owner_id else ticket.district
        with transaction.atomic():
            claimed = Ticket.objects.filter(pk=ticket.pk, escalated_at__isnull=True).update(
                escalated_at=now, escalated_to=target
            )
            if not claimed:
                continue
            ticket.escalated_at, ticket.escalated_to = now, target
            add_event(ticket=ticket, kind=EventKind.ESCALATED, unit=target)
            audit.record(actor=None, action="ticket.escalated", target=ticket,
                         fields={"to": target.code if target else ""})
            notifications.escalated(ticket)
            emit("ticket.overdue", path=ticket.place_path, data=lambda ticket=ticket: webhook_data(ticket))
            count += 1
    return count
