from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    GENERATING = "generating", _("排班中")
    PUBLISHED = "published", _("已发布")
    LOCKED = "locked", _("已锁定")


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已拒绝")


class AttendanceSource(models.TextChoices):
    SCAN = "scan", _("扫码")
    MANAGER = "manager", _("负责人确认")


class AlertKind(models.TextChoices):
    SEVENTH_DAY = "seventh_day", _("连续工作天数超过上限")  # the code predates limits other than 6 days
    SHORT_REST = "short_rest", _("两班间休息不足")


class ReplacementStatus(models.TextChoices):
    OPEN = "open", _("待安排")
    RESOLVED = "resolved", _("已安排")
