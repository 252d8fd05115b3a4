"""Notifications: one in-app row per recipient plus an outbox row for the SMS/WeChat transport.

The outbox is written in the caller's transaction (the outbox pattern): a message exists exactly
when the change it announces was committed. `deliver_outbox` hands pending rows to the configured
transport; the demo transport writes them to the console.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .enums import Channel, OutboxStatus
from .models import Notification, OutboxMessage

logger = logging.getLogger("xiachen.notices")


def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", link: str = "", channel: str = Channel.SMS
) -> list[Notification]:
    """Create an in-app notification and an outbox message for each distinct recipient."""
    unique = {user.pk: user for user in recipients if user is not None}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, title=title[:120], body=body, link=link) for user in unique.values()
    )
    OutboxMessage.objects.bulk_create(OutboxMessage(notification=n, channel=channel) for n in notifications)
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


def deliver_outbox(*, limit: int = 500) -> int:
    """Send up to `limit` pending messages; each is marked sent or failed. Returns how many were sent."""
    transport_path = getattr(settings, "XIACHEN_NOTICE_TRANSPORT", "xiachen.notices.services.ConsoleTransport")
    transport = import_string(transport_path)()
    sent = 0
    with transaction.atomic():
        pending = list(
            OutboxMessage.objects.select_for_update()
            .filter(status=OutboxStatus.PENDING)
            .select_related("notification")[:limit]
        )
        for message in pending:
            message.attempts += 1
            try:
                transport.send(message)
            except Exception as error:  # a transport failure is recorded on the row, not raised
                message.status, message.error = OutboxStatus.FAILED, str(error)[:200]
            else:
                message.status, message.sent_at = OutboxStatus.SENT, timezone.now()
                sent += 1
            message.save(update_fields=["attempts", "status", "sent_at", "error", "updated_at"])
    return sent
