"""API tokens for integrations, idempotency records, webhook endpoints and deliveries, Open311 forwards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.accounts.enums import Role
from xiachen.core.fields import EncryptedTextField
from xiachen.core.models import BaseModel

from .enums import DeliveryStatus, EventType, ForwardState, Scope


class ApiToken(BaseModel):
    """A bearer token `xc_<prefix>_<secret>` an administrator gave an integration (ADR 1821).

    Only `prefix` and an HMAC of the whole token are stored; the token is shown once. The token acts
    as its own service account (`user`, no password, no stored memberships) holding `role` over
    `units`, narrowed to the permissions of `scopes`.
    """

    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name=_("适用单位"))
    scopes = models.JSONField(_("权限范围"), default=list)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    last_audited_at = models.DateTimeField(null=True, blank=True, editable=False)
    use_count = models.PositiveBigIntegerField(_("使用次数"), default=0)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scopes if scope in Scope.values]


class IdempotencyRecord(models.Model):
    """The stored answer to a write carrying an Idempotency-Key, replayed for a retry with the same body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=80)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="interop_idempotency_unique")]

    def __str__(self) -> str:
        return self.operation


class WebhookEndpoint(BaseModel):
    """A receiver of events (ADR 1822): events of `event_types` arising under `unit` are POSTed to `url`,
    signed with `secret`. Disabled automatically after `XIACHEN_WEBHOOK_DISABLE_AFTER` failed deliveries in a row."""

    name = models.CharField(_("名称"), max_length=60)
    url = models.URLField(_("接收地址"), max_length=400)
    secret = EncryptedTextField()  # the signing secret, shown once; not personal data
    event_types = models.JSONField(_("订阅事件"), default=list)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用单位"))
    is_active = models.BooleanField(_("启用"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )

    class Meta:
        verbose_name = _("事件推送地址")
        verbose_name_plural = _("事件推送地址")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def event_labels(self) -> list[str]:
        return [str(EventType(kind).label) for kind in self.event_types if kind in EventType.values]


class WebhookDelivery(BaseModel):
    """One event for one endpoint, written in the transaction of the change it announces (outbox)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("事件编号"))
    event_type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("事件推送记录")
        verbose_name_plural = _("事件推送记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="interop_delivery_due")]


class Open311Forward(BaseModel):
    """A hotline ticket forwarded to the city's Open311 platform, and the status pulled back from it."""

    ticket = models.OneToOneField("hotline.Ticket", on_delete=models.CASCADE, related_name="open311_forward")
    state = models.CharField(_("转送状态"), max_length=12, choices=ForwardState.choices, default=ForwardState.PENDING)
    service_request_id = models.CharField(_("市级平台编号"), max_length=80, blank=True)
    remote_status = models.CharField(_("市级平台状态"), max_length=20, blank=True)
    status_notes = models.CharField(_("市级平台说明"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("转送人")
    )
    pulled_at = models.DateTimeField(_("最近同步"), null=True, blank=True)

    class Meta:
        verbose_name = _("市级平台转送")
        verbose_name_plural = _("市级平台转送")
