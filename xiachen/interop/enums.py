from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do; each scope lends the permissions below, and only those its role holds."""

    READ = "read", _("查询")
    HOTLINE = "hotline", _("热线工单（含 Open311）")
    ERRANDS = "errands", _("代办服务")
    HOUSEHOLDS = "households", _("住户与居民")
    DEMANDS = "demands", _("岗位需求")
    NOTICES = "notices", _("社区通知")


SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    Scope.READ: frozenset({"units.view", "cadres.view", "households.view", "hotline.view", "errands.view",
                           "deployments.view", "passes.view"}),
    Scope.HOTLINE: frozenset({"units.view", "hotline.view", "hotline.operate", "hotline.handle"}),
    Scope.ERRANDS: frozenset({"units.view", "households.view", "errands.view", "errands.dispatch"}),
    Scope.HOUSEHOLDS: frozenset({"units.view", "households.view", "households.edit"}),
    Scope.DEMANDS: frozenset({"units.view", "deployments.view", "deployments.manage_demands"}),
    Scope.NOTICES: frozenset({"units.view", "notices.publish"}),
}

# Roles a token may act as. The organization department's and the administrator's roles need a second
# approver for people (ADR 1401) and the auditor's and residents' roles are for people only.
TOKEN_ROLES = ("hotline_operator", "unit_manager", "community_worker", "agency_liaison")


class EventType(models.TextChoices):
    TICKET_CREATED = "ticket.created", _("热线工单创建")
    TICKET_OVERDUE = "ticket.overdue", _("热线工单超期")
    TICKET_CLOSED = "ticket.closed", _("热线工单办结回访")
    ERRAND_STATUS = "errand.status_changed", _("代办状态变化")
    FEVER_ALERT = "fever.alert", _("发热预警")
    ROUND_PUBLISHED = "round.published", _("派驻方案发布")
    PASS_REVOKED = "pass.revoked", _("通行证吊销")
    PING = "ping", _("测试事件")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    RETRYING = "retrying", _("等待重试")
    FAILED = "failed", _("失败")


class ForwardState(models.TextChoices):
    PENDING = "pending", _("待转送")
    SENT = "sent", _("已转送")
    FAILED = "failed", _("转送失败")
