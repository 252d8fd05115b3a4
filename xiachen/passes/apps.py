from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "xiachen.passes"
    label = "passes"

    def ready(self) -> None:
        from xiachen.accounts.context_processors import add_section
        from xiachen.accounts.enums import Role
        from xiachen.accounts.permissions import grant

        from . import personal_data  # noqa: F401  # registers this app's personal-data fields

        grant(
            Role.UNIT_MANAGER,
            "passes.view",
            "passes.issue",
            "passes.revoke",
            "passes.manage_policy",
            "passes.manage_keys",
            "passes.view_policy",
            "passes.review_scans",
            "passes.trace_contacts",
        )
        grant(Role.COMMUNITY_WORKER, "passes.view", "passes.view_policy", "gate.scan")
        grant(Role.CADRE, "passes.view_policy", "gate.scan")
        # 指挥部 authority over pass rules: city- or district-wide versions that communities inherit
        grant(Role.ORG_DEPARTMENT, "passes.view_policy", "passes.manage_area_policy")
        add_section("gate.scan", "gate:index", _("门岗核验"), group="passes")
        add_section("passes.view", "passes:list", _("通行证"), group="passes")
        add_section("passes.review_scans", "passes:scans", _("扫码记录"), group="passes")
        add_section("passes.review_scans", "passes:fever", _("发热预警"), group="passes")
        add_section("passes.review_scans", "passes:disagreements", _("核验不一致"), group="passes")
        add_section("passes.revoke", "passes:corrections", _("更正申请"), group="passes")
        add_section("passes.revoke", "passes:revocations", _("吊销审批"), group="passes")
        add_section("passes.view_policy", "passes:policies", _("通行政策"), group="passes")
        add_section("passes.manage_keys", "passes:keys", _("签名密钥"), group="passes")
        add_section("passes.trace_contacts", "passes:checkpoint_search", _("卡口登记查询"), group="passes")
        add_section("passes.trace_contacts", "passes:tracing", _("流调追踪"), group="passes")
