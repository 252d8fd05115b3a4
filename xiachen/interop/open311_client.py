"""Outbound Open311 (GeoReport v2): forward a hotline ticket to the city platform, pull its status back.

Forwarding is a service (`forward_ticket`, audited, in the caller's transaction) that records a
pending Open311Forward; the POST goes out after commit from the background worker (`send_forward`),
and waiting forwards are retried by the scheduled `pull_open311_status` job, which also pulls the
status of every forwarded, not yet closed ticket in one GET per 50. No transaction is open while the
city platform is called. The caller's name and phone are not sent: the platform gets the category,
the description and the place (unit name and coordinates), enough to act and to call back through us.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission
from xiachen.audit import services as audit

from .enums import ForwardState
from .models import Open311Forward

logger = logging.getLogger("xiachen.interop")
MAX_ATTEMPTS = 8
BATCH = 50
# Open311 knows "open" and "closed"; a closed request on the city's side resolves an in-progress ticket here.
REMOTE_CLOSED = "closed"


class ForwardError(ValueError):
    pass


def upstream_configured() -> bool:
    return bool(getattr(settings, "XIACHEN_OPEN311_UPSTREAM_URL", ""))


def _url(path: str, **query) -> str:
    base = settings.XIACHEN_OPEN311_UPSTREAM_URL.rstrip("/")
    query = {k: v for k, v in query.items() if v} | _credentials()
    return f"{base}/{path}?{urllib.parse.urlencode(query)}"


def _credentials() -> dict:
    values = {"jurisdiction_id": settings.XIACHEN_OPEN311_JURISDICTION}
    return {k: v for k, v in values.items() if v}


@transaction.atomic
def forward_ticket(*, by, ticket) -> Open311Forward:
    """An operator forwards a ticket to the city platform; sent after commit. Forwarding twice is refused.

    Raises PermissionDenied outside the operator's area, ForwardError when forwarding is not configured."""
    if not has_permission(by, "hotline.operate", ticket.place):
        raise PermissionDenied("hotline.operate")
    if not upstream_configured():
        raise ForwardError(_("未配置市级热线平台（Open311）地址"))
    if Open311Forward.objects.filter(ticket=ticket).exists():
        raise ForwardError(_("该工单已转送市级平台"))
    forward = Open311Forward.objects.create(ticket=ticket, forwarded_by=by)
    audit.record(actor=by, action="ticket.forwarded", target=ticket)
    transaction.on_commit(lambda: _enqueue(forward.pk))
    return forward


def _enqueue(forward_id: int) -> None:
    from .tasks import forward_ticket_task

    forward_ticket_task.enqueue(forward_id=forward_id)


def _request_body(ticket) -> bytes:
    codes = getattr(settings, "XIACHEN_OPEN311_SERVICE_CODES", {})
    place = ticket.place
    fields = {
        "api_key": settings.XIACHEN_OPEN311_UPSTREAM_API_KEY, **_credentials(),
        "service_code": codes.get(ticket.category.code, ticket.category.code),
        "description": ticket.description, "address_string": place.name, "address_id": place.code,
        "lat": place.latitude, "long": place.longitude,
        "attribute[xiachen_ticket]": ticket.number,
    }
    return urllib.parse.urlencode({k: v for k, v in fields.items() if v not in (None, "")}).encode()


def _call(request: urllib.request.Request):
    if not request.full_url.startswith(("https://", "http://")):
        raise ValueError("XIACHEN_OPEN311_UPSTREAM_URL must be an http(s) URL")
    timeout = settings.XIACHEN_OPEN311_TIMEOUT_SECONDS
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # scheme checked above
        return json.loads(response.read().decode() or "null")


def send_forward(*, forward_id: int) -> Open311Forward:
    """POST one pending forward (outside any transaction); store the platform's id or the error."""
    claimed = Open311Forward.objects.filter(
        pk=forward_id, state__in=[ForwardState.PENDING, ForwardState.FAILED], attempts__lt=MAX_ATTEMPTS)
    forward = claimed.select_related("ticket__place", "ticket__category").first()
    if forward is None:
        return Open311Forward.objects.get(pk=forward_id)
    request = urllib.request.Request(settings.XIACHEN_OPEN311_UPSTREAM_URL.rstrip("/") + "/requests.json",  # noqa: S310
                                     data=_request_body(forward.ticket), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        answer = _call(request)
        remote_id = str(answer[0].get("service_request_id") or "")
        if not remote_id:
            raise ValueError("no service_request_id in the answer")
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        return _forward_failed(forward, error)
    return _forward_sent(forward, remote_id)


def _forward_sent(forward: Open311Forward, remote_id: str) -> Open311Forward:
    from xiachen.hotline.enums import EventKind
    from xiachen.hotline.services import add_event

    with transaction.atomic():
        Open311Forward.objects.filter(pk=forward.pk).update(
            state=ForwardState.SENT, service_request_id=remote_id[:80], remote_status="open", last_error="",
            attempts=forward.attempts + 1, updated_at=timezone.now())
        add_event(ticket=forward.ticket, kind=EventKind.NOTE,
                  note=_("已转送市级热线平台，平台编号 %(id)s") % {"id": remote_id[:80]})
        audit.record(actor=None, action="ticket.forward_sent", target=forward.ticket)
    forward.refresh_from_db()
    return forward


def _forward_failed(forward: Open311Forward, error: Exception) -> Open311Forward:
    detail = str(error)[:200] or type(error).__name__
    if isinstance(error, urllib.error.HTTPError):
        detail = f"HTTP {error.code}"
    logger.warning("Open311 forward of ticket %s failed: %s", forward.ticket.public_id, detail)
    Open311Forward.objects.filter(pk=forward.pk).update(
        state=ForwardState.FAILED, attempts=forward.attempts + 1, last_error=detail, updated_at=timezone.now())
    forward.refresh_from_db()
    return forward


def retry_forwards() -> int:
    """Send forwards still pending or failed (fewer than MAX_ATTEMPTS); returns how many went out."""
    if not upstream_configured():
        return 0
    waiting = Open311Forward.objects.filter(state__in=[ForwardState.PENDING, ForwardState.FAILED],
                                            attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    return sum(send_forward(forward_id=pk).state == ForwardState.SENT for pk in list(waiting))


def pull_statuses() -> int:
    """GET the platform's status of every sent, not yet closed forward; returns how many changed."""
    if not upstream_configured():
        return 0
    sent = list(Open311Forward.objects.filter(state=ForwardState.SENT).exclude(remote_status=REMOTE_CLOSED)
                .select_related("ticket"))
    changed = 0
    for start in range(0, len(sent), BATCH):
        batch = {f.service_request_id: f for f in sent[start:start + BATCH]}
        try:
            url = _url("requests.json", service_request_id=",".join(batch))
            answer = _call(urllib.request.Request(url))  # noqa: S310  # _call checks the scheme
        except (OSError, ValueError) as error:
            logger.warning("Open311 status pull failed: %s", str(error)[:200] or type(error).__name__)
            continue
        for item in answer if isinstance(answer, list) else []:
            forward = batch.get(str(item.get("service_request_id", "")))
            if forward is not None:
                changed += _apply_status(forward, str(item.get("status", ""))[:20], str(item.get("status_notes") or ""))
    return changed


@transaction.atomic
def _apply_status(forward: Open311Forward, status: str, notes: str) -> bool:
    """Store the platform's status; a closure resolves a ticket in progress here (the caller is then
    called back as usual). Returns True when the status or its notes changed."""
    from xiachen.hotline.enums import EventKind, TicketStatus
    from xiachen.hotline.services import add_event, move_ticket

    now = timezone.now()
    forward = Open311Forward.objects.select_for_update().get(pk=forward.pk)
    Open311Forward.objects.filter(pk=forward.pk).update(pulled_at=now)
    if status == forward.remote_status and notes[:500] == forward.status_notes:
        return False
    forward.remote_status, forward.status_notes, forward.pulled_at = status, notes[:500], now
    forward.save(update_fields=["remote_status", "status_notes", "pulled_at", "updated_at"])
    ticket = forward.ticket
    if status == REMOTE_CLOSED and ticket.status == TicketStatus.IN_PROGRESS:
        ticket.resolved_at, ticket.outcome = now, notes[:2000] or _("市级平台已办结")
        move_ticket(ticket=ticket, to=TicketStatus.RESOLVED, by=None, kind=EventKind.RESOLVED,
                    note=_("市级热线平台已办结"), fields=("resolved_at", "outcome"))
    else:
        add_event(ticket=ticket, kind=EventKind.NOTE, note=_("市级热线平台状态：%(status)s %(notes)s")
                  % {"status": _("已办结") if status == REMOTE_CLOSED else _("办理中"), "notes": notes[:200]})
    return True
