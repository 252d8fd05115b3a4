"""The transports behind the outbox, one per channel, chosen per deployment in `XIACHEN_CHANNELS`.

`XIACHEN_CHANNELS` maps a channel to its provider and settings (docs/deploy.md), e.g.
{"sms": {"provider": "aliyun", …}, "wecom": {"provider": "wecom", …}, "email": {"provider": "smtp", …},
"dingtalk": {"provider": "dingtalk", "webhook": …, "secret": …, "kinds": ["fever_alert"]}}.
`ChannelRouter` (the value of XIACHEN_NOTICE_TRANSPORT in production) sends each outbox row through
its channel's provider; `send_login_code` sends residents' sign-in codes through the SMS provider.
The "console" provider is the demo stand-in; production refuses to start with it (ops/checks.py).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from xiachen.notices import wording
from xiachen.notices.enums import Channel

from .addresses import email_of, phone_of, wecom_userid_of
from .aliyun import AliyunSms
from .base import NoAddress, TransportError
from .dingtalk import DingTalkRobot
from .email import SmtpEmail
from .tencent import TencentSms
from .wecom import WeComApp, WeComRobot

logger = logging.getLogger("xiachen.notices")

__all__ = ["ChannelRouter", "NoAddress", "TransportError", "send_login_code"]


class ConsoleChannel:
    """The demo provider of any channel: logs the kind and recipient id (never an address or a code)."""

    provider = "console"

    def __init__(self, config: dict):
        self.config = config

    def send_sms(self, *, phone: str, template: str, params: dict) -> str:
        logger.info("[console sms] template %s", template)
        return ""

    def send_text(self, **kwargs) -> str:
        logger.info("[console text]")
        return ""

    def send_mail(self, **kwargs) -> str:
        logger.info("[console mail]")
        return ""


PROVIDERS: dict[Channel, dict[str, Callable[[dict], Any]]] = {  # provider classes, duck-typed
    Channel.SMS: {"aliyun": AliyunSms, "tencent": TencentSms},
    Channel.WECOM: {"wecom": WeComApp},
    Channel.EMAIL: {"smtp": SmtpEmail},
    Channel.WECOM_ROBOT: {"wecom_robot": WeComRobot},
    Channel.DINGTALK: {"dingtalk": DingTalkRobot},
}
DEMO_PROVIDERS = {"console"}


def configured_channels() -> dict[str, dict]:
    return dict(getattr(settings, "XIACHEN_CHANNELS", None) or {})


def provider_for(channel: str, config: dict | None = None):
    """The provider object of `channel` from its settings. Raises TransportError when not configured."""
    config = config if config is not None else configured_channels().get(channel)
    if not config:
        raise TransportError(f"channel {channel} is not configured", retry=False)
    name = config.get("provider", "")
    if name in DEMO_PROVIDERS:
        return ConsoleChannel(config)
    try:
        return PROVIDERS[Channel(channel)][name](config)
    except (KeyError, ValueError):
        raise TransportError(f"channel {channel}: unknown provider {name!r}", retry=False) from None


def template_of(config: dict, kind: str) -> str:
    templates = config.get("templates") or {}
    template = templates.get(kind) or templates.get("default")
    if not template:
        raise TransportError(f"sms: no template for {kind}", retry=False)
    return str(template)


class ChannelRouter:
    """The outbox transport for a real deployment: one provider per channel, from XIACHEN_CHANNELS."""

    def __init__(self):
        self.channels = configured_channels()
        self.providers: dict[str, object] = {}

    def provider(self, channel: str):
        if channel not in self.providers:
            self.providers[channel] = provider_for(channel, self.channels.get(channel))
        return self.providers[channel]

    def rate_key(self, message) -> str:
        return f"{message.channel}:{self.channels.get(message.channel, {}).get('provider', '')}"

    def rate(self, message) -> tuple[float, float]:
        """(messages per second, burst) for this message's provider (defaults: 10/s, burst 20)."""
        config = self.channels.get(message.channel, {})
        return float(config.get("per_second", 10)), float(config.get("burst", 20))

    def send(self, message) -> str:
        """Send one outbox row; returns the provider's message id. Raises TransportError or NoAddress."""
        notification, provider = message.notification, self.provider(message.channel)
        site = getattr(settings, "XIACHEN_SITE_URL", "")
        if message.channel == Channel.SMS:
            return provider.send_sms(phone=phone_of(notification.recipient),
                                     template=template_of(self.channels[Channel.SMS], notification.kind),
                                     params={"content": wording.sms_content(notification)})
        if message.channel == Channel.WECOM:
            userid = wecom_userid_of(notification.recipient, provider)
            return provider.send_text(userid=userid, text=wording.full_text(notification, site_url=site))
        if message.channel == Channel.EMAIL:
            return provider.send_mail(to=email_of(notification.recipient), subject=wording.subject(notification),
                                      text=wording.full_text(notification, site_url=site))
        return provider.send_text(text=wording.full_text(notification, site_url=site))


def send_login_code(*, resident, code: str) -> None:
    """XIACHEN_LOGIN_CODE_SENDER for production: the code goes by SMS (template "login_code",
    parameter `code`). A failure is logged with the provider's error only — never the code or number."""
    config = configured_channels().get(Channel.SMS) or {}
    try:
        provider = provider_for(Channel.SMS, config)
        provider.send_sms(phone=resident.phone, template=template_of(config, "login_code"), params={"code": code})
    except TransportError as error:
        logger.warning("login code to resident %s not sent: %s", resident.pk, error)
