from django.db import models
from django.utils.translation import gettext_lazy as _


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    UPHELD = "upheld", _("申诉成立")
    DISMISSED = "dismissed", _("维持原结果")


class QuotaScope(models.TextChoices):
    """Where a grade's quota (优秀 ≤ 20 %) applies (ADR 1603): per sending agency, as the
    civil-servant assessment rules cap it, or across the whole round."""

    AGENCY = "agency", _("按派出单位")
    CITY = "city", _("全市统一")


APPEAL_DAYS = 15  # 公务员考核：对考核结果不服的，可以自接到通知之日起十五日内申请复核


class CommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")


FINAL_PERIOD = "final"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


class ScoreJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("计算失败")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")
