"""Deployment rounds: demands of receiving units, affinity weights, rounds, matches, deployments."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel, Vocabulary

from .enums import ACTIVE_MATCH_STATUSES, DemandStatus, Hazard, MatchStatus, RoundKind, RoundStatus, reason_label


class PostType(Vocabulary):
    """What a receiving unit asks for (卡口值守, 财务审计支援, …) with its default skills and hazard."""

    must_have_any = models.ManyToManyField(
        "cadres.Specialty", blank=True, related_name="+", verbose_name=_("必备专长（任一）")
    )
    nice_to_have = models.ManyToManyField("cadres.Specialty", blank=True, related_name="+", verbose_name=_("优先专长"))
    hazard = models.CharField(_("风险等级"), max_length=10, choices=Hazard.choices, default=Hazard.LOW)
    needs_medical = models.BooleanField(_("需要至少一名医护背景干部"), default=False)

    class Meta(Vocabulary.Meta):
        verbose_name = _("岗位类型")
        verbose_name_plural = _("岗位类型")


class AffinityWeight(models.Model):
    """How well cadres of an agency kind fit a post type, 0–100; missing pairs use DEFAULT_AFFINITY."""

    agency_kind = models.ForeignKey("org.AgencyKind", on_delete=models.CASCADE, related_name="affinities")
    post_type = models.ForeignKey(PostType, on_delete=models.CASCADE, related_name="affinities")
    weight = models.PositiveSmallIntegerField(_("匹配度"))

    class Meta:
        verbose_name = _("单位—岗位匹配度")
        verbose_name_plural = _("单位—岗位匹配度")
        constraints = [
            models.UniqueConstraint(fields=["agency_kind", "post_type"], name="deployments_affinity_unique"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="deployments_affinity_range"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_kind} × {self.post_type}: {self.weight}"


class Demand(BaseModel):
    """岗位需求: a receiving unit asks for `headcount` cadres on one post type for a period."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="demands", verbose_name=_("接收单位"))
    unit_path = models.CharField(max_length=400, db_index=True, editable=False)
    post_type = models.ForeignKey(PostType, on_delete=models.PROTECT, related_name="demands", verbose_name=_("岗位"))
    must_have_any = models.ManyToManyField(
        "cadres.Specialty", blank=True, related_name="+", verbose_name=_("必备专长（任一）")
    )
    nice_to_have = models.ManyToManyField("cadres.Specialty", blank=True, related_name="+", verbose_name=_("优先专长"))
    preferred_agency_kinds = models.ManyToManyField(
        "org.AgencyKind", blank=True, related_name="+", verbose_name=_("优先派出单位类型")
    )
    headcount = models.PositiveSmallIntegerField(_("人数"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    daily_hours = models.DecimalField(_("每日工作时长"), max_digits=4, decimal_places=1, default=8)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    hazard = models.CharField(_("风险等级"), max_length=10, choices=Hazard.choices, default=Hazard.LOW)
    needs_medical = models.BooleanField(_("需要至少一名医护背景干部"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=DemandStatus.choices, default=DemandStatus.OPEN)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit_path", "start", "id"]
        verbose_name = _("岗位需求")
        verbose_name_plural = _("岗位需求")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="deployments_demand_period"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="deployments_demand_headcount"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.post_type} × {self.headcount}"

    def save(self, *args, **kwargs):
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class Round(BaseModel):
    """A deployment round: chosen demands and agencies with quotas, a plan, publication, close."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=RoundKind.choices, default=RoundKind.NORMALIZED)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    max_per_agency_per_post = models.PositiveSmallIntegerField(_("同一单位同一岗位最多人数"), null=True, blank=True)
    max_commute_km = models.PositiveSmallIntegerField(_("最远通勤距离（公里）"), default=30)
    rotation_window_days = models.PositiveSmallIntegerField(_("轮换期（天）"), default=180)
    demands = models.ManyToManyField(Demand, blank=True, related_name="rounds", verbose_name=_("岗位需求"))
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    result = models.JSONField(_("求解结果"), default=dict, blank=True)
    run_error = models.CharField(_("上次匹配未完成的原因"), max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("派驻轮次")
        verbose_name_plural = _("派驻轮次")
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="deployments_round_period")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_matching(self) -> bool:
        return self.status == "matching"


class RoundAgency(models.Model):
    """An agency taking part in a round, with the most cadres it sends."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("派出单位"))
    quota = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="deployments_round_agency_unique")]

    def __str__(self) -> str:
        return f"{self.agency} ≤ {self.quota}"


class Match(BaseModel):
    """One cadre proposed for one demand of a round, with the score explained term by term."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="matches")
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="matches")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="matches")
    agency_path = models.CharField(max_length=400, db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    affinity = models.IntegerField(_("单位匹配度"), default=0)
    specialty_points = models.IntegerField(_("专长得分"), default=0)
    specialties_met = models.JSONField(_("满足的专长"), default=list, blank=True)
    commute_km = models.DecimalField(_("通勤距离（公里）"), max_digits=6, decimal_places=1, default=0)
    commute_penalty = models.IntegerField(_("通勤扣分"), default=0)
    rotation_penalty = models.IntegerField(_("轮换扣分"), default=0)
    total = models.IntegerField(_("总分"), default=0)
    is_manual = models.BooleanField(_("人工调整"), default=False)
    decline_reason = models.CharField(_("婉拒原因"), max_length=200, blank=True)
    # A declined cadre is not proposed again anywhere in the round, unless their agency says they may
    # take another post of it (still never the post they declined).
    other_posts_allowed = models.BooleanField(_("婉拒后可推荐到本轮其他岗位"), default=False, db_default=False)
    arrived_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        ordering = ["demand_id", "-total", "id"]
        verbose_name = _("匹配")
        verbose_name_plural = _("匹配")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "cadre"],
                condition=Q(status__in=ACTIVE_MATCH_STATUSES),
                name="deployments_one_active_match_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.demand}"


class Unfilled(models.Model):
    """Places of a demand the plan leaves empty, with the reason."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="unfilled")
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+")
    places = models.PositiveSmallIntegerField(_("空缺数"))
    reason = models.CharField(_("原因"), max_length=60)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("空缺")
        verbose_name_plural = _("空缺")

    def __str__(self) -> str:
        return f"{self.demand}: {self.places}"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


class Deployment(BaseModel):
    """A published placement. At most one active per cadre: the database refuses a second one."""

    match = models.OneToOneField(Match, on_delete=models.PROTECT, related_name="deployment")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="deployments")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("派驻")
        verbose_name_plural = _("派驻")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(is_active=True), name="deployments_one_active_per_cadre"
            )
        ]

    def __str__(self) -> str:
        return str(self.match)
