from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "xiachen.surveys"
    label = "surveys"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data fields

        grant(Role.UNIT_MANAGER, "surveys.view", "surveys.manage")
        grant(Role.COMMUNITY_WORKER, "surveys.view", "surveys.visit")
        grant(Role.CADRE, "surveys.visit")  # field forms (入户摸排) where the cadre is on duty
        add_section("surveys.view", "surveys:list", _("问卷"), group="community")
        add_section("surveys.visit", "surveys:field", _("入户摸排"), group="work")
