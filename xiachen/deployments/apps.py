from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentsConfig(AppConfig):
    name = "xiachen.deployments"
    label = "deployments"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations

        # Navigation only: "my deployment" lists the signed-in cadre's own matches (no scope to check).
        grant(Role.CADRE, "deployments.mine")
        add_section("deployments.mine", "deployments:mine", _("我的派驻与报到"), group="work")
