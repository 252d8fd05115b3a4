"""The server half of the one offline engine (ADR 2001): an idempotent batch of changes from a phone.

Every change carries a client UUID made on the phone, a kind, its data and, when it edits an existing
row, the version (`updated_at`) of the row the phone showed when the edit was made. Each change runs in
its own savepoint through the kind's handler, which calls the app's ordinary service (the same status
machine, permission check and audit as online); the outcome is kept by UUID, so a batch re-sent after a
dropped answer returns the first outcome and changes nothing (`OfflineChange.client_uuid` is unique:
two concurrent uploads of one change cannot both apply it).

Conflict rule: the server never overwrites newer data with an older offline edit. An edit whose base
version is older than the row is refused as a conflict, with the row's current state for the page to
show, unless every newer version since that base was made by the same person's own earlier offline
edits of that row (a chain made offline: accept, start, deliver of one errand).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import ChangeStatus, OfflineChange

MAX_BATCH = 500
COMMIT_EVERY = 100  # changes per transaction: one commit (fsync) per slice, not per change


class Conflict(Exception):
    """The row changed on the server after the phone's base version; `current` describes it now."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}


class Rejected(Exception):
    """The change breaks a rule (the message says which, for the user)."""


@dataclass
class Applied:
    target: str = ""
    version: datetime | None = None  # the row's updated_at after the change
    data: dict = field(default_factory=dict)


@dataclass
class Change:
    client_uuid: str
    kind: str
    data: dict
    base: datetime | None
    at: int | None  # when it was made on the phone, epoch seconds


Handler = Callable[..., Applied]


def version_of(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _parse(raw) -> Change:
    if not isinstance(raw, dict):
        raise ValueError("not_an_object")
    client_uuid = str(uuid.UUID(str(raw.get("client_uuid"))))
    kind, data = raw.get("kind"), raw.get("data") or {}
    if not isinstance(kind, str) or not isinstance(data, dict):
        raise ValueError("bad_field")
    base = raw.get("base") or None
    base = parse_datetime(base) if isinstance(base, str) else None
    at = raw.get("at")
    at = int(at) if isinstance(at, int | float) and not isinstance(at, bool) else None
    return Change(client_uuid, kind, data, base, at)


def check_version(*, by, target: str, row_version: datetime, base: datetime | None, current: Callable[[], dict],
                  message: str) -> None:
    """Raise Conflict when the row is newer than the phone's base version, unless the newer versions are
    all the same user's own applied offline edits of this target, chained back to that base."""
    if base is None:
        raise Rejected(_("缺少修改前的版本，请联网刷新后重试"))
    version = row_version
    while version > base:
        own = OfflineChange.objects.filter(
            target=target, user=by, status=ChangeStatus.APPLIED, result_version=version
        ).values_list("base_version", flat=True).first()
        if own is None or own >= version:
            raise Conflict(message, current())
        version = own


def apply_changes(*, by, device_id: str, changes: list, handlers: dict[str, Handler]) -> list[dict]:
    """Apply a batch; one result per change, in order: {client_uuid, status, message, current?, duplicate?}."""
    if not isinstance(changes, list) or len(changes) > MAX_BATCH:
        raise ValueError("batch_too_large")
    parsed: list[Change | None] = []
    results: list[dict] = []
    for raw in changes:
        try:
            parsed.append(_parse(raw))
        except (ValueError, TypeError, AttributeError):
            parsed.append(None)
    known = {
        str(row.client_uuid): row
        for row in OfflineChange.objects.filter(client_uuid__in=[c.client_uuid for c in parsed if c])
    }
    for start in range(0, len(changes), COMMIT_EVERY):  # one commit per slice, a savepoint per change
        with transaction.atomic():
            _apply_slice(by, device_id, changes[start:start + COMMIT_EVERY], parsed[start:start + COMMIT_EVERY],
                         known, handlers, results)
    return results


def _apply_slice(by, device_id, changes, parsed, known, handlers, results) -> None:
    for raw, change in zip(changes, parsed, strict=True):
        if change is None:
            echo = raw.get("client_uuid") if isinstance(raw, dict) else None
            results.append({"client_uuid": echo, "status": ChangeStatus.REJECTED.value,
                            "message": _("无法识别的修改")})
            continue
        stored = known.get(change.client_uuid)
        if stored is None:
            stored = _apply_one(by=by, device_id=device_id, change=change, handlers=handlers, results=results)
            known[change.client_uuid] = stored
            continue
        results.append({"client_uuid": change.client_uuid, "status": stored.status, "message": stored.message,
                        "duplicate": True})


def _apply_one(*, by, device_id: str, change: Change, handlers: dict[str, Handler], results: list) -> OfflineChange:
    handler = handlers.get(change.kind)
    record = OfflineChange(client_uuid=change.client_uuid, user=by, device_id=str(device_id or "")[:40],
                           kind=change.kind[:40], base_version=change.base)
    result: dict[str, object] = {"client_uuid": change.client_uuid}
    try:
        if handler is None:
            raise Rejected(_("无法识别的修改"))
        with transaction.atomic():
            applied = handler(by=by, change=change)
            record.status, record.target, record.result_version = ChangeStatus.APPLIED, applied.target, applied.version
            record.save()  # inside the savepoint: a concurrent upload of the same UUID undoes this one
        result.update(status=ChangeStatus.APPLIED.value, message="", data=applied.data)
        results.append(result)
        return record
    except IntegrityError:
        stored = OfflineChange.objects.filter(client_uuid=change.client_uuid).first()
        if stored is not None:  # the same change, stored meanwhile by a concurrent upload
            results.append(result | {"status": stored.status, "message": stored.message, "duplicate": True})
            return stored
        record.status, record.message = ChangeStatus.REJECTED, _("与已有数据重复，未能保存")
        result.update(status=record.status.value, message=record.message)
    except Conflict as conflict:
        record.status, record.message = ChangeStatus.CONFLICT, str(conflict)[:300]
        result.update(status=record.status.value, message=record.message, current=conflict.current)
    except (Rejected, ValidationError, PermissionDenied, ValueError) as refusal:
        message = _("您没有权限做这项修改") if isinstance(refusal, PermissionDenied) else _message(refusal)
        record.status, record.message = ChangeStatus.REJECTED, message[:300]
        result.update(status=record.status.value, message=record.message)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        record = OfflineChange.objects.get(client_uuid=change.client_uuid)
        result.update(status=record.status, message=record.message, duplicate=True)
    results.append(result)
    return record


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)
