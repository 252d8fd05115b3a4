"""The last run of each scheduled job, so `run_scheduled_jobs` can tell which jobs are due."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.Model):
    """One row per job of `xiachen.ops.schedule.JOBS`; `last_started_at` is also the claim token."""

    job = models.CharField(max_length=80, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, blank=True)  # ok, failed, skipped, running
    last_message = models.TextField(blank=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("定时任务状态")
        verbose_name_plural = verbose_name
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.job}: {self.last_status or 'never run'}"


class TaskLease(models.Model):
    """A background task's hold on the object it works on (a round being matched, a roster being
    generated): granted when the task is queued, renewed by a heartbeat while it runs, ended in the
    transaction that stores its result. A lease whose heartbeat stops is reclaimed (xiachen.ops.leases)."""

    QUEUED, RUNNING = "queued", "running"

    subject = models.CharField(max_length=120, unique=True)  # "<app_label>.<model>:<pk>"
    token = models.UUIDField()
    state = models.CharField(max_length=10, default=QUEUED)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result id, once known
    holder = models.CharField(max_length=200, blank=True)  # "<host>:<pid>" of the worker running it
    granted_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    class Meta:
        ordering = ["granted_at"]
        verbose_name = _("后台任务租约")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.subject} {self.state} ({self.holder or '-'})"
