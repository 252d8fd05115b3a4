"""Rosters of a receiving unit's post (a demand of a published round): shift templates, cover, rules,
assignments, swaps, attendance and care (alerts, protective gear, replacement requests).

A "post" is a `deployments.Demand`; its deployed cadres are the round's confirmed or arrived matches.
"""

from datetime import datetime, time, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import AlertKind, AttendanceSource, ReplacementStatus, RosterStatus, SwapStatus

MINUTES_PER_DAY = 24 * 60


def default_successions() -> list:
    return [["night", "morning"]]


# Working-time defaults by kind of round: an emergency round works 48 h / 6 days a week; a
# normalized (常态化) round the ordinary 40 h / 5 days (ADR 1605). The field defaults are the
# emergency ones; `defaults_for` gives the ones a new rule set of a round starts from.
WEEK_DEFAULTS = {
    "emergency": {"max_consecutive_days": 6, "max_days_per_week": 6, "max_minutes_per_week": 48 * 60},
    "normalized": {"max_consecutive_days": 5, "max_days_per_week": 5, "max_minutes_per_week": 40 * 60},
}
GEAR_DEFAULT_MINUTES = 4 * 60


def defaults_for(round_) -> dict:
    return dict(WEEK_DEFAULTS.get(round_.kind, WEEK_DEFAULTS["emergency"]))


class RuleSet(models.Model):
    """Hard rules and rates of one deployment round, with safe defaults (by kind of round, see
    `defaults_for`) until the organization department changes them."""

    round = models.OneToOneField("deployments.Round", on_delete=models.CASCADE, related_name="roster_rules")
    max_consecutive_days = models.PositiveSmallIntegerField(_("最多连续工作天数"), default=6)
    min_days_off_together = models.PositiveSmallIntegerField(_("连续休息至少天数"), default=2)
    min_rest_minutes = models.PositiveIntegerField(_("两班间最少休息（分钟）"), default=11 * 60)
    forbidden_successions = models.JSONField(_("禁止的班次衔接"), default=default_successions, blank=True)
    max_minutes_per_week = models.PositiveIntegerField(_("每周最多工时（分钟）"), null=True, blank=True,
                                                       default=48 * 60)
    max_days_per_week = models.PositiveSmallIntegerField(_("每周最多工作天数"), null=True, blank=True, default=6)
    max_gear_minutes = models.PositiveIntegerField(
        _("每班连续穿防护服最长（分钟）"), null=True, blank=True, default=GEAR_DEFAULT_MINUTES,
        help_text=_("标为“全程穿防护服”的班次不得长于此时长；留空表示不限"))
    max_minutes_per_period = models.PositiveIntegerField(_("排班期内最多工时（分钟）"), null=True, blank=True)
    max_weekends = models.PositiveSmallIntegerField(_("最多工作周末数"), null=True, blank=True)
    night_fairness_weight = models.PositiveSmallIntegerField(_("夜班均衡权重"), default=5)
    weekend_fairness_weight = models.PositiveSmallIntegerField(_("周末均衡权重"), default=5)
    late_grace_minutes = models.PositiveSmallIntegerField(_("迟到宽限（分钟）"), default=10)
    meal_rate = models.DecimalField(_("餐补（元/班）"), max_digits=7, decimal_places=2, default=30)
    night_meal_rate = models.DecimalField(_("夜班加餐（元/班）"), max_digits=7, decimal_places=2, default=15)
    transport_rate = models.DecimalField(_("交通补贴（元/天）"), max_digits=7, decimal_places=2, default=20)

    class Meta:
        verbose_name = _("排班规则")
        verbose_name_plural = _("排班规则")
        constraints = [
            models.CheckConstraint(condition=Q(max_consecutive_days__gte=1), name="rosters_rules_run_positive"),
        ]

    def __str__(self) -> str:
        return str(self.round)


class ShiftTemplate(BaseModel):
    """A shift of a post: start time and length; `end` may fall on the next day (cross-midnight)."""

    post = models.ForeignKey("deployments.Demand", on_delete=models.CASCADE, related_name="shift_templates",
                             verbose_name=_("岗位"))
    code = models.SlugField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=40)
    start = models.TimeField(_("开始时间"))
    length_minutes = models.PositiveIntegerField(_("时长（分钟）"))
    minimum = models.PositiveSmallIntegerField(_("最少人数"), default=1)
    preferred = models.PositiveSmallIntegerField(_("理想人数"), default=1)
    in_gear = models.BooleanField(_("全程穿防护服"), default=False)

    class Meta:
        ordering = ["post_id", "start", "code"]
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        constraints = [
            models.UniqueConstraint(fields=["post", "code"], name="rosters_shift_code_unique"),
            models.CheckConstraint(condition=Q(length_minutes__gte=1, length_minutes__lte=MINUTES_PER_DAY),
                                   name="rosters_shift_length"),
            models.CheckConstraint(condition=Q(preferred__gte=F("minimum")), name="rosters_shift_cover_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end_time:%H:%M}"

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_time(self) -> time:
        end = (self.start_minute + self.length_minutes) % MINUTES_PER_DAY
        return time(end // 60, end % 60)

    @property
    def crosses_midnight(self) -> bool:
        return self.start_minute + self.length_minutes > MINUTES_PER_DAY

    @property
    def is_night(self) -> bool:
        return self.crosses_midnight or self.start_minute < 5 * 60

    def window(self, day) -> tuple[datetime, datetime]:
        """Naive local start and end of this shift on `day` (the day it starts)."""
        start = datetime.combine(day, self.start)
        return start, start + timedelta(minutes=self.length_minutes)


class Roster(BaseModel):
    """One post's roster over a period: draft → published → locked (see services.ALLOWED)."""

    post = models.ForeignKey("deployments.Demand", on_delete=models.PROTECT, related_name="rosters",
                             verbose_name=_("岗位"))
    round = models.ForeignKey("deployments.Round", on_delete=models.PROTECT, related_name="rosters")
    unit_path = models.CharField(max_length=400, db_index=True, editable=False)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=20, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    result = models.JSONField(_("求解结果"), default=dict, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("排班表")
        verbose_name_plural = _("排班表")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="rosters_roster_period"),
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.start}–{self.end}"

    def days(self) -> list:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class CoverOverride(models.Model):
    """Cover of one shift on one day when it differs from the template's minimum and preferred."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="cover_overrides")
    day = models.DateField(_("日期"))
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="+")
    minimum = models.PositiveSmallIntegerField(_("最少人数"))
    preferred = models.PositiveSmallIntegerField(_("理想人数"))

    class Meta:
        verbose_name = _("在岗人数调整")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["roster", "day", "shift"], name="rosters_cover_unique"),
            models.CheckConstraint(condition=Q(preferred__gte=F("minimum")), name="rosters_cover_order"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.minimum}–{self.preferred}"


class Unavailability(BaseModel):
    """A day a cadre cannot be rostered (home-unit duties, leave)."""

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="roster_unavailability")
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100)
    compensatory = models.BooleanField(_("补休"), default=False)

    class Meta:
        verbose_name = _("不可排班时段")
        verbose_name_plural = verbose_name
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["cadre", "day"], name="rosters_unavailable_unique")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.day}"


class Wish(BaseModel):
    """A cadre's weighted wish for (wanted) or against a shift on a day; no shift: any shift / a day off."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="wishes")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    wanted = models.BooleanField(_("希望"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=3)

    def __str__(self) -> str:
        return f"{self.cadre} {self.day} {'+' if self.wanted else '-'}{self.weight}"

    class Meta:
        verbose_name = _("排班意愿")
        verbose_name_plural = verbose_name


class Assignment(BaseModel):
    """One cadre on one shift on one day of a roster; a day without a row is a day off.

    One shift a day per cadre across every roster and post (the constraint below); rest between
    shifts of different rosters is checked by the validator on the cadre's whole timeline.
    """

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="roster_assignments")
    day = models.DateField(_("日期"))
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="assignments")

    class Meta:
        verbose_name = _("排班安排")
        verbose_name_plural = verbose_name
        ordering = ["day", "shift__start", "cadre_id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "day"], name="rosters_one_shift_a_day_anywhere")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.day} {self.shift.name}"


class SwapRequest(BaseModel):
    """Two cadres exchange what they do on one day (a shift or a day off); the manager decides."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="swaps")
    day = models.DateField(_("日期"))
    requester = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requester} ⇄ {self.partner} {self.day}"


class Attendance(BaseModel):
    """Actual check-in and check-out for one assignment (it belongs to the day the shift starts)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    source = models.CharField(_("方式"), max_length=20, choices=AttendanceSource.choices)
    is_late = models.BooleanField(_("迟到"), default=False)
    # Only how far from the post the phone was (metres) when checking in: never the coordinates.
    distance_m = models.PositiveIntegerField(_("签到距岗位（米）"), null=True, blank=True)
    checked_offline = models.BooleanField(_("离线签到"), default=False, db_default=False)
    confirmed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.checked_in_at}–{self.checked_out_at}"

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = verbose_name


class CareAlert(BaseModel):
    """Actual attendance broke a rest rule; the manager and the organization department were told."""

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="care_alerts")
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="care_alerts")
    unit_path = models.CharField(max_length=400, db_index=True, editable=False)
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    detail = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("关爱提醒")
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "day", "kind"], name="rosters_alert_once")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.day} {self.kind}"


class GearMovement(BaseModel):
    """Protective gear received at a post (positive) or issued to a cadre (negative); stock is the sum."""

    post = models.ForeignKey("deployments.Demand", on_delete=models.CASCADE, related_name="gear_movements")
    item = models.CharField(_("物资"), max_length=60)
    quantity = models.IntegerField(_("数量"))
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("防护用品出入库")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity:+d}"


class ReplacementRequest(BaseModel):
    """A cadre reported feeling unwell; the manager must find someone for their coming shifts."""

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="replacements")
    unit_path = models.CharField(max_length=400, db_index=True, editable=False)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReplacementStatus.choices,
                              default=ReplacementStatus.OPEN)

    class Meta:
        verbose_name = _("顶岗申请")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre} {self.status}"


class PostSite(BaseModel):
    """Where a post is and how close a cadre must be to clock in there (set by the post's manager).
    Without one, the post's QR alone checks in (as before); with one, the phone's position must be
    within `radius_m` metres of the point."""

    post = models.OneToOneField("deployments.Demand", on_delete=models.CASCADE, related_name="site",
                                verbose_name=_("岗位"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("签到半径（米）"), default=200)

    class Meta:
        verbose_name = _("岗位签到位置")
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                                               longitude__lte=180, radius_m__gte=20, radius_m__lte=5000),
                                   name="rosters_postsite_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.latitude},{self.longitude} ±{self.radius_m}m"
