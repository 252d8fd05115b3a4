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


@register(Tags.security)
def no_demo_stand_ins_in_production(app_configs, **kwargs) -> list[Error]:
    """xiachen.E001 when production names no real sender or names a demo one; E002 when it cannot be imported."""
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
    return errors
