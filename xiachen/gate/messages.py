"""Every text the gate page's script shows, translated on the server and handed to it as JSON."""

from django.utils.translation import gettext as _


def gate_messages() -> dict:
    """Verdict reasons (the verifier's codes) and the page's status lines, in the active language."""
    return {
        "reasons": {
            "valid": _("通过"),
            "expired": _("已过期"),
            "not_yet_valid": _("尚未生效"),
            "unknown_key": _("未知签名密钥"),
            "key_revoked": _("密钥已吊销"),
            "bad_signature": _("签名无效（伪造或被篡改）"),
            "wrong_audience": _("非本小区通行证"),
            "pass_revoked": _("通行证已吊销"),
            "truncated": _("编码不完整"),
            "oversize": _("编码过长"),
            "malformed": _("无法识别的编码"),
            "unsupported_version": _("不支持的版本"),
            "fever": _("体温异常，请引导至临时观察点"),
            "outside_hours": _("不在允许外出时段"),
            "too_frequent": _("本户外出间隔未到"),
        },
        "pass": _("✔ 通过"),
        "refuse": _("✘ 拒绝"),
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
