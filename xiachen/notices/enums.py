from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    EMAIL = "email", _("电子邮件")
    WECOM_ROBOT = "wecom_robot", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


# Channels addressed to one person (chosen in their settings) and channels that post to a group
# chat (one message per announcement, configured per message kind by the deployment).
PERSONAL_CHANNELS = (Channel.SMS, Channel.WECOM, Channel.EMAIL)
GROUP_CHANNELS = (Channel.WECOM_ROBOT, Channel.DINGTALK)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DEAD = "dead", _("发送失败")
    SKIPPED = "skipped", _("无接收地址")
    DISCARDED = "discarded", _("已放弃")
