"""Append-only, hash-chained audit events."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One write or sensitive read. `digest` chains each row to the one before it."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=40, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=80, blank=True, db_index=True)
    fields = models.JSONField(_("字段"), default=dict, blank=True)
    result = models.CharField(_("结果"), max_length=20, default="ok")
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    # Which XIACHEN_AUDIT_KEYS key made `digest` (an HMAC); "" for events from before keyed digests.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers cannot fork the chain."""

    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.digest


class ChainCheck(models.Model):
    """One run of the hash-chain verification started by an auditor, with its progress.

    The check runs as a background task (it reads every event); the page polls this row.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("校验中")
        INTACT = "intact", _("完整")
        BROKEN = "broken", _("已被篡改")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(_("事件总数"), default=0)
    checked = models.PositiveIntegerField(_("已校验"), default=0)
    first_broken_id = models.BigIntegerField(_("首个异常事件"), null=True, blank=True)
    problem = models.CharField(_("问题"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        if self.status != self.Status.RUNNING:
            return 100
        return min(99, self.checked * 100 // self.total) if self.total else 0
