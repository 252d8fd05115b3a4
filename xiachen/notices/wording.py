"""Chinese message templates per kind of notification, for the channels outside the site.

Each kind has a short lead ("派驻提醒") put before the notification's title. SMS carries only the
lead and the title (one template parameter `content`, cut to SMS_CONTENT_LIMIT characters, as
providers limit a variable's length); 企业微信, 钉钉 and e-mail add the body and the link.
Providers approve SMS templates in advance: register one like
"您有一条新消息：${content}，请登录下沉平台查看。" (docs/deploy.md).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SMS_CONTENT_LIMIT = 35
SUBJECT_PREFIX = gettext_lazy("【下沉】")

LEADS = {
    "match.assigned": gettext_lazy("派驻安排"),
    "match.reminder": gettext_lazy("报到提醒"),
    "match.no_show": gettext_lazy("未报到"),
    "match.declined": gettext_lazy("派驻婉拒"),
    "round.nominations": gettext_lazy("拟派名单"),
    "round.published": gettext_lazy("派驻方案发布"),
    "roster.published": gettext_lazy("排班发布"),
    "roster.swap_requested": gettext_lazy("换班申请"),
    "roster.swap_decided": gettext_lazy("换班结果"),
    "roster.care_alert": gettext_lazy("关怀提醒"),
    "roster.replacement": gettext_lazy("补位申请"),
    "errand.assigned": gettext_lazy("代办任务"),
    "errand.progress": gettext_lazy("代办进度"),
    "errand.unassigned": gettext_lazy("代办待派"),
    "episode.fever": gettext_lazy("发热预警"),
    "fever_alert": gettext_lazy("发热预警"),
    "visit.overdue": gettext_lazy("走访逾期"),
    "return.reported": gettext_lazy("返回报备"),
    "community_notice": gettext_lazy("社区通知"),
    "policy.feedback_filed": gettext_lazy("政策反馈"),
    "policy.feedback_answered": gettext_lazy("反馈答复"),
    "policy.feedback_overdue": gettext_lazy("反馈逾期"),
    "assessment.appeal_filed": gettext_lazy("考核申诉"),
    "assessment.appeal_answered": gettext_lazy("申诉答复"),
    "download_ready": gettext_lazy("文件已生成"),
    "security": gettext_lazy("安全提醒"),
    "calendar.missing": gettext_lazy("日历提醒"),
}
DEFAULT_LEAD = gettext_lazy("消息")


def lead(kind: str) -> str:
    if kind.startswith("hotline."):
        return _("热线工单")
    return str(LEADS.get(kind, DEFAULT_LEAD))


def short_text(notification) -> str:
    """One line: "报到提醒：<title>" — what SMS carries."""
    return _("%(lead)s：%(title)s") % {"lead": lead(notification.kind), "title": notification.title}


def sms_content(notification) -> str:
    return short_text(notification)[:SMS_CONTENT_LIMIT]


def subject(notification) -> str:
    return f"{SUBJECT_PREFIX}{short_text(notification)}"


def full_text(notification, *, site_url: str = "") -> str:
    """Lead and title, body, and where to read more (the link, absolute when the site URL is known)."""
    parts = [short_text(notification)]
    if notification.body:
        parts.append(notification.body)
    if notification.link:
        parts.append(_("详情：%(url)s") % {"url": site_url.rstrip("/") + notification.link})
    return "\n".join(parts)


# What an administrator reads for a delivery error (the provider's own code stays in a tooltip).
REASONS = [
    (("LIMIT", "Limit", "Throttling", "45009", "130101", "451"), gettext_lazy("服务商限流或暂时拒收，已按退避重试")),
    (("Signature", "AuthFailure", "SecretId", "AccessKey", "310000", "40001", "40013", "93000", "smtp 535"),
     gettext_lazy("签名、密钥或机器人地址错误，请检查渠道配置")),
    (("TEMPLATE", "Template", "template"), gettext_lazy("短信模板未配置、不存在或未通过审核")),
    (("MOBILE_NUMBER", "recipient", "member", "smtp 55"), gettext_lazy("接收号码或账号无效")),
    (("not configured", "unknown provider"), gettext_lazy("该渠道未配置")),
    (("network", "SSL", "smtp:"), gettext_lazy("网络或加密连接失败")),
    (("no mobile", "no e-mail", "no WeCom", "residents are not"), gettext_lazy("收件人没有该渠道的接收地址")),
]


def reason_label(error: str) -> str:
    if not error:
        return ""
    for markers, label in REASONS:
        if any(marker in error for marker in markers):
            return str(label)
    return _("服务商返回错误")
