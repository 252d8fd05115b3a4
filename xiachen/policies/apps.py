from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "xiachen.policies"
    label = "policies"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import STAFF_ROLES, Role
        from xiachen.accounts.permissions import grant
        from xiachen.core.calendar import on_year_loaded

        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations
        from .services import finalize_provisional_due_dates

        on_year_loaded(finalize_provisional_due_dates)  # a loaded holiday notice makes provisional deadlines final

        for role in STAFF_ROLES:
            grant(role, "policies.view")
        grant(Role.CADRE, "policies.file_feedback")
        grant(Role.COMMUNITY_WORKER, "policies.file_feedback")
        grant(Role.AGENCY_LIAISON, "policies.manage_documents", "policies.answer_feedback")
        grant(Role.ORG_DEPARTMENT, "policies.manage_documents", "policies.oversee")
        add_section("policies.view", "policies:documents", _("政策文件"), group="assessment")
        add_section("policies.view", "policies:ledger", _("反馈台账"), group="assessment")
        add_section("policies.answer_feedback", "policies:inbox", _("待答复反馈"), group="assessment")
        add_section("policies.file_feedback", "policies:my_feedback", _("我的反馈"), group="assessment")
        add_section("policies.oversee", "policies:holidays", _("反馈期限节假日"), group="system")
