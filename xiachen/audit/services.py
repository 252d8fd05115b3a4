"""Writing and verifying the audit trail."""

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keys
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


def compute_digest(previous_digest: str, event: AuditEvent) -> str | None:
    """The event's digest under the key it names: HMAC-SHA256 (keys.py), or plain SHA-256 for events
    written before keyed digests (key_id ""). None when the key is not (or no longer) configured."""
    message = previous_digest.encode() + _canonical(event)
    if not event.key_id:
        return hashlib.sha256(message).hexdigest()
    key = keys.by_id(event.key_id)
    return None if key is None else keys.mac(key, message)


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
        key_id=keys.current()[0],
    )
    digest = compute_digest(head.digest, event)
    assert digest is not None, "signed with the current key, which is configured"
    event.digest = digest
    event.save()
    AuditChainHead.objects.filter(pk=1).update(digest=event.digest)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str = ""  # what is wrong, for people (Chinese); "" when intact

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None and not self.problem


PROGRESS_EVERY = 2000


def verify_chain(progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every digest in order; report the first row whose link or content does not match.

    `progress(checked)` is called every PROGRESS_EVERY rows, for a progress bar.
    """
    previous = GENESIS
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=PROGRESS_EVERY):
        if event.previous_digest != previous or compute_digest(previous, event) != event.digest:
            return ChainReport(checked=checked, first_broken_id=event.pk,
                               problem=_("第 %(id)s 号事件的摘要不符：该事件或此前的记录被改写") % {"id": event.pk})
        previous, last_id = event.digest, event.pk
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).values_list("digest", flat=True).first()
    if head is not None and head != previous:
        return ChainReport(checked=checked, first_broken_id=None,
                           problem=_("链头与最后一条事件不符：最新的事件被删除"))
    problem = _anchor_problem(checked_ids_until=last_id)
    return ChainReport(checked=checked, first_broken_id=None, problem=problem)


def _anchor_problem(*, checked_ids_until: int | None) -> str:
    """"" if every signed checkpoint in the anchor file matches the table, else what does not."""
    path = keys.anchor_path()
    if not path.exists():
        return ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
            body = {k: anchor[k] for k in ("at", "count", "last_id", "head", "key_id")}
            mac = anchor["mac"]
        except (ValueError, KeyError, TypeError):
            return _("锚定文件第 %(line)s 行无法读取") % {"line": number}
        key = keys.by_id(body["key_id"])
        expected = None if key is None else keys.mac(key, _anchor_message(body))
        if expected is None or not hmac_equal(expected, mac):
            return _("锚定文件第 %(line)s 行的签名无效") % {"line": number}
        if body["count"] == 0:
            continue
        row = AuditEvent.objects.filter(pk=body["last_id"]).values_list("digest", flat=True).first()
        count = AuditEvent.objects.filter(pk__lte=body["last_id"]).count()
        if row != body["head"] or count != body["count"]:
            return _("与 %(at)s 的锚定检查点不符（当时 %(count)s 条，最后一条第 %(id)s 号）：事件被删除或表被清空") % {
                "at": body["at"], "count": body["count"], "id": body["last_id"]}
    return ""


def hmac_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), str(b).encode())


def _anchor_message(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def write_checkpoint() -> dict:
    """Append one signed checkpoint (count, last id, head digest) to the anchor file and return it.

    The file is opened for appending only and synced: the database never holds it, so emptying or
    trimming the table cannot rewrite it. Run daily by the scheduled jobs.
    """
    last = AuditEvent.objects.order_by("-id").values_list("id", "digest").first()
    key_id, key = keys.current()
    body = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "count": AuditEvent.objects.count(),
        "last_id": last[0] if last else 0,
        "head": last[1] if last else GENESIS,
        "key_id": key_id,
    }
    anchor = body | {"mac": keys.mac(key, _anchor_message(body))}
    path = keys.anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(anchor, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return anchor


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
    check.checked, check.first_broken_id, check.problem = report.checked, report.first_broken_id, report.problem
    check.status = ChainCheck.Status.INTACT if report.intact else ChainCheck.Status.BROKEN
    check.finished_at = timezone.now()
    check.save(update_fields=["checked", "first_broken_id", "problem", "status", "finished_at"])
    record(actor=check.started_by, action="audit.chain_checked",
           fields={"checked": report.checked, "intact": report.intact, "first_broken_id": report.first_broken_id},
           result="ok" if report.intact else "failed")
    return check
