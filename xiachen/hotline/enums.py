from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class DeadlineUnit(models.TextChoices):
    """How a deadline's amount is counted (ADR 0301)."""

    HOURS = "hours", _("小时（自然时间）")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")


class ResponseClock(models.TextChoices):
    """How a category's response window (签收时限) is counted (ADR 1604)."""

    CALENDAR = "calendar", _("自然时间（昼夜不停）")
    WORKING = "working", _("工作时间")


class TicketStatus(models.TextChoices):
    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    DISPUTED = "disputed", _("争议待区级裁定")
    RETURNED = "returned", _("退单待审核")
    RESOLVED = "resolved", _("已办结待回访")
    CLOSED = "closed", _("已回访")
    MERGED = "merged", _("已合并")


# Statuses in which the deadline clock runs: reminders and escalations apply.
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS, TicketStatus.DISPUTED,
                 TicketStatus.RETURNED)


class RequestKind(models.TextChoices):
    """What a handling unit asks the dispatcher or a supervisor to decide (ADR 1604)."""

    RETURN = "return", _("退单")
    EXTENSION = "extension", _("延期")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class ComplaintReview(models.TextChoices):
    """The manager's check of a complaint that names a cadre (ADR 1604): only 属实 counts."""

    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("属实")
    REJECTED = "rejected", _("不属实")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Source(models.TextChoices):
    CALL = "call", _("来电")
    RESIDENT_SITE = "resident", _("居民端")
    API = "api", _("系统对接接口")
    OPEN311 = "open311", _("市级平台（Open311）")


class EventKind(models.TextChoices):
    CREATED = "created", _("受理")
    ROUTED = "routed", _("派单")
    ACCEPTED = "accepted", _("签收")
    TRANSFER_REQUESTED = "transfer_requested", _("申请转办")
    TRANSFER_ACCEPTED = "transfer_accepted", _("接收转办")
    TRANSFER_DECLINED = "transfer_declined", _("拒绝转办（提交区级裁定）")
    ARBITRATED = "arbitrated", _("区级裁定")
    RESOLVED = "resolved", _("办结")
    CALLED_BACK = "called_back", _("回访")
    REOPENED = "reopened", _("重办")
    LINKED = "linked", _("合并重复工单")
    REMINDED = "reminded", _("临期提醒")
    ESCALATED = "escalated", _("超期升级")
    NOTE = "note", _("备注")
    RETURN_REQUESTED = "return_requested", _("申请退单")
    RETURN_APPROVED = "return_approved", _("同意退单")
    RETURN_REJECTED = "return_rejected", _("驳回退单")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REJECTED = "extension_rejected", _("驳回延期")
    SUPERVISED = "supervised", _("督办")
    COMPLAINT_NAMED = "complaint_named", _("投诉指明干部")
    COMPLAINT_REVIEWED = "complaint_reviewed", _("核实投诉")


# Unit kinds that can own (承办) a ticket: units with staff who can act. Compounds and grids have
# no office, the city does not handle single tickets.
OWNER_UNIT_KINDS = frozenset({
    "district", "street", "township", "community", "village", "agency", "department",
    "station", "township_office", "health_centre",
})
COMMUNITY_KINDS = ("community", "village")
STREET_KINDS = ("street", "township")
