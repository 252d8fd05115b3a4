"""Every text the gate page's script shows, translated on the server and handed to it as JSON."""

from django.utils.translation import gettext as _

from xiachen.passes.enums import SCAN_REASONS


def gate_messages() -> dict:
    """Verdict reasons (the verifier's codes) and the page's status lines, in the active language."""
    return {
        "reasons": {code: str(label) for code, label in SCAN_REASONS.items()},
        "pass": _("✔ 通过"),
        "refuse": _("✘ 拒绝"),
        "warn": _("⚠ 放行（请注意）"),
        "online": _("在线"),
        "offline": _("离线"),
        # %(version)s, %(hours)s, %(days)s and %(threshold)s are filled in by the script
        "policy": _("政策 v%(version)s：外出时段 %(hours)s，每户间隔 %(days)s 天，体温阈值 %(threshold)s ℃"),
        "not_found": _("未找到有效通行证"),
        "lookup_needs_network": _("人工核验需要联网；离线时请用下方“卡口登记”登记此人"),
        "name_and_contact": _("请填写姓名和手机号或身份证号"),
        "registered_fever": _("已登记；体温异常，请引导至临时观察点"),
        "registered_no_visitors": _("已登记；现行政策不允许访客进入，请劝返"),
        "registered_ok": _("已登记，准予通行；联网后自动上传"),
    }
