"""Operations: the last run of each scheduled job, leases of long tasks, and background jobs."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel


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


class Job(BaseModel):
    """One run of a long action on one object (publishing a round, grading an assessment round),
    queued from a page and run by the background worker (xiachen.ops.jobs, ADR 1411).

    At most one live (queued or running) job per kind and object: a second submission returns the
    live one. The worker holds a lease on the job row (xiachen.ops.leases); a worker that dies
    leaves the job failed with a Chinese reason, and the action's own transaction rolled back.
    """

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(QUEUED, _("排队中")), (RUNNING, _("进行中")), (DONE, _("已完成")), (FAILED, _("失败"))]
    LIVE = (QUEUED, RUNNING)

    kind = models.CharField(_("任务类型"), max_length=60)
    subject = models.CharField(_("处理对象"), max_length=120)  # "<app_label>.<model>:<pk>", as leases
    params = models.JSONField(_("参数"), default=dict, blank=True)  # never personal data
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发起人"))
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=200, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    result_label = models.CharField(_("结果说明"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["subject", "kind", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(status__in=["queued", "running"]),
                                    name="ops_one_live_job_per_subject"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="ops_job_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.status}"

    @property
    def is_running(self) -> bool:
        return self.status in self.LIVE

    @property
    def has_failed(self) -> bool:
        return self.status == self.FAILED

    @property
    def kind_slug(self) -> str:
        """For element ids: "deployments.publish_round" → "deployments-publish-round"."""
        return self.kind.replace(".", "-").replace("_", "-")

    @property
    def kind_label(self) -> str:
        from .jobs import kind_label

        return kind_label(self.kind)
