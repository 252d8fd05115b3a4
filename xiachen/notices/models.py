"""In-app notifications and the outbound outbox an SMS/WeChat transport consumes."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import Channel, OutboxStatus


class Notification(BaseModel):
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notices_unread")]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(BaseModel):
    """One message to send through an external channel, with its delivery status.

    The outbox claims due rows (status SENDING with a lease), commits, calls the transport outside
    any transaction, then records the outcome: SENT with the provider's message id, PENDING again
    with the next attempt time (exponential backoff), DEAD after the last attempt or a final error
    (an administrator retries or discards it), SKIPPED when the recipient has no address there.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="outbox")
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.SMS)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    urgent = models.BooleanField(_("紧急"), default=False)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("发送租约到期"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider = models.CharField(_("服务商"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("服务商消息编号"), max_length=100, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [
            models.Index(fields=["status", "id"], name="notices_outbox_pending"),
            models.Index(fields=["status", "next_attempt_at"], name="notices_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.notification_id}"

    @property
    def reason(self) -> str:
        """The error in words for the administrator (the provider's code is in `error`)."""
        from .wording import reason_label

        return reason_label(self.error)


class ChannelPreference(BaseModel):
    """A user's choice of channels and quiet hours; without a row, the deployment's defaults apply.

    Quiet hours hold back non-urgent messages until they end (local time; may cross midnight).
    `wecom_userid` caches the user's 企业微信 member id once looked up by mobile number."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="channel_preference", verbose_name=_("用户")
    )
    by_sms = models.BooleanField(_("短信"), default=True)
    by_wecom = models.BooleanField(_("企业微信"), default=True)
    by_email = models.BooleanField(_("电子邮件"), default=False)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    wecom_userid = models.CharField(_("企业微信账号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("消息接收设置")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"channels of user {self.user_id}"


class AccessToken(models.Model):
    """A provider's short-lived API access token (企业微信 gettoken), shared by every worker."""

    key = models.CharField(_("用途"), max_length=120, unique=True)
    token = models.CharField(_("令牌"), max_length=512)
    expires_at = models.DateTimeField(_("过期时间"))

    class Meta:
        verbose_name = _("接口访问令牌")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.key


class RateBucket(models.Model):
    """A token bucket per provider, in the database so that every worker draws from the same one."""

    key = models.CharField(_("服务商"), max_length=60, unique=True)
    tokens = models.FloatField(_("剩余令牌"))
    refilled_at = models.DateTimeField(_("补充时间"))

    class Meta:
        verbose_name = _("发送限速")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.key


class CommunityNotice(BaseModel):
    """A notice the community publishes to chosen compounds or buildings and to its cadres."""

    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=5000)
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("引用政策版本"),
    )
    to_staff = models.BooleanField(_("同时发给在岗干部和社区工作者"), default=True)
    published_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("社区通知")
        verbose_name_plural = _("社区通知")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.community_path = self.community.path
        super().save(*args, **kwargs)


class NoticeTarget(models.Model):
    """One addressed compound, or one building of it (blank building: the whole compound)."""

    notice = models.ForeignKey(CommunityNotice, on_delete=models.CASCADE, related_name="targets")
    compound = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    building = models.CharField(_("楼栋"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("通知对象")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "compound", "building"], name="notices_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.compound_id}/{self.building or '*'}"


class NoticeAttachment(BaseModel):
    notice = models.ForeignKey(CommunityNotice, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("附件标题"), max_length=120)
    file = models.FileField(_("附件"), upload_to="notices/attachments/%Y/%m/")

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ReceiptAudience(models.TextChoices):
    RESIDENT = "resident", _("居民")
    STAFF = "staff", _("干部/社区工作者")


class NoticeReceipt(BaseModel):
    """Who a notice was addressed to and when they read it: a resident (on the resident site) or a
    cadre or community worker (on the staff site). Residents without an account are counted too."""

    notice = models.ForeignKey(CommunityNotice, on_delete=models.CASCADE, related_name="receipts")
    audience = models.CharField(max_length=10, choices=ReceiptAudience.choices)
    resident = models.ForeignKey(
        "households.Resident", on_delete=models.CASCADE, null=True, blank=True, related_name="notice_receipts"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知签收")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "resident"], name="notices_receipt_resident_once"),
            models.UniqueConstraint(fields=["notice", "user"], name="notices_receipt_user_once"),
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | Q(user__isnull=False), name="notices_receipt_someone"
            ),
        ]
        indexes = [models.Index(fields=["notice", "read_at"], name="notices_receipt_read")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.resident_id or self.user_id}"
