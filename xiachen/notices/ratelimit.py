"""Token buckets per provider, kept in the database so every worker and host shares one budget.

A bucket holds at most `burst` tokens and gains `per_second` a second. Taking a token locks only
the bucket's row, for one short transaction, and never around a call to a provider.
"""

from datetime import datetime

from django.db import IntegrityError, transaction

from .models import RateBucket


def take(key: str, *, per_second: float, burst: float, now: datetime) -> float:
    """Take one token from bucket `key`; returns 0 when granted, else the seconds until one is there."""
    try:
        with transaction.atomic():
            RateBucket.objects.get_or_create(key=key, defaults={"tokens": burst, "refilled_at": now})
    except IntegrityError:  # created by another worker at the same moment
        pass
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().get(key=key)
        elapsed = max((now - bucket.refilled_at).total_seconds(), 0.0)
        tokens = min(burst, bucket.tokens + elapsed * per_second)
        granted = tokens >= 1
        bucket.tokens = tokens - 1 if granted else tokens
        bucket.refilled_at = max(now, bucket.refilled_at)
        bucket.save(update_fields=["tokens", "refilled_at"])
    return 0.0 if granted else (1 - tokens) / per_second
