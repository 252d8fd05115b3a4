from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "xiachen.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        # The organization department already holds "dashboard.city" (accounts.permissions).
        grant(Role.ORG_DEPARTMENT, "dashboards.view", "dashboards.view_area", "dashboards.view_agency")
        grant(Role.UNIT_MANAGER, "dashboards.view", "dashboards.view_area")
        grant(Role.COMMUNITY_WORKER, "dashboards.view", "dashboards.view_area")
        grant(Role.AGENCY_LIAISON, "dashboards.view", "dashboards.view_agency")
        add_section("dashboards.view", "dashboards:city", _("数据看板"), group="work")
