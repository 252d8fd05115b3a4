"""Webhooks: events written to an outbox in the transaction of the change, delivered after commit (ADR 1822).

`emit()` is called by the services whose changes integrations follow. It writes one WebhookDelivery
per subscribed, active endpoint whose unit contains the event's unit, and queues delivery on commit.
`deliver_due()` (the background task and the `deliver_webhooks` job) claims each due delivery with a
compare-and-set UPDATE, sends it with no transaction open, then records the outcome in a short
UPDATE — a slow receiver never holds a lock. Payloads carry ids, codes and statuses only, never
names, phones, ID numbers, addresses or free text (docs/security.md).
"""

import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.audit import services as audit

from . import signing
from .enums import DeliveryStatus
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("xiachen.interop")
CLAIM_SECONDS = 120  # a claimed delivery is not picked up again before this (the sender died: retried)
PERMANENT = {400, 401, 403, 404, 405, 410, 413, 415, 422}  # the receiver refuses this request for good


def _setting(name: str, default):
    return getattr(settings, f"XIACHEN_WEBHOOK_{name}", default)


def emit(event_type: str, *, path: str, data: dict | Callable[[], dict]) -> list[WebhookDelivery]:
    """Queue `event_type` about something at unit path `path` for every endpoint that follows it under
    its unit. Call inside the service's transaction; `data` (or the callable building it, called only
    when someone listens) must hold no personal data (ids, codes, statuses, times)."""
    endpoints = [
        endpoint for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("unit")
        if event_type in endpoint.event_types and path.startswith(endpoint.unit.path)
    ]
    if not endpoints:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    payload = {"id": str(event_id), "type": event_type, "created": now.isoformat(),
               "data": data() if callable(data) else data}
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, payload=payload,
                        next_attempt_at=now)
        for endpoint in endpoints
    )
    transaction.on_commit(_enqueue)
    return deliveries


def _enqueue() -> None:
    from .tasks import deliver_webhooks_task

    deliver_webhooks_task.enqueue()


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send every due delivery of an active endpoint once; returns how many were attempted."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).order_by("next_attempt_at", "id").values_list("pk", "next_attempt_at")[:limit]
    attempted = 0
    for pk, next_at in list(due):
        claimed = WebhookDelivery.objects.filter(pk=pk, next_attempt_at=next_at).update(
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        if claimed:
            send(WebhookDelivery.objects.select_related("endpoint").get(pk=pk))
            attempted += 1
    return attempted


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    """POST the signed payload; the HTTP status (redirects are not followed). Raises OSError on no answer."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    if not endpoint.url.startswith(("https://", "http://")):  # checked when created; never file: or ftp:
        raise ValueError("not an http(s) URL")
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "User-Agent": "xiachen-webhooks/1",
        "Xiachen-Event": delivery.event_type, "Xiachen-Delivery": str(delivery.public_id),
        signing.HEADER: signing.sign(endpoint.secret, body, int(time.time())),
    })
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=_setting("TIMEOUT_SECONDS", 5)) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def send(delivery: WebhookDelivery) -> WebhookDelivery:
    """One attempt, outside any transaction; then the outcome (and the endpoint's failure count)."""
    code, error = None, ""
    try:
        code = _post(delivery.endpoint, delivery)
    except (TimeoutError, OSError, ValueError) as problem:  # refused, reset, timed out, bad URL
        error = type(problem).__name__ if not str(problem) else str(problem)[:200]
    if code is not None and 200 <= code < 300:
        return _delivered(delivery, code)
    return _failed(delivery, code, error or _("接收方返回 HTTP %(code)s") % {"code": code})


def _delivered(delivery: WebhookDelivery, code: int) -> WebhookDelivery:
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, attempts=F("attempts") + 1, last_status_code=code, last_error="",
        delivered_at=now, next_attempt_at=None, updated_at=now)
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
    delivery.refresh_from_db()
    return delivery


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: base × 2^(attempts−1), capped (30 s, 1 min, 2 min … 6 h)."""
    seconds = _setting("RETRY_BASE_SECONDS", 30) * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, _setting("RETRY_MAX_SECONDS", 6 * 3600)))


def _failed(delivery: WebhookDelivery, code: int | None, error: str) -> WebhookDelivery:
    now, attempts = timezone.now(), delivery.attempts + 1
    final = attempts >= _setting("MAX_ATTEMPTS", 8) or code in PERMANENT
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING, attempts=attempts,
        last_status_code=code, last_error=error[:200], next_attempt_at=None if final else now + backoff(attempts),
        updated_at=now)
    logger.warning("webhook delivery %s to endpoint %s failed (%s): %s", delivery.public_id,
                   delivery.endpoint.public_id, attempts, error)
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    _disable_if_failing(delivery.endpoint_id, now)
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def _disable_if_failing(endpoint_id: int, now: datetime) -> None:
    limit = _setting("DISABLE_AFTER", 10)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if not endpoint.is_active or endpoint.consecutive_failures < limit:
        return
    endpoint.is_active, endpoint.disabled_at = False, now
    endpoint.disabled_reason = _("连续 %(count)d 次推送失败，已自动停用") % {"count": endpoint.consecutive_failures}
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    audit.record(actor=None, action="webhook.disabled", target=endpoint,
                 fields={"failures": endpoint.consecutive_failures})
    _tell_administrators(endpoint)


def _tell_administrators(endpoint: WebhookEndpoint) -> None:
    from xiachen.accounts.enums import Role
    from xiachen.accounts.models import User
    from xiachen.notices.services import notify

    admins = User.objects.filter(is_active=True, memberships__role=Role.SYSTEM_ADMIN, memberships__is_active=True)
    notify(recipients=list(admins.distinct()), kind="webhook_disabled",
           title=_("事件推送地址“%(name)s”连续推送失败，已停用") % {"name": endpoint.name},
           link=reverse("interop:webhook_detail", args=[endpoint.public_id]))


@transaction.atomic
def replay(*, by, delivery: WebhookDelivery) -> WebhookDelivery:
    """The administrator sends a delivery again: a new delivery of the same event (same event id, so a
    receiver that already processed it can tell), queued at once."""
    from xiachen.accounts.permissions import require_permission

    require_permission(by, "accounts.manage")
    copy = WebhookDelivery.objects.create(endpoint=delivery.endpoint, event_id=delivery.event_id,
                                          event_type=delivery.event_type, payload=delivery.payload,
                                          next_attempt_at=timezone.now(), replay_of=delivery)
    audit.record(actor=by, action="webhook.replayed", target=copy, fields={"of": str(delivery.public_id)})
    transaction.on_commit(_enqueue)
    return copy


def pending_for(endpoint: WebhookEndpoint):
    return endpoint.deliveries.filter(Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.RETRYING))
