from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    """Integration API: API tokens, idempotency, webhooks, Open311 (issue 18, items 6–8)."""

    name = "xiachen.interop"
    label = "interop"
    verbose_name = _("系统对接")

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations

        add_section("accounts.manage", "interop:tokens", _("接口令牌"), group="system")
        add_section("accounts.manage", "interop:webhooks", _("事件推送"), group="system")
