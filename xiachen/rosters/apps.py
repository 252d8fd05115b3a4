from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "xiachen.rosters"
    label = "rosters"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations

        # oversee: read posts, rosters, attendance and care alerts in the scope; manage: write them.
        grant(Role.ORG_DEPARTMENT, "rosters.oversee", "rosters.set_rules")
        grant(Role.UNIT_MANAGER, "rosters.oversee", "rosters.manage")
        grant(Role.CADRE, "rosters.own")
        add_section("rosters.own", "rosters:mine", _("我的排班"), group="work")
        add_section("rosters.oversee", "rosters:index", _("排班表"), group="rosters")
        add_section("rosters.oversee", "rosters:alerts", _("关怀提醒"), group="rosters")
        add_section("rosters.own", "rosters:swaps", _("换班申请"), group="rosters")
        add_section("rosters.manage", "rosters:swaps", _("换班申请"), group="rosters")
