from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.fields import EncryptedTextField
from xiachen.core.models import BaseModel

from .enums import DownloadKindCode, DownloadStatus


class DownloadJob(BaseModel):
    """One export built in the background for the user who asked for it (issue #14: a city-wide
    export took 35 s inside the request). The file is kept encrypted (it may hold full ID numbers)
    until it expires; only the requester may fetch it, and every fetch is audited.

    `heartbeat_at` moves with every progress report: a queued or running job whose heartbeat is
    older than STALE_AFTER has lost its worker and is shown, and stored on the next look, as failed.
    """

    STALE_AFTER = timedelta(minutes=10)

    kind = models.CharField(_("导出类型"), max_length=40, choices=DownloadKindCode.choices)
    full = models.BooleanField(_("含完整个人信息"), default=False)
    # The list's filters as the user set them (a search may be a name or a phone: encrypted).
    params = EncryptedTextField(_("筛选条件"), blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="download_jobs")
    status = models.CharField(_("状态"), max_length=10, choices=DownloadStatus.choices, default=DownloadStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    filename = models.CharField(_("文件名"), max_length=120, blank=True)
    content = EncryptedTextField(_("文件"), blank=True)  # base64 of the file, encrypted like any personal field
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出文件")
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["requested_by", "-created_at"]), models.Index(fields=["status", "expires_at"])]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="downloads_progress_max_100")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def kind_label(self) -> str:
        """What was exported, in the user's language (from the declaring app's registration)."""
        from django.utils.translation import gettext as _

        label = self.get_kind_display()
        return _("%(label)s（含完整个人信息）") % {"label": label} if self.full else label

    @property
    def is_running(self) -> bool:
        return self.status in (DownloadStatus.QUEUED, DownloadStatus.RUNNING)

    @property
    def has_failed(self) -> bool:
        """Failed or expired: the component shows why instead of a link."""
        return self.status in (DownloadStatus.FAILED, DownloadStatus.EXPIRED)
