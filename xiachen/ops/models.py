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
