"""Errands (代办服务) for households, quarantine episodes with daily visits, return reports and
support contacts with needy residents. Every status change goes through `services`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import EpisodeKind, EpisodeStatus, ErrandKind, ErrandStatus, SupportKind, TravelMode, VisitStatus

USER = settings.AUTH_USER_MODEL


class Errand(BaseModel):
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="errands")
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    resident = models.ForeignKey(
        "households.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="errands"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ErrandKind.choices)
    details = models.TextField(_("需求说明"), max_length=500)
    prescription_note = models.CharField(_("处方说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ErrandStatus.choices, default=ErrandStatus.REQUESTED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(_("提交编号"))
    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="errands", verbose_name=_("办理人")
    )
    cost = models.DecimalField(_("费用（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    payment_note = models.CharField(_("付款说明"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完结时间"), null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)  # free texts blanked after retention

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("代办服务")
        verbose_name_plural = _("代办服务")
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "submission_key"], name="errands_submission_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="errands_rating_range"
            ),
        ]
        indexes = [models.Index(fields=["assignee", "status"], name="errands_assignee_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.household}"

    def save(self, *args, **kwargs):
        self.compound_path = self.household.compound_path
        super().save(*args, **kwargs)


class ErrandEvent(models.Model):
    """History of an errand: every status move and (re)assignment, by whom and when."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("代办事项记录")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class QuarantineEpisode(BaseModel):
    # Null only after the retention purge, which unlinks the episode from the person (retention.py).
    resident = models.ForeignKey(
        "households.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=EpisodeKind.choices)
    start = models.DateField(_("开始日期"))
    planned_end = models.DateField(_("计划结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # When it ended: by a manager, or by the daily job once the grace after the planned end passed
    # (ADR 1602). The gate holds the person until then; the retention period counts from then.
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_automatically = models.BooleanField(db_default=False, default=False)
    # What the purge keeps of the deleted daily reports: aggregates, not a person's health record.
    report_count = models.PositiveIntegerField(db_default=0)
    fever_report_count = models.PositiveIntegerField(db_default=0)
    purged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["planned_end", "id"]
        verbose_name = _("隔离 / 健康监测")
        verbose_name_plural = _("隔离 / 健康监测")
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("start")), name="errands_episode_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.planned_end}"

    def save(self, *args, **kwargs):
        if self.resident is not None:
            self.household_id = self.resident.household_id
            self.compound_path = self.resident.compound_path
        super().save(*args, **kwargs)


class EpisodeExtension(models.Model):
    """One change of an episode's planned end, with its reason: periods are not fixed."""

    episode = models.ForeignKey(QuarantineEpisode, on_delete=models.CASCADE, related_name="extensions")
    previous_end = models.DateField(_("原结束日期"))
    new_end = models.DateField(_("新结束日期"))
    reason = models.CharField(_("原因"), max_length=200)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("隔离期延长")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.previous_end}→{self.new_end}"


class HealthReport(models.Model):
    episode = models.ForeignKey(QuarantineEpisode, on_delete=models.CASCADE, related_name="reports")
    day = models.DateField(_("日期"))
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(_("症状"), max_length=200, blank=True)
    by_resident = models.BooleanField(_("居民自报"), default=False)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("健康上报")
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["episode", "day", "by_resident"], name="errands_report_daily")]

    def __str__(self) -> str:
        return f"{self.day} {self.temperature}"


class VisitTask(BaseModel):
    """A daily visit to a household in an active episode, assigned round-robin to on-duty staff."""

    episode = models.ForeignKey(QuarantineEpisode, on_delete=models.CASCADE, related_name="visits")
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    day = models.DateField(_("日期"))
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="visit_tasks")
    status = models.CharField(_("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PENDING)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("走访记录"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("上门任务")
        verbose_name_plural = verbose_name
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["episode", "day"], name="errands_visit_daily")]

    def __str__(self) -> str:
        return f"{self.episode} @ {self.day}"

    def save(self, *args, **kwargs):
        self.compound_path = self.episode.compound_path
        super().save(*args, **kwargs)


class ReturnReport(BaseModel):
    """返回报备: a resident reports coming back from another place, instead of by word of mouth."""

    # Null only after the retention purge (retention.py).
    resident = models.ForeignKey(
        "households.Resident", on_delete=models.CASCADE, null=True, blank=True, related_name="return_reports"
    )
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    origin = models.CharField(_("从何处返回"), max_length=100)
    arrived_on = models.DateField(_("返回日期"))
    travel_mode = models.CharField(_("交通方式"), max_length=10, choices=TravelMode.choices)
    travel_detail = models.CharField(_("车次 / 航班 / 车牌等"), max_length=100, blank=True)
    submission_key = models.UUIDField()
    purged_at = models.DateTimeField(null=True, blank=True)
    episode = models.ForeignKey(
        QuarantineEpisode, on_delete=models.SET_NULL, null=True, blank=True, related_name="return_reports"
    )

    class Meta:
        verbose_name = _("返回报备")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["resident", "submission_key"], name="errands_return_once")]

    def __str__(self) -> str:
        return f"{self.origin} {self.arrived_on}"

    def save(self, *args, **kwargs):
        if self.resident is not None:
            self.compound_path = self.resident.compound_path
        super().save(*args, **kwargs)


class SupportContact(BaseModel):
    """A scheduled or recorded contact with a needy resident: check-in visit, grocery run, call."""

    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, related_name="support_contacts")
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    kind = models.CharField(_("方式"), max_length=20, choices=SupportKind.choices)
    scheduled_for = models.DateField(_("计划日期"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("情况记录"), max_length=300, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶联系人")
        verbose_name_plural = verbose_name
        ordering = ["scheduled_for", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_for}"

    def save(self, *args, **kwargs):
        self.compound_path = self.resident.compound_path
        super().save(*args, **kwargs)


class EpisodeLength(BaseModel):
    """A community's default length of an episode kind (in days, the start day counted), set by its
    manager; without a row the code's default applies (quarantine.DEFAULT_DAYS)."""

    community = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=EpisodeKind.choices)
    days = models.PositiveSmallIntegerField(_("默认天数"))
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["community_path", "kind"]
        verbose_name = _("隔离默认天数")
        constraints = [models.UniqueConstraint(fields=["community", "kind"], name="errands_episode_length_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.days}"

    def save(self, *args, **kwargs):
        self.community_path = self.community.path
        super().save(*args, **kwargs)
