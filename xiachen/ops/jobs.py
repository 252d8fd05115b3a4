"""Background jobs: long actions queued from a page, shown by one progress component (ADR 1411).

An app declares each long action once, in its own `jobs.py` (discovered like `tasks.py`):

    register(JobKind(code="deployments.publish_round", label=_("发布轮次"), model="deployments.round",
                     permission="deployments.run_rounds", run=_publish, check=_can_publish,
                     refusals=(RoundError,)))

The page's view calls `start(by=…, kind=…, subject=round_)` and redirects back; the page shows the
latest job of that kind on the object with `{% latest_job "…" round_ as job %}` and
`{% include "ops/job.html" %}` (progress bar polled every second, status, error with 重试, result link).

Contract:
  * **Idempotent.** At most one live (queued or running) job per kind and object (a partial unique
    index); a second submission returns the live job. `check` runs before queuing, so an action
    already done ("轮次已发布") is refused at once with the domain's message.
  * **All or nothing.** `run` executes in one transaction with the storing of the job's outcome; a
    refusal (one of `refusals`) or any error rolls the action back and leaves the job failed with a
    Chinese reason; the user may retry.
  * **A killed worker** is noticed through the job's lease (xiachen.ops.leases, ADR 1606): within a
    second on the same host (the pid is gone), within XIACHEN_TASK_LEASE_SECONDS elsewhere, or after
    XIACHEN_TASK_QUEUE_SECONDS when no worker ever started it. The job is then failed ("后台任务中断…，
    没有做任何更改"); a late result is fenced out (`leases.end` under the job's row lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.audit import services as audit

from . import leases
from .models import Job

logger = logging.getLogger("xiachen.ops.jobs")

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Outcome:
    """What a finished job links to (the published round, the new commendation list)."""

    url: str = ""
    label: str = ""


@dataclass(frozen=True)
class JobKind:
    """A long action on one object of `model` ("app_label.model").

    - `run(subject=…, by=…, params=…, progress=…)` does the action (a service) and returns an
      Outcome or None; it raises one of `refusals` (message for the user) when the action is refused.
    - `check(subject=…, by=…, params=…)`, optional, raises a refusal before anything is queued.
    - `permission`: needed to start, watch and retry the job (checked unscoped; `check`/`run` call
      services that check their own scope).
    """

    code: str
    label: str | Promise  # usually gettext_lazy(...)
    model: str
    permission: str
    run: Callable[..., Outcome | None]
    check: Callable[..., None] | None = None
    refusals: tuple[type[Exception], ...] = field(default=(ValueError,))


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> JobKind:
    if code not in KINDS:
        autodiscover_modules("jobs")
    return KINDS[code]


def kind_label(code: str) -> str:
    try:
        return str(get_kind(code).label)
    except KeyError:
        return _("后台任务")


def can_watch(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or has_permission(user, get_kind(job.kind).permission)


def latest_job(kind: str, subject) -> Job | None:
    """The newest job of `kind` on `subject`; a live one whose worker died is reclaimed first."""
    job = Job.objects.filter(kind=kind, subject=leases.subject_of(subject)).first()
    if job is not None and job.is_running and leases.reclaim_stale(obj=job):
        job.refresh_from_db()
    return job


# --- starting ------------------------------------------------------------------------------------


def start(*, by, kind: str, subject, params: dict | None = None) -> Job:
    """Queue `kind` on `subject` for `by`, or return the live job already queued (idempotent).

    Raises PermissionDenied without the kind's permission, and the kind's refusal when `check`
    refuses (nothing queued then)."""
    declared = get_kind(kind)
    require_permission(by, declared.permission)
    live = Job.objects.filter(kind=kind, subject=leases.subject_of(subject), status__in=Job.LIVE).first()
    if live is not None:
        leases.reclaim_stale(obj=live)  # its worker may have died: then it is failed now
    with transaction.atomic():
        live = Job.objects.select_for_update().filter(kind=kind, subject=leases.subject_of(subject),
                                                      status__in=Job.LIVE).first()
        if live is not None:
            return live
        if declared.check is not None:
            declared.check(subject=subject, by=by, params=params or {})
        try:
            with transaction.atomic():
                job = Job.objects.create(kind=kind, subject=leases.subject_of(subject), params=params or {},
                                         requested_by=by, progress_note=_("排队中"))
        except IntegrityError:  # submitted twice at the same moment: the other request queued it
            return Job.objects.get(kind=kind, subject=leases.subject_of(subject), status__in=Job.LIVE)
        token = leases.grant(job)
        audit.record(actor=by, action="job.requested", target=subject,
                     fields={"kind": kind, "job": str(job.public_id)})
        transaction.on_commit(lambda: _enqueue(job.pk, token))
    return job


def _enqueue(job_id: int, token: str) -> None:
    from .tasks import run_job_task

    result = run_job_task.enqueue(job_id=job_id, lease=token)
    leases.note_task(token, result.id)


def retry(*, by, job: Job) -> Job:
    """Start the same action again after a failure (the live job if one is already queued)."""
    return start(by=by, kind=job.kind, subject=subject_object(job), params=job.params)


def subject_object(job: Job):
    label, _sep, pk = job.subject.rpartition(":")
    return apps.get_model(label).objects.get(pk=int(pk))


# --- running (the worker) ------------------------------------------------------------------------


def run(*, job_id: int, token: str | None) -> Job | None:
    """Run a queued job (called by the task inside `leases.holding`). The action and the job's
    "done" are one transaction; a refusal fails the job with its message. Any other exception
    propagates: `holding` hands the job to `job_lost`, which fails it."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id, status=Job.QUEUED).first()
    if job is None:
        return None
    declared = get_kind(job.kind)
    Job.objects.filter(pk=job.pk).update(status=Job.RUNNING, started_at=timezone.now(), progress=5,
                                         progress_note=_("正在处理"))
    try:
        with transaction.atomic():
            outcome = declared.run(subject=subject_object(job), by=job.requested_by, params=job.params,
                                   progress=lambda percent, note: report_progress(job.pk, percent, note))
            _finish(job, token, outcome or Outcome())
    except declared.refusals as refusal:
        _fail(job, token, str(refusal))
    job.refresh_from_db()
    return job


def report_progress(job_id: int, percent: int, note: str) -> None:
    """Move the bar (visible to the page at once only when called outside the action's transaction)."""
    Job.objects.filter(pk=job_id, status=Job.RUNNING).update(progress=max(5, min(percent, 99)),
                                                             progress_note=note[:200])


def _finish(job: Job, token: str | None, outcome: Outcome) -> None:
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != Job.RUNNING or not leases.end(locked, token):
        raise leases.LeaseLost  # reclaimed meanwhile: roll the action back, the job stays failed
    Job.objects.filter(pk=job.pk).update(status=Job.DONE, progress=100, progress_note=_("已完成"),
                                         result_url=outcome.url[:300], result_label=str(outcome.label)[:200],
                                         finished_at=timezone.now())


def _fail(job: Job, token: str | None, reason: str) -> None:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in Job.LIVE:
            return
        leases.end(locked, token)
        Job.objects.filter(pk=job.pk).update(status=Job.FAILED, progress=100, error=reason[:500],
                                             progress_note="", finished_at=timezone.now())
        audit.record(actor=job.requested_by, action="job.failed", target=locked, result="failed",
                     fields={"kind": job.kind})


def job_lost(job_id: int, reason: str, take) -> None:
    """The lease hook (ops/tasks.py): the worker died or the task raised; the action's transaction
    rolled back, so the job is failed with a reason saying nothing changed."""
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None or not take() or job.status not in Job.LIVE:
        return
    Job.objects.filter(pk=job.pk).update(
        status=Job.FAILED, progress=100, progress_note="", finished_at=timezone.now(),
        error=_("后台任务中断（%(reason)s），没有做任何更改，可以重试。") % {"reason": reason},
    )
    audit.record(actor=None, action="job.failed", target=job, result="failed", fields={"kind": job.kind})
