"""Writing and verifying the audit trail."""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "role": event.role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "fields": event.fields,
        "result": event.result,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_digest(previous_digest: str, event: AuditEvent) -> str:
    return hashlib.sha256(previous_digest.encode() + _canonical(event)).hexdigest()


def _target_parts(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    identifier = getattr(target, "public_id", None) or getattr(target, "pk", "")
    return target._meta.label, str(identifier)


@transaction.atomic
def record(
    *, actor, action: str, target=None, fields: dict | None = None, result: str = "ok", role: str = ""
) -> AuditEvent:
    """Append one audit event (actor may be None for the system) and extend the hash chain.

    Never pass personal data in `fields`: name the fields touched, not their values.
    """
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"digest": GENESIS})
    target_type, target_id = _target_parts(target)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        role=role,
        action=action,
        target_type=target_type,
        target_id=target_id,
        fields=fields or {},
        result=result,
        previous_digest=head.digest,
    )
    event.digest = compute_digest(head.digest, event)
    event.save()
    AuditChainHead.objects.filter(pk=1).update(digest=event.digest)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain() -> ChainReport:
    """Recompute every digest in order; report the first row whose link or content does not match."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_digest != previous or compute_digest(previous, event) != event.digest:
            return ChainReport(checked=checked, first_broken_id=event.pk)
        previous = event.digest
        checked += 1
    return ChainReport(checked=checked, first_broken_id=None)
