from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup and restore, the scheduled-jobs runner, the working calendar's yearly import."""

    name = "xiachen.ops"
    label = "ops"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import checks  # noqa: F401 — registers the production checks

        # The calendar is system configuration every deadline depends on: the administrator keeps it,
        # the organization department (which sets the hotline's working hours) may too.
        grant(Role.SYSTEM_ADMIN, "calendar.manage")
        grant(Role.ORG_DEPARTMENT, "calendar.manage")
        add_section("calendar.manage", "ops:calendar", _("工作日历"), group="system")
