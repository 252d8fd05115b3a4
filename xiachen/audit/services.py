"""Writing and verifying the audit trail."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, ChainCheck

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


PROGRESS_EVERY = 2000


def verify_chain(progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every digest in order; report the first row whose link or content does not match.

    `progress(checked)` is called every PROGRESS_EVERY rows, for a progress bar.
    """
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=PROGRESS_EVERY):
        if event.previous_digest != previous or compute_digest(previous, event) != event.digest:
            return ChainReport(checked=checked, first_broken_id=event.pk)
        previous = event.digest
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
    return ChainReport(checked=checked, first_broken_id=None)


@transaction.atomic
def start_chain_check(*, by) -> ChainCheck:
    """Queue a verification of the whole chain (after commit) and return its row to poll; while one
    started in the last hour still runs, return that one instead of queueing another.

    Raises PermissionDenied unless `by` holds `audit.verify`. The result is audited by the task.
    """
    from xiachen.accounts.permissions import require_permission

    from .tasks import chain_check_task

    require_permission(by, "audit.verify")
    recent = timezone.now() - timedelta(hours=1)
    running = ChainCheck.objects.filter(status=ChainCheck.Status.RUNNING, started_at__gte=recent).first()
    if running is not None:
        return running
    check = ChainCheck.objects.create(started_by=by, total=AuditEvent.objects.count())
    transaction.on_commit(lambda: chain_check_task.enqueue(check_id=check.pk))
    return check


def run_chain_check(*, check_id: int) -> ChainCheck:
    """Run a queued check (the task's body): progress into the row, result and one audit event."""
    check = ChainCheck.objects.select_related("started_by").get(pk=check_id)

    def progress(checked: int) -> None:
        ChainCheck.objects.filter(pk=check_id).update(checked=checked)

    report = verify_chain(progress)
    check.checked, check.first_broken_id = report.checked, report.first_broken_id
    check.status = ChainCheck.Status.INTACT if report.intact else ChainCheck.Status.BROKEN
    check.finished_at = timezone.now()
    check.save(update_fields=["checked", "first_broken_id", "status", "finished_at"])
    record(actor=check.started_by, action="audit.chain_checked",
           fields={"checked": report.checked, "intact": report.intact, "first_broken_id": report.first_broken_id},
           result="ok" if report.intact else "failed")
    return check
