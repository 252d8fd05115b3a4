"""Notifications: one in-app row per recipient plus outbox rows for the channels outside the site.

The outbox is written in the caller's transaction (the outbox pattern): a message exists exactly
when the change it announces was committed. Each recipient gets a row per channel they receive on
(their settings, `preferences.py`); a group robot gets one row per announcement. `deliver_outbox`
(outbox.py) sends them; the demo transport writes them to the console.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from xiachen.audit import services as audit

from .enums import OutboxStatus
from .models import ChannelPreference, Notification, OutboxMessage
from .outbox import deliver_outbox
from .preferences import channels_for, group_channels_for, is_urgent, resident_only_ids

__all__ = ["deliver_outbox", "discard_message", "mark_read", "notify", "retry_message"]

logger = logging.getLogger("xiachen.notices")


def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", link: str = "", urgent: bool | None = None
) -> list[Notification]:
    """Create an in-app notification for each distinct recipient and its outbox rows: one per
    channel the recipient receives on, plus one per group robot that carries `kind`. `urgent`
    (default: by kind) lets a message through quiet hours."""
    unique = {user.pk: user for user in recipients if user is not None}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, title=title[:120], body=body, link=link) for user in unique.values()
    )
    urgent = is_urgent(kind) if urgent is None else urgent
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=unique)} if unique else {}
    residents = resident_only_ids(unique) if unique else set()
    rows = [
        OutboxMessage(notification=n, channel=channel, urgent=urgent)
        for n in notifications
        for channel in channels_for(n.recipient, preferences.get(n.recipient_id),
                                    resident_only=n.recipient_id in residents)
    ]
    if notifications:
        rows += [OutboxMessage(notification=notifications[0], channel=channel, urgent=True)
                 for channel in group_channels_for(kind)]
    OutboxMessage.objects.bulk_create(rows)
    return notifications


def mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id == user.pk and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


class ConsoleTransport:
    """The demo transport: prints each message (title and link only — never personal data)."""

    def send(self, message: OutboxMessage) -> None:
        notification = message.notification
        logger.info(
            "[%s → user %s] %s %s", message.channel, notification.recipient_id, notification.title, notification.link
        )


RETRYABLE = (OutboxStatus.DEAD, OutboxStatus.SKIPPED, OutboxStatus.DISCARDED)


@transaction.atomic
def retry_message(*, message: OutboxMessage, by) -> OutboxMessage:
    """Put a failed, skipped or discarded message back in the queue with a fresh set of attempts
    (a system administrator, after fixing what failed). Raises ValueError for any other status."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in RETRYABLE:
        raise ValueError(message.status)
    previous = message.status
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, None
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit.record(actor=by, action="outbox.retried", target=message, fields={"from": previous})
    return message


@transaction.atomic
def discard_message(*, message: OutboxMessage, by) -> OutboxMessage:
    """Give up on a failed message for good (it stays listed as discarded). Raises ValueError unless DEAD."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxStatus.DEAD:
        raise ValueError(message.status)
    message.status = OutboxStatus.DISCARDED
    message.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="outbox.discarded", target=message, fields={"from": OutboxStatus.DEAD})
    return message
