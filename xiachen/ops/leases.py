"""Leases of long background tasks, and reclaiming the ones whose worker died (ADR 1606).

A service that queues a long task on an object (matching a round, generating a roster) moves the
object to a busy status and, in the same transaction, `grant`s a lease on it; the token goes to the
task. The task runs inside `holding(...)`: it marks the lease running with its host and process id
and a heartbeat thread renews `heartbeat_at` every XIACHEN_TASK_HEARTBEAT_SECONDS. The service that
stores the result calls `end(obj, token)` under the object's row lock, in the storing transaction;
if that returns False the lease was reclaimed meanwhile and the late result is dropped (fencing).

A lease is stale when
  * it is running and its heartbeat is older than XIACHEN_TASK_LEASE_SECONDS, or
  * it is running on this host and the holding process no longer exists (kill -9, OOM), or
  * it is still queued after XIACHEN_TASK_QUEUE_SECONDS (no worker took it).
`reclaim_stale` hands each stale lease to the hook its app registered with `on_lost` (the hook
locks the object, calls `take()` and, if that succeeds, returns the object to a status the user can
act on, with a Chinese message) and marks the task's django-tasks result failed. It runs from the
scheduled job `reclaim_tasks` (every minute), when a worker starts, and from pages showing progress.
A task that fails with an exception is handed to the same hook at once (`holding` does it).

Lock order: the object's row first, then the lease row (hooks and storing services both follow it).
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import Error as DatabaseError  # also InterfaceError: a connection the server closed
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from .models import TaskLease

logger = logging.getLogger("xiachen.ops.leases")

Take = Callable[[], bool]
Hook = Callable[[int, str, Take], None]  # (object pk, Chinese reason, take) → None
_HOOKS: dict[str, Hook] = {}


class LeaseLost(Exception):
    """The task's lease was reclaimed (or never existed): its result must not be stored."""


def lease_seconds() -> float:
    return float(getattr(settings, "XIACHEN_TASK_LEASE_SECONDS", 90))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "XIACHEN_TASK_HEARTBEAT_SECONDS", 10))


def queue_seconds() -> float:
    return float(getattr(settings, "XIACHEN_TASK_QUEUE_SECONDS", 1800))


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def on_lost(label: str) -> Callable[[Hook], Hook]:
    """Register the hook that returns an object of model `label` ("rosters.roster") to a usable
    status when its task is lost. Used as a decorator in the app's tasks.py."""

    def register(hook: Hook) -> Hook:
        _HOOKS[label.lower()] = hook
        return hook

    return register


def this_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- the queuing service --------------------------------------------------------------------------


def grant(obj) -> str:
    """A fresh lease on `obj` (call inside the transaction that queues the task); returns its token."""
    now = timezone.now()
    token = uuid.uuid4()
    TaskLease.objects.update_or_create(
        subject=subject_of(obj),
        defaults={"token": token, "state": TaskLease.QUEUED, "task_id": "", "holder": "", "granted_at": now,
                  "heartbeat_at": now},
    )
    return str(token)


def note_task(token: str, task_id: str) -> None:
    """Remember the django-tasks result of a queued lease (so a reclaim can mark it failed)."""
    TaskLease.objects.filter(token=token).update(task_id=str(task_id)[:64])


def end(obj, token: str | None) -> bool:
    """End the lease in the transaction storing the task's result, under `obj`'s row lock. False:
    the lease is no longer this task's (reclaimed, or re-granted to a newer run)."""
    if token is None:  # a task queued before leases existed
        return True
    return TaskLease.objects.filter(subject=subject_of(obj), token=token).delete()[0] == 1


# --- the task -------------------------------------------------------------------------------------


@dataclass
class Holding:
    subject: str
    token: str
    _stop: threading.Event = field(default_factory=threading.Event)
    lost: bool = False

    def beat(self) -> bool:
        """Renew the heartbeat; False (and `lost`) when the lease is gone."""
        renewed = TaskLease.objects.filter(subject=self.subject, token=self.token).update(heartbeat_at=timezone.now())
        self.lost = self.lost or renewed == 0
        return not self.lost

    def _run(self) -> None:
        """The heartbeat thread: its own connection; a database error is logged and retried."""
        try:
            while not self._stop.wait(heartbeat_seconds()):
                try:
                    if not self.beat():
                        return
                except DatabaseError as error:
                    logger.warning("heartbeat of %s failed: %s", self.subject, error)
                    connection.close()
        finally:
            connection.close()


@contextmanager
def holding(label: str, pk: int, token: str | None, *, task_id: str = "") -> Iterator[Holding | None]:
    """Run a task's body under its lease. Yields None when the lease is gone (reclaimed while the
    task waited in the queue: do nothing). An exception in the body hands the object to the app's
    hook with a Chinese reason, then propagates (django-tasks records it)."""
    if token is None:
        yield Holding(f"{label.lower()}:{pk}", "")  # a task queued before leases existed: no heartbeat
        return
    subject = f"{label.lower()}:{pk}"
    started = TaskLease.objects.filter(subject=subject, token=token).update(
        state=TaskLease.RUNNING, holder=this_holder(), heartbeat_at=timezone.now(),
        **({"task_id": str(task_id)[:64]} if task_id else {}),
    )
    if not started:
        logger.warning("task for %s skipped: its lease was reclaimed before it started", subject)
        yield None
        return
    held = Holding(subject, token)
    beating = None
    if not connection.in_atomic_block:  # a task run inline inside a transaction (tests) needs no heartbeat
        beating = threading.Thread(target=held._run, name=f"heartbeat {subject}", daemon=True)
        beating.start()
    try:
        yield held
    except LeaseLost:
        logger.warning("result of %s dropped: the lease was reclaimed while the task ran", subject)
    except BaseException as error:
        _fail(label, pk, token, failure_reason(error))
        raise
    else:
        TaskLease.objects.filter(subject=subject, token=token).delete()  # normally already ended by the service
    finally:
        held._stop.set()
        if beating is not None:
            beating.join()


def failure_reason(error: BaseException) -> str:
    if isinstance(error, DatabaseError):
        return _("数据库连接中断或数据库繁忙")
    return _("后台任务出错")


def _fail(label: str, pk: int, token: str, reason: str) -> None:
    """Hand the object to its hook after the task failed. The connection may be the casualty (a
    restarted database): drop it and try once more on a fresh one; if that fails too, the lease
    stays and the reclaim job finishes the work once the heartbeat is stale."""
    for attempt in (1, 2):
        try:
            _hand_over(label, pk, Q(token=token), reason)
            return
        except DatabaseError as error:
            logger.warning("handing over %s:%s after a failure (attempt %d): %s", label, pk, attempt, error)
            if connection.in_atomic_block:
                return
            connection.close()


# --- reclaiming -----------------------------------------------------------------------------------


def stale_condition(now: datetime) -> Q:
    running_quiet = Q(state=TaskLease.RUNNING, heartbeat_at__lt=now - timedelta(seconds=lease_seconds()))
    queued_long = Q(state=TaskLease.QUEUED, granted_at__lt=now - timedelta(seconds=queue_seconds()))
    return running_quiet | queued_long


def _dead_here(lease: TaskLease) -> bool:
    """The lease's holder ran on this host and its process is gone."""
    host, _sep, pid = lease.holder.rpartition(":")
    if lease.state != TaskLease.RUNNING or host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def reclaim_stale(*, now: datetime | None = None, obj=None) -> list[str]:
    """Reclaim every stale lease (only `obj`'s when given); return the subjects reclaimed."""
    autodiscover_modules("tasks")  # the hooks live in each app's tasks.py
    now = now or timezone.now()
    leases = TaskLease.objects.all()
    if obj is not None:
        leases = leases.filter(subject=subject_of(obj))
    reclaimed = []
    for lease in leases:
        if lease.state == TaskLease.RUNNING and _dead_here(lease):
            condition, reason = Q(token=lease.token), _("后台处理进程已停止")
        elif TaskLease.objects.filter(stale_condition(now), pk=lease.pk).exists():
            condition = stale_condition(now) & Q(token=lease.token)
            reason = _("后台处理进程停止响应") if lease.state == TaskLease.RUNNING else _("后台任务长时间没有开始")
        else:
            continue
        label, _sep, pk = lease.subject.rpartition(":")
        if _hand_over(label, int(pk), condition, reason):
            _mark_task_failed(lease.task_id, reason)
            reclaimed.append(lease.subject)
    return reclaimed


def _hand_over(label: str, pk: int, condition: Q, reason: str) -> bool:
    """Call the hook of `label` in one transaction; True when it took the lease."""
    subject = f"{label.lower()}:{pk}"
    taken = []

    def take() -> bool:
        taken.append(TaskLease.objects.filter(condition, subject=subject).delete()[0] == 1)
        return taken[-1]

    hook = _HOOKS.get(label.lower())
    with transaction.atomic():
        if hook is None:
            logger.error("no reclaim hook for %s; dropping its lease", subject)
            take()
        else:
            hook(pk, reason, take)
    if taken and taken[-1]:
        logger.warning("background task on %s reclaimed: %s", subject, reason)
    return bool(taken and taken[-1])


def _mark_task_failed(task_id: str, reason: str) -> None:
    """The django-tasks result of a reclaimed task: failed, so no worker starts it later."""
    try:
        task_uuid = uuid.UUID(task_id)
    except ValueError:  # none recorded, or another backend's id
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_uuid, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(),
        exception_class_path="xiachen.ops.leases.LeaseLost", traceback=f"reclaimed: {reason}",
    )
