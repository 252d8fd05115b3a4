"""Delivering the outbox: claim, commit, send, record — the transport never runs inside a transaction
that holds row locks (a slow provider would otherwise block every writer of the outbox).

1. `claim_due` locks due rows (skipping rows another worker holds), marks them SENDING with a lease
   and commits. Non-urgent rows whose recipient is in quiet hours are postponed instead. A row whose
   lease ran out (its worker died) is due again.
2. Each claimed row is sent with no transaction open, after taking a token from its provider's
   bucket (`ratelimit.take`); without a token it is put back for when one will be there.
3. `record` stores the outcome on the row: SENT with the provider's id; a retryable error puts it
   back with exponential backoff and jitter; the last attempt or a final error makes it DEAD, shown
   to system administrators (retry or discard, audited); no address makes it SKIPPED.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import ratelimit
from .enums import OutboxStatus
from .models import ChannelPreference, OutboxMessage
from .preferences import quiet_until
from .transports.base import NoAddress, TransportError

LEASE = timedelta(minutes=5)
DEFAULT_TRANSPORT = "xiachen.notices.services.ConsoleTransport"


def max_attempts() -> int:
    return int(getattr(settings, "XIACHEN_OUTBOX_MAX_ATTEMPTS", 8))


def backoff(attempts: int, *, base: float | None = None, cap: float | None = None) -> timedelta:
    """Delay before attempt `attempts + 1`: base·2^(attempts−1), capped, times a jitter in [0.5, 1.5)
    so that messages that failed together do not all come back in the same second."""
    base = base if base is not None else float(getattr(settings, "XIACHEN_OUTBOX_BACKOFF_SECONDS", 60))
    cap = cap if cap is not None else float(getattr(settings, "XIACHEN_OUTBOX_BACKOFF_CAP_SECONDS", 6 * 3600))
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * random.uniform(0.5, 1.5))


@dataclass
class Outcome:
    status: str
    provider_message_id: str = ""
    error: str = ""
    retry_at: datetime | None = None
    counts_as_attempt: bool = True


def load_transport():
    return import_string(getattr(settings, "XIACHEN_NOTICE_TRANSPORT", DEFAULT_TRANSPORT) or DEFAULT_TRANSPORT)()


def _due(now: datetime) -> Q:
    pending = Q(status=OutboxStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return pending | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)


@transaction.atomic
def claim_due(*, limit: int, now: datetime) -> list[OutboxMessage]:
    """Lock up to `limit` due rows, postpone those in their recipient's quiet hours, lease the rest."""
    rows = list(
        OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",)).filter(_due(now))
        .select_related("notification", "notification__recipient").order_by("id")[:limit]
    )
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(
        user_id__in={row.notification.recipient_id for row in rows if not row.urgent})}
    claimed = []
    for row in rows:
        later = None if row.urgent else quiet_until(preferences.get(row.notification.recipient_id), now)
        if later:
            row.status, row.next_attempt_at = OutboxStatus.PENDING, later
        else:
            row.status, row.claimed_until = OutboxStatus.SENDING, now + LEASE
            claimed.append(row)
    OutboxMessage.objects.bulk_update(rows, ["status", "next_attempt_at", "claimed_until"])
    return claimed


def attempt(message: OutboxMessage, transport, *, now: datetime) -> Outcome:
    """Send one claimed row (no transaction may be open here) and say what happened."""
    if hasattr(transport, "rate_key"):
        per_second, burst = transport.rate(message)
        wait = ratelimit.take(transport.rate_key(message), per_second=per_second, burst=burst, now=now)
        if wait > 0:
            return Outcome(OutboxStatus.PENDING, retry_at=now + timedelta(seconds=wait), counts_as_attempt=False)
    try:
        provider_id = transport.send(message)
    except NoAddress as reason:
        return Outcome(OutboxStatus.SKIPPED, error=str(reason)[:200])
    except TransportError as error:
        if not error.retry or message.attempts + 1 >= max_attempts():
            return Outcome(OutboxStatus.DEAD, error=str(error))
        delay = backoff(message.attempts + 1)
        if error.retry_after:
            delay = max(delay, timedelta(seconds=error.retry_after))
        return Outcome(OutboxStatus.PENDING, error=str(error), retry_at=now + delay)
    except Exception as error:  # a bug or an unforeseen answer: retried, and visible on the row
        if message.attempts + 1 >= max_attempts():
            return Outcome(OutboxStatus.DEAD, error=f"{type(error).__name__}: {error}"[:200])
        return Outcome(OutboxStatus.PENDING, error=f"{type(error).__name__}: {error}"[:200],
                       retry_at=now + backoff(message.attempts + 1))
    return Outcome(OutboxStatus.SENT, provider_message_id=str(provider_id or "")[:100])


def record(message: OutboxMessage, outcome: Outcome, *, provider: str, now: datetime) -> None:
    """Store the outcome, unless the row was meanwhile taken from this worker (lease ran out)."""
    changes: dict[str, object] = {
        "status": outcome.status, "error": outcome.error, "next_attempt_at": outcome.retry_at,
        "claimed_until": None, "provider": provider[:40], "updated_at": now,
    }
    if outcome.counts_as_attempt:
        changes |= {"attempts": message.attempts + 1, "last_attempt_at": now}
    if outcome.status == OutboxStatus.SENT:
        changes |= {"sent_at": now, "provider_message_id": outcome.provider_message_id}
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING,
                                 claimed_until=message.claimed_until).update(**changes)


def deliver_outbox(*, limit: int = 500, now: datetime | None = None) -> int:
    """Send up to `limit` due messages; returns how many the providers accepted."""
    transport = load_transport()
    sent = 0
    for message in claim_due(limit=limit, now=now or timezone.now()):
        moment = now or timezone.now()
        outcome = attempt(message, transport, now=moment)
        provider = transport.rate_key(message) if hasattr(transport, "rate_key") else type(transport).__name__
        record(message, outcome, provider=provider, now=moment)
        sent += outcome.status == OutboxStatus.SENT
    return sent
