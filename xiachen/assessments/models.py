"""Evaluations by receiving units, weighting schemes, scores with grades and ranks, appeals, commendations."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel, Vocabulary

from .enums import APPEAL_DAYS, AppealStatus, CommendationStatus, QuotaScope, ReportFormat, ReportStatus, ScoreJobStatus


class Dimension(Vocabulary):
    """An evaluation dimension (德、能、勤、绩、廉), scored 0–100."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("评价维度")
        verbose_name_plural = _("评价维度")


class Grade(Vocabulary):
    """A grade with the lowest score that earns it and its default quota (share of cadres, percent)."""

    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2, default=0)
    min_share = models.PositiveSmallIntegerField(_("最低比例（%）"), default=0)
    max_share = models.PositiveSmallIntegerField(_("最高比例（%）"), null=True, blank=True)

    class Meta(Vocabulary.Meta):
        verbose_name = _("考核等次")
        verbose_name_plural = _("考核等次")


class Evaluation(BaseModel):
    """The receiving unit's rating of one cadre who served there: at the end (final) or for a month."""

    match = models.ForeignKey("deployments.Match", on_delete=models.PROTECT, related_name="evaluations")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="evaluations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收单位"))
    period = models.CharField(_("评价期"), max_length=7)  # "final" or "YYYY-MM"
    comments = models.TextField(_("评语"), blank=True)
    evaluator = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["match_id", "period"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [models.UniqueConstraint(fields=["match", "period"], name="assessments_one_per_period")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.period}"


class DimensionScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("维度得分")
        verbose_name_plural = _("维度得分")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "dimension"], name="assessments_dimension_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="assessments_dimension_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.score}"


class Scheme(BaseModel):
    """A versioned weighting scheme; exactly one is active. Weights sum to 100 (checked by the service)."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("当前使用"), default=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-version"]
        verbose_name = _("计分方案")
        verbose_name_plural = _("计分方案")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="assessments_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class Weight(models.Model):
    """One component of a scheme: `dim:<code>` or `metric:<code>`, its weight (percent) and, for
    count metrics, the target that earns full points."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="weights")
    component = models.CharField(_("项目"), max_length=60)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("满分标准"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("权重")
        verbose_name_plural = _("权重")
        constraints = [models.UniqueConstraint(fields=["scheme", "component"], name="assessments_weight_once")]

    def __str__(self) -> str:
        return f"{self.component} {self.weight}%"


class Score(BaseModel):
    """A cadre's composite score for one round, with the scheme that produced it and the breakdown."""

    round = models.ForeignKey("deployments.Round", on_delete=models.PROTECT, related_name="scores")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="scores")
    agency_path = models.CharField(max_length=400, db_index=True)
    unit_paths = models.JSONField(default=list)  # receiving units served in the round
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="scores")
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    breakdown = models.JSONField(_("得分明细"), default=list)
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rank_agency = models.PositiveIntegerField(_("单位内排名"), null=True, blank=True)
    rank_city = models.PositiveIntegerField(_("全市排名"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["round_id", "rank_city", "id"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [models.UniqueConstraint(fields=["round", "cadre"], name="assessments_score_once")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.total}"


class Grading(BaseModel):
    """How a round was last graded: the quota scope and overrides, who graded it and until when its
    cadres may appeal. An upheld appeal regrades the round with the same settings (ADR 1603)."""

    round = models.OneToOneField("deployments.Round", on_delete=models.CASCADE, related_name="grading")
    scope = models.CharField(_("名额范围"), max_length=10, choices=QuotaScope.choices, default=QuotaScope.AGENCY)
    quotas = models.JSONField(_("名额比例"), default=dict, blank=True)  # {grade code: [least %, most % or null]}
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限（天）"), default=APPEAL_DAYS)
    appeal_until = models.DateField(_("申诉截止日期"))
    graded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    graded_at = models.DateTimeField(_("评定时间"))

    class Meta:
        verbose_name = _("等次评定")
        verbose_name_plural = _("等次评定")

    def __str__(self) -> str:
        return f"{self.round} {self.get_scope_display()}"


class Appeal(BaseModel):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="appeals")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        constraints = [
            models.UniqueConstraint(fields=["score"], condition=Q(status="open"), name="assessments_one_open_appeal")
        ]

    def __str__(self) -> str:
        return f"{self.score}: {self.get_status_display()}"


class CommendationList(BaseModel):
    """表彰名单 of a round, proposed from the scores and approved by the organization department."""

    round = models.ForeignKey("deployments.Round", on_delete=models.PROTECT, related_name="commendation_lists")
    title = models.CharField(_("名称"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=20, choices=CommendationStatus.choices, default=CommendationStatus.PROPOSED
    )
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("表彰名单")
        verbose_name_plural = _("表彰名单")

    def __str__(self) -> str:
        return self.title


class CommendationEntry(BaseModel):
    commendation_list = models.ForeignKey(CommendationList, on_delete=models.CASCADE, related_name="entries")
    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="commendations")

    class Meta:
        ordering = ["commendation_list_id", "score__rank_city", "id"]
        verbose_name = _("表彰人员")
        verbose_name_plural = _("表彰人员")
        constraints = [
            models.UniqueConstraint(fields=["commendation_list", "cadre"], name="assessments_commended_once")
        ]

    def __str__(self) -> str:
        return str(self.cadre)


class ReportJob(BaseModel):
    """A round report (city-wide, or one agency / receiving unit) generated in the background; the
    finished file is kept in the database and served only to users who may generate that report."""

    round = models.ForeignKey("deployments.Round", on_delete=models.CASCADE, related_name="report_jobs")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("报告范围"))
    format = models.CharField(_("格式"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(_("报告文件"), null=True, blank=True, editable=False)
    filename = models.CharField(_("文件名"), max_length=120, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("考核报告")
        verbose_name_plural = _("考核报告")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="assessments_report_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.format} {self.status}"

    @property
    def is_running(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ScoreJob(BaseModel):
    """One background computation of a round's scores (the same pattern as ReportJob): the page polls it.

    `heartbeat_at` moves with every progress report; a queued or running job whose heartbeat is
    older than STALE_AFTER has lost its worker (killed, restarted) and is shown, and stored on the
    next start, as failed — never as a progress bar that waits forever.
    """

    STALE_AFTER = timedelta(minutes=5)

    round = models.ForeignKey("deployments.Round", on_delete=models.CASCADE, related_name="score_jobs")
    status = models.CharField(_("状态"), max_length=10, choices=ScoreJobStatus.choices, default=ScoreJobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("考核得分计算")
        verbose_name_plural = _("考核得分计算")
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="assessments_score_job_progress")]

    def __str__(self) -> str:
        return f"{self.round} {self.status}"

    @property
    def is_stale(self) -> bool:
        running = self.status in (ScoreJobStatus.QUEUED, ScoreJobStatus.RUNNING)
        return running and timezone.now() - self.heartbeat_at > self.STALE_AFTER

    @property
    def is_running(self) -> bool:
        return self.status in (ScoreJobStatus.QUEUED, ScoreJobStatus.RUNNING) and not self.is_stale

    @property
    def has_failed(self) -> bool:
        return self.status == ScoreJobStatus.FAILED or self.is_stale
