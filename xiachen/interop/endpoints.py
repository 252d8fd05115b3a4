"""The administrator's webhook endpoints: create (secret shown once), enable again, disable, test."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from . import webhooks
from .enums import EventType
from .models import WebhookEndpoint


class EndpointError(ValueError):
    pass


@transaction.atomic
def create_endpoint(*, by, name: str, url: str, event_types: list[str], unit) -> tuple[WebhookEndpoint, str]:
    """Returns (endpoint, signing secret); the secret is stored encrypted and shown this once."""
    require_permission(by, "accounts.manage")
    if not event_types or set(event_types) - set(EventType.values):
        raise EndpointError(_("请至少选择一种事件"))
    if not url.startswith(("https://", "http://")):
        raise EndpointError(_("接收地址须以 https:// 或 http:// 开头"))
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint = WebhookEndpoint.objects.create(name=name, url=url, secret=secret, event_types=sorted(event_types),
                                              unit=unit, created_by=by)
    audit.record(actor=by, action="webhook.created", target=endpoint, fields={"events": endpoint.event_types})
    return endpoint, secret


@transaction.atomic
def set_endpoint_active(*, by, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Enabling clears the failure count and sends what waited meanwhile; disabling keeps it waiting."""
    require_permission(by, "accounts.manage")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = active
    if active:
        endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
        webhooks.pending_for(endpoint).update(next_attempt_at=timezone.now())
        transaction.on_commit(webhooks._enqueue)
    else:
        endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), _("管理员停用")
    endpoint.save()
    audit.record(actor=by, action="webhook.enabled" if active else "webhook.disabled", target=endpoint)
    return endpoint


@transaction.atomic
def send_test_event(*, by, endpoint: WebhookEndpoint):
    """A `ping` to this endpoint alone, to check the receiver's signature verification."""
    require_permission(by, "accounts.manage")
    delivery = endpoint.deliveries.create(event_id=webhooks.uuid.uuid4(), event_type=EventType.PING,
                                          payload={}, next_attempt_at=timezone.now())
    delivery.payload = {"id": str(delivery.event_id), "type": EventType.PING, "created": timezone.now().isoformat(),
                        "data": {"endpoint": str(endpoint.public_id)}}
    delivery.save(update_fields=["payload"])
    audit.record(actor=by, action="webhook.tested", target=endpoint)
    transaction.on_commit(webhooks._enqueue)
    return delivery
