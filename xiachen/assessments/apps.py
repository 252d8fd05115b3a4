from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "xiachen.assessments"
    label = "assessments"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import (
            errands_adapter,
            metrics,
            personal_data,  # noqa: F401  # registers this app's personal-data declarations
        )

        # Residents' ratings of the cadres' errands; the source itself reports nothing if errands is
        # absent or changed shape, so registering it is always safe (ADR 0801).
        metrics.register_rating_source(errands_adapter.residents_ratings)

        grant(Role.ORG_DEPARTMENT, "assessments.manage", "assessments.view")
        grant(Role.UNIT_MANAGER, "assessments.evaluate", "assessments.view")
        grant(Role.AGENCY_LIAISON, "assessments.view_agency", "assessments.view")
        grant(Role.CADRE, "assessments.mine")  # navigation only: the page itself requires a cadre profile
        add_section("assessments.view", "assessments:index", _("考核激励"), group="assessment")
        add_section("assessments.manage", "assessments:appeals", _("考核申诉"), group="assessment")
        add_section("assessments.mine", "assessments:mine", _("我的考核"), group="assessment")
