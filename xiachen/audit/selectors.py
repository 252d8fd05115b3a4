"""Reads of the audit trail: only the security auditor."""

from django.db.models import QuerySet

from xiachen.accounts.permissions import require_permission

from .models import AuditEvent


def audit_events_for(user, *, action: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    """Newest first. Raises PermissionDenied for anyone without `audit.view`."""
    require_permission(user, "audit.view")
    events = AuditEvent.objects.order_by("-id")
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label=actor)
    return events
