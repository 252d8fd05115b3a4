from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "xiachen.notices"
    label = "notices"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations

        grant(Role.UNIT_MANAGER, "notices.publish")
        grant(Role.SYSTEM_ADMIN, "notices.dead_letters")
        add_section("notices.publish", "notices:community", _("社区通知"), group="community")
        add_section("notices.dead_letters", "notices:dead_letters", _("未送达消息"), group="system")
