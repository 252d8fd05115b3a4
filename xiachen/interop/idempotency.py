"""Idempotency keys for API writes (the IETF httpapi Idempotency-Key draft, as Stripe uses it).

The record is inserted *first*, in the same transaction as the write, so a concurrent retry waits
on the unique index and then replays the committed answer instead of writing twice; a crash before
commit leaves neither the write nor the record. Refusals by the service (400) are stored and
replayed like successes; 403/404 and server errors are not stored, so a retry is decided again.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header

from .models import IdempotencyRecord

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255,
                                       description="客户端生成的唯一键（如 UUID）：同键同内容的重试返回第一次的结果")]
Answer = tuple[int, dict]


class _TakenMeanwhile(Exception):
    pass


def _request_digest(operation: str, path: str, payload) -> str:
    body = payload.model_dump(mode="json") if hasattr(payload, "model_dump") else payload
    text = json.dumps({"operation": operation, "path": path, "body": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Answer:
    if record.request_digest != digest:
        return 422, {"detail": _("该 Idempotency-Key 已用于内容不同的请求，请为新请求使用新的键")}
    return record.status_code, record.body


def _refusal(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return {"detail": "；".join(str(message) for message in error.messages)}
    return {"detail": str(error)}


def run(request, *, key: str, operation: str, payload, action: Callable[[], Answer]) -> JsonResponse:
    """Answer a write once per (caller, key): `action` runs the service and returns (status, body), the
    body already in its response schema's JSON form (so a replay is byte-for-byte the first answer).

    Same key and same body → the stored answer; same key, different body or operation → 422."""
    status, body = answer(request, key=key, operation=operation, payload=payload, action=action)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def answer(request, *, key: str, operation: str, payload, action: Callable[[], Answer]) -> Answer:
    """`run` without the HTTP response: (status, body)."""
    digest = _request_digest(operation, request.path, payload)
    try:
        with transaction.atomic():
            existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if existing is not None:
                return _replay(existing, digest)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(user=request.user, key=key, operation=operation,
                                                              request_digest=digest, status_code=0)
            except IntegrityError as error:  # a concurrent request with this key committed first
                raise _TakenMeanwhile from error
            try:
                with transaction.atomic():
                    status, body = action()
            except (ValueError, ValidationError) as error:  # the service refused: nothing was written
                status, body = 400, _refusal(error)
            record.status_code, record.body = status, body
            record.save(update_fields=["status_code", "body"])
            return status, body
    except _TakenMeanwhile:
        return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), digest)


def purge_expired(*, now=None) -> int:
    """Forget keys after XIACHEN_IDEMPOTENCY_HOURS (24): a retry later than that is a new request."""
    hours = getattr(settings, "XIACHEN_IDEMPOTENCY_HOURS", 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
