from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "xiachen.maps"
    label = "maps"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant
        from xiachen.core.personal_data import declare_not_personal

        # Boundaries are administrative geography, kept by the system administrator (ADR 2012).
        grant(Role.SYSTEM_ADMIN, "maps.manage")
        add_section("maps.manage", "maps:boundaries", _("地图边界"), group="system")
        declare_not_personal("maps.Boundary", {"geometry": "行政区划边界和小区位置，不是个人信息"})
