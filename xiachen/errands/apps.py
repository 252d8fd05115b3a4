from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErrandsConfig(AppConfig):
    name = "xiachen.errands"
    label = "errands"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data fields

        grant(Role.UNIT_MANAGER, "errands.view", "errands.work", "errands.dispatch", "errands.quarantine")
        grant(Role.COMMUNITY_WORKER, "errands.view", "errands.work", "errands.quarantine")
        grant(Role.CADRE, "errands.work")
        add_section("errands.work", "errands:mine", _("我的代办"), group="work")
        add_section("errands.work", "errands:visits", _("今日走访"), group="work")
        add_section("errands.dispatch", "errands:operations", _("今日运行"), group="community")
        add_section("errands.view", "errands:list", _("代办服务"), group="community")
        add_section("errands.quarantine", "errands:episodes", _("隔离与监测"), group="community")
        add_section("errands.view", "errands:support", _("困难群众帮扶"), group="community")
