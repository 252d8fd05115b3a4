"""System checks that keep a demo stand-in from ever serving a production site.

Every management command runs them (the worker and the scheduled jobs refuse to start), and
deploy/gunicorn.conf.py runs them before the web server binds: a production site whose resident
login codes or notifications would go to the log instead of a phone fails at once, loudly, with
the setting to fix — it does not run for weeks while residents never receive their codes.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

# setting → (the demo stand-in it defaults to outside production, what it delivers)
STAND_INS = {
    "XIACHEN_LOGIN_CODE_SENDER": ("xiachen.resident.services.log_login_code", "residents' login codes"),
    "XIACHEN_NOTICE_TRANSPORT": ("xiachen.notices.services.ConsoleTransport", "notifications (SMS, WeChat)"),
}
# The senders that deliver through XIACHEN_CHANNELS: each needs these channels set to a real provider.
CHANNEL_SENDERS = {
    "xiachen.notices.transports.send_login_code": ("sms",),
    "xiachen.notices.transports.ChannelRouter": (),  # every configured channel, and at least one
}


@register(Tags.security)
def no_demo_stand_ins_in_production(app_configs, **kwargs) -> list[Error]:
    """xiachen.E001 when production names no real sender or names a demo one (also a channel whose
    provider is the console); E002 when it cannot be imported."""
    if not getattr(settings, "XIACHEN_PRODUCTION", False):
        return []
    errors = []
    for setting, (demo, what) in STAND_INS.items():
        configured = getattr(settings, setting, "") or ""
        if configured in ("", demo):
            errors.append(Error(
                f"{setting} is {'not set' if not configured else 'the demo stand-in ' + demo}: "
                f"{what} would never reach anyone (a demo writes them to the log).",
                hint=f"Set {setting} to the dotted path of a real transport (docs/deploy.md).",
                id="xiachen.E001",
            ))
            continue
        try:
            import_string(configured)
        except ImportError as error:
            errors.append(Error(f"{setting} = {configured!r} cannot be imported: {error}", id="xiachen.E002"))
            continue
        errors += _channel_errors(setting, configured, what)
    return errors


def _channel_errors(setting: str, sender: str, what: str) -> list[Error]:
    """E001 for a channel sender whose channels are missing or use the console provider."""
    if sender not in CHANNEL_SENDERS:
        return []
    channels = getattr(settings, "XIACHEN_CHANNELS", None) or {}
    needed = CHANNEL_SENDERS[sender] or tuple(channels) or ("(any)",)
    errors = []
    for channel in needed:
        provider = (channels.get(channel) or {}).get("provider", "")
        if provider in ("", "console"):
            errors.append(Error(
                f"{setting} sends through XIACHEN_CHANNELS[{channel!r}], whose provider is "
                f"{provider or 'not set'}: {what} would never reach anyone.",
                hint="Configure a real provider for the channel in XIACHEN_CHANNELS (docs/deploy.md).",
                id="xiachen.E001",
            ))
    return errors
