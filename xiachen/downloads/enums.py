from django.db import models
from django.utils.translation import gettext_lazy as _


class DownloadStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")
    EXPIRED = "expired", _("已过期删除")


class DownloadKindCode(models.TextChoices):
    """What may be exported in the background; each is declared by its app's `downloads.py`."""

    HOUSEHOLDS = "households", _("住户与居民")
    CADRES = "cadres", _("干部名册")
