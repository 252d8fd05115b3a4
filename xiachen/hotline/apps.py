from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "xiachen.hotline"
    label = "hotline"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant
        from xiachen.core.calendar import on_year_loaded

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations
        from .services import finalize_provisional_deadlines

        on_year_loaded(finalize_provisional_deadlines)  # a loaded holiday notice makes provisional deadlines final

        grant(Role.HOTLINE_OPERATOR, "hotline.view", "hotline.operate", "hotline.arbitrate",
              "hotline.show_personal", "hotline.rates", "hotline.supervise")
        # A manager supervises (督办, 延期) the units below their own and moderates complaints naming a cadre.
        grant(Role.UNIT_MANAGER, "hotline.view", "hotline.handle", "hotline.arbitrate", "hotline.show_personal",
              "hotline.rates", "hotline.supervise", "hotline.moderate_complaints")
        grant(Role.COMMUNITY_WORKER, "hotline.view", "hotline.handle", "hotline.show_personal")
        grant(Role.ORG_DEPARTMENT, "hotline.view", "hotline.rates", "hotline.configure")
        grant(Role.RESIDENT, "hotline.file")
        add_section("hotline.view", "hotline:tickets", _("热线工单"), group="hotline")
        add_section("hotline.rates", "hotline:rates", _("三率排名"), group="hotline")
        add_section("hotline.configure", "hotline:settings", _("热线设置"), group="hotline")
