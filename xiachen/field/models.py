"""What the offline engine remembers of each change a phone sent: its client UUID (so a re-sent change
is answered from here, never applied twice), the outcome, and for applied edits the versions before
and after (so a chain of offline edits of one row by the same person is not taken for a conflict).
No payload is kept: a change's content (texts, positions) lives only in the row it changed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", _("已保存")
    CONFLICT = "conflict", _("冲突未保存")
    REJECTED = "rejected", _("未能保存")


class OfflineChange(models.Model):
    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("提交人"))
    device_id = models.CharField(_("设备编号"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=40)
    target = models.CharField(_("对象"), max_length=80, blank=True, db_index=True)
    status = models.CharField(_("结果"), max_length=10, choices=ChangeStatus.choices)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    base_version = models.DateTimeField(_("修改前版本"), null=True, blank=True)
    result_version = models.DateTimeField(_("修改后版本"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("离线修改")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.kind} {self.client_uuid} {self.status}"
