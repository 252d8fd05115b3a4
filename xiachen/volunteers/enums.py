"""The states of 双报到 and volunteer service: each status machine's states, and small code tables.

The transitions themselves live in one table per machine in the services (one service owns each
machine); the callouts module reads the same enums.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairingStatus(models.TextChoices):
    ACTIVE = "active", _("共建中")
    SUSPENDED = "suspended", _("已暂停")
    ENDED = "ended", _("已结束")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class MemberKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("在职党员")
    VOLUNTEER = "volunteer", _("志愿者")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已退出")


class ContactPreference(models.TextChoices):
    SMS = "sms", _("短信")
    PHONE = "phone", _("电话")
    SITE = "site", _("站内消息")


class PostKind(models.TextChoices):
    BUILDING_LEADER = "building_leader", _("楼栋长")
    GRID_ASSISTANT = "grid_assistant", _("网格协管")
    POLICY_TALK = "policy_talk", _("政策宣讲")
    CARE_VISIT = "care_visit", _("关爱帮扶")
    OTHER = "other", _("其他")


class PostStatus(models.TextChoices):
    OPEN = "open", _("招募中")
    CLOSED = "closed", _("已关闭")


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    RELEASED = "released", _("已退出")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    FINISHED = "finished", _("已结束")


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    WITHDRAWN = "withdrawn", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    CHECKED_OUT = "checked_out", _("已签退")
    ABSENT = "absent", _("缺席")


class RecordSource(models.TextChoices):
    ACTIVITY = "activity", _("志愿活动")
    CALL_OUT = "call_out", _("应急动员")
    POST = "post", _("服务岗位")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")


class LedgerKind(models.TextChoices):
    EARNED = "earned", _("服务积分")
    REDEEMED = "redeemed", _("积分兑换")
    ADJUSTED = "adjusted", _("积分调整")


class CallOutStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("已发出")
    FILLED = "filled", _("已满员")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class InviteReply(models.TextChoices):
    PENDING = "pending", _("已邀请")
    YES = "yes", _("可以")
    NO = "no", _("不行")
    TIMED_OUT = "timed_out", _("超时")
    WITHDRAWN = "withdrawn", _("已撤回")


class ReplyChannel(models.TextChoices):
    LINK = "link", _("链接")
    SMS = "sms", _("短信回复")
    WECOM = "wecom", _("企业微信回复")
    STAFF = "staff", _("工作人员代录")
