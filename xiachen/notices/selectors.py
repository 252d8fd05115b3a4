"""Reads of the outbox for the system administrator."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiachen.accounts.permissions import require_permission

from .enums import OutboxStatus
from .models import OutboxMessage

# The lists of messages that did not reach anyone, by the tab's name in the URL.
UNDELIVERED = {
    "dead": (OutboxStatus.DEAD, _("发送失败")),
    "skipped": (OutboxStatus.SKIPPED, _("无接收地址")),
    "discarded": (OutboxStatus.DISCARDED, _("已放弃")),
}


def undelivered_messages(user, *, status: str = "dead") -> QuerySet[OutboxMessage]:
    """Messages in one undelivered state, newest first. Raises PermissionDenied for anyone but a system
    administrator (the whole site's outbox: no unit scope applies)."""
    require_permission(user, "notices.dead_letters")
    return (OutboxMessage.objects.filter(status=UNDELIVERED[status][0])
            .select_related("notification__recipient").order_by("-updated_at", "-id"))
