"""双报到 and volunteer service: pairings, members, posts, activities, service records, points and call-outs.

Who is who (ADR 1901): a *member* is a person reporting to the community where they live. They sign
in on the resident site with the resident's light login, so a member is tied to a household
resident (`resident`); an in-service party member is also tied to the agency that sent the list
entry they were verified against (`agency`, `list_entry`) and, when the cadre roster knows them,
to their cadre record (`cadre`). Office users (organization department, agency liaison, community
manager, community worker) work on the staff site through their memberships.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.fields import BlindIndexField, EncryptedTextField
from xiachen.core.models import BaseModel, MaskedContactMixin

from .enums import (
    ActivityStatus,
    CallOutStatus,
    ClaimStatus,
    ContactPreference,
    InviteReply,
    LedgerKind,
    MemberKind,
    PairingStatus,
    PostKind,
    PostStatus,
    ProjectStatus,
    RecordSource,
    RecordStatus,
    RegistrationStatus,
    ReplyChannel,
    SignUpStatus,
)

UNIT = "org.Unit"
USER = settings.AUTH_USER_MODEL


class Pairing(BaseModel):
    """单位报到: an agency's party organization paired with a community by the organization department."""

    agency = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("报到单位"))
    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("报到社区"))
    status = models.CharField(_("状态"), max_length=20, choices=PairingStatus.choices, default=PairingStatus.ACTIVE)
    started_on = models.DateField(_("报到日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("单位报到")
        verbose_name_plural = verbose_name
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "community"], condition=~Q(status="ended"), name="volunteers_one_live_pairing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.community}"


class PairingProject(BaseModel):
    """共建项目: a service item agreed in a pairing, seen by the community and the agency alike."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="projects", verbose_name=_("单位报到"))
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), blank=True)
    owner = models.CharField(_("负责人"), max_length=60)
    schedule = models.CharField(_("时间安排"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    progress_note = models.CharField(_("进展说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("共建项目")
        verbose_name_plural = verbose_name
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class AgencyMemberListEntry(MaskedContactMixin, BaseModel):
    """One line of an agency's in-service party member list (imported by its liaison from Excel):
    what a member's self-registration is verified against."""

    agency = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位"))
    name = models.CharField(_("姓名"), max_length=60)
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = BlindIndexField(source="id_number", purpose="id_number")
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone")
    branch = models.CharField(_("所在党支部"), max_length=100, blank=True)
    imported_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("导入人")
    )

    class Meta:
        verbose_name = _("单位党员名册")
        verbose_name_plural = verbose_name
        ordering = ["agency_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "id_number_index"], name="volunteers_one_list_entry"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(BaseModel):
    """个人报到: a person serving the community where they live (in-service party member or volunteer)."""

    kind = models.CharField(_("身份"), max_length=20, choices=MemberKind.choices)
    status = models.CharField(
        _("报到状态"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    name = models.CharField(_("姓名"), max_length=60)
    resident = models.OneToOneField(
        "households.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer",
        verbose_name=_("居民"),
    )
    user = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer_memberships",
        verbose_name=_("账号"),
    )
    cadre = models.ForeignKey(
        "cadres.Cadre", on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer_memberships",
        verbose_name=_("干部档案"),
    )
    agency = models.ForeignKey(
        UNIT, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在单位")
    )
    list_entry = models.ForeignKey(
        AgencyMemberListEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="members",
        verbose_name=_("名册记录"),
    )
    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("报到社区"))
    community_path = models.CharField(_("社区路径"), max_length=400, db_index=True, editable=False)
    compound = models.ForeignKey(
        UNIT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("居住小区")
    )
    skills = models.ManyToManyField("cadres.Specialty", blank=True, related_name="+", verbose_name=_("专长"))
    available_weekdays = models.BooleanField(_("工作日白天可服务"), default=False)
    available_evenings = models.BooleanField(_("工作日晚上可服务"), default=True)
    available_weekends = models.BooleanField(_("周末可服务"), default=True)
    contact_preference = models.CharField(
        _("联系方式偏好"), max_length=10, choices=ContactPreference.choices, default=ContactPreference.SMS
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    points_balance = models.IntegerField(_("积分余额"), default=0)

    class Meta:
        verbose_name = _("报到成员")
        verbose_name_plural = verbose_name
        ordering = ["community_path", "name", "id"]
        indexes = [models.Index(fields=["status", "community_path"], name="volunteers_member_scope")]
        constraints = [
            models.CheckConstraint(condition=Q(points_balance__gte=0), name="volunteers_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.community_path = self.community.path
        super().save(*args, **kwargs)


class ServicePost(BaseModel):
    """A standing service post a community publishes (楼栋长, 网格协管, 政策宣讲 …)."""

    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    kind = models.CharField(_("岗位类型"), max_length=20, choices=PostKind.choices)
    title = models.CharField(_("岗位名称"), max_length=100)
    description = models.TextField(_("岗位职责"), blank=True)
    area = models.ForeignKey(
        UNIT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("服务区域")
    )
    headcount = models.PositiveSmallIntegerField(_("需要人数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=PostStatus.choices, default=PostStatus.OPEN)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发布人")
    )

    class Meta:
        verbose_name = _("服务岗位")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "kind", "id"]

    def __str__(self) -> str:
        return self.title


class PostClaim(BaseModel):
    """A member holding a service post (认领岗位)."""

    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="claims", verbose_name=_("服务岗位"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="claims", verbose_name=_("报到成员"))
    status = models.CharField(_("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE)
    released_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("岗位认领")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"], condition=Q(status="active"), name="volunteers_one_active_claim"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.post}"


class Activity(BaseModel):
    """A dated volunteer activity with a place, a headcount, limits and a sign-up cutoff."""

    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("活动地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    signup_deadline = models.DateTimeField(_("报名截止时间"))
    headcount = models.PositiveSmallIntegerField(_("招募人数"))
    skills = models.ManyToManyField("cadres.Specialty", blank=True, related_name="+", verbose_name=_("所需专长"))
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), null=True, blank=True)
    health_requirement = models.CharField(_("健康要求"), max_length=200, blank=True)
    points_per_hour = models.PositiveSmallIntegerField(_("每小时积分"), default=10)
    status = models.CharField(
        _("状态"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    organizer = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("组织人")
    )
    reminded_at = models.DateTimeField(_("提醒发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="volunteers_activity_ends"),
        ]

    def __str__(self) -> str:
        return self.title


class SignUp(BaseModel):
    """A member's place (or waitlist position) in an activity, through to sign-in and sign-out."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("志愿活动"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="signups", verbose_name=_("报到成员"))
    status = models.CharField(_("状态"), max_length=20, choices=SignUpStatus.choices)
    # Waitlist order: the earliest queued is promoted first.
    queued_at = models.DateTimeField(_("报名时间"))
    withdrawn_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = verbose_name
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="volunteers_one_signup")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.activity}"


class ServiceRecord(BaseModel):
    """Service time to approve: from an activity, a call-out or a post; rated by the organizer."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="records", verbose_name=_("报到成员"))
    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    community_path = models.CharField(_("社区路径"), max_length=400, db_index=True, editable=False)
    source = models.CharField(_("服务来源"), max_length=20, choices=RecordSource.choices)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="records", verbose_name=_("志愿活动")
    )
    signup = models.OneToOneField(
        SignUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="record", verbose_name=_("活动报名")
    )
    call_out = models.ForeignKey(
        "CallOut", on_delete=models.SET_NULL, null=True, blank=True, related_name="records", verbose_name=_("应急动员")
    )
    post = models.ForeignKey(
        ServicePost, on_delete=models.SET_NULL, null=True, blank=True, related_name="records",
        verbose_name=_("服务岗位"),
    )
    served_on = models.DateField(_("服务日期"))
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"))
    status = models.CharField(_("状态"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("获得积分"), default=0)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = verbose_name
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["member", "status", "served_on"], name="volunteers_record_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="volunteers_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.served_on}"

    def save(self, *args, **kwargs):
        self.community_path = self.community.path
        super().save(*args, **kwargs)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


class PointsCatalogItem(BaseModel):
    """积分兑换: something a community offers for points."""

    community = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    name = models.CharField(_("兑换物品"), max_length=100)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    points = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"), null=True, blank=True)
    is_active = models.BooleanField(_("可兑换"), default=True)

    class Meta:
        verbose_name = _("积分兑换物品")
        verbose_name_plural = verbose_name
        ordering = ["community_id", "points", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="volunteers_item_costs_points")]

    def __str__(self) -> str:
        return self.name


class PointsLedgerEntry(BaseModel):
    """One movement of a member's points; `balance_after` is the running balance, never below zero."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ledger", verbose_name=_("报到成员"))
    kind = models.CharField(_("类型"), max_length=20, choices=LedgerKind.choices)
    points = models.IntegerField(_("积分变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    record = models.OneToOneField(
        ServiceRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry",
        verbose_name=_("服务记录"),
    )
    item = models.ForeignKey(
        PointsCatalogItem, on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions",
        verbose_name=_("兑换物品"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("经办人")
    )

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="volunteers_ledger_not_negative"),
            models.CheckConstraint(condition=~Q(points=0), name="volunteers_ledger_moves_points"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d}"


class CallOut(BaseModel):
    """应急动员: an urgent call to the members of an area who fit a need."""

    community = models.ForeignKey(
        UNIT, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("发起社区")
    )
    area = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("动员范围"))
    area_path = models.CharField(_("范围路径"), max_length=400, db_index=True, editable=False)
    title = models.CharField(_("动员事项"), max_length=100)
    need = models.TextField(_("任务需求"))
    place = models.CharField(_("集合地点"), max_length=200, blank=True)
    skills = models.ManyToManyField("cadres.Specialty", blank=True, related_name="+", verbose_name=_("所需专长"))
    headcount = models.PositiveSmallIntegerField(_("需要人数"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    reply_deadline = models.DateTimeField(_("回复截止时间"))
    status = models.CharField(_("状态"), max_length=20, choices=CallOutStatus.choices, default=CallOutStatus.DRAFT)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("发起人")
    )
    sent_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    filled_at = models.DateTimeField(_("满员时间"), null=True, blank=True)
    invite_factor = models.PositiveSmallIntegerField(_("邀请倍数"), default=3)
    roster = models.ForeignKey(
        "rosters.Roster", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("转成的排班"),
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应急动员")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)


class CallOutInvite(BaseModel):
    """One member invited by a call-out, in the matcher's rank order, and their reply."""

    call_out = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="invites", verbose_name=_("应急动员"))
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invites", verbose_name=_("报到成员"))
    rank = models.PositiveIntegerField(_("排序"))
    score = models.FloatField(_("匹配得分"), default=0)
    reply = models.CharField(_("回复"), max_length=10, choices=InviteReply.choices, default=InviteReply.PENDING)
    reply_channel = models.CharField(_("回复渠道"), max_length=10, choices=ReplyChannel.choices, blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("动员邀请")
        verbose_name_plural = verbose_name
        ordering = ["call_out_id", "rank", "id"]
        indexes = [models.Index(fields=["call_out", "reply"], name="volunteers_invite_reply")]
        constraints = [models.UniqueConstraint(fields=["call_out", "member"], name="volunteers_one_invite")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.call_out}"
