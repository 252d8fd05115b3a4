"""Chinese names for what the audit trail records: actions, target types, field names, results.

Every action any app passes to `record()` has an entry here (tests/audit/test_labels.py scans the
code for them). An action missing from the table still shows in Chinese, by its object
("工单 · 其他操作"), never as its internal code.
"""

import functools
import importlib
import re

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACTION_LABELS = {
    # message channels (notices)
    "notices.preferences_changed": gettext_lazy("修改本人消息接收设置"),
    "outbox.retried": gettext_lazy("重新发送未送达消息"),
    "outbox.discarded": gettext_lazy("放弃发送未送达消息"),
    # accounts and administration
    "user.created": gettext_lazy("创建账号"),
    "user.updated": gettext_lazy("修改账号资料"),
    "user.disabled": gettext_lazy("停用账号"),
    "user.enabled": gettext_lazy("启用账号"),
    "user.unlocked": gettext_lazy("解除登录锁定"),
    "user.password_reset": gettext_lazy("重置密码"),
    "user.password_changed": gettext_lazy("修改本人密码"),
    "user.totp_reset": gettext_lazy("重置身份验证器"),
    "user.imported": gettext_lazy("批量导入工作人员账号"),
    "user.bootstrapped": gettext_lazy("创建首个系统管理员"),
    "bootstrap.first_account": gettext_lazy("创建首个账号"),
    "role.assigned": gettext_lazy("授予角色"),
    "role.withdrawn": gettext_lazy("撤销角色"),
    "role.grant_requested": gettext_lazy("申请授予角色（待批准）"),
    "role.grant_approved": gettext_lazy("批准角色授予"),
    "role.grant_rejected": gettext_lazy("驳回角色授予"),
    "otp.enrolled": gettext_lazy("绑定身份验证器"),
    "otp.enrol_failed": gettext_lazy("绑定身份验证器失败"),
    "otp.enrol_refused": gettext_lazy("拒绝更换身份验证器（未验证当前验证码）"),
    "otp.replaced": gettext_lazy("更换身份验证器"),
    "otp.verified": gettext_lazy("动态验证码通过"),
    "otp.failed": gettext_lazy("动态验证码错误"),
    # single sign-on and the directory (xiachen/identity)
    "sso.signed_in": gettext_lazy("统一身份认证登录"),
    "sso.refused": gettext_lazy("拒绝统一身份认证登录"),
    "sso.failed": gettext_lazy("统一身份认证登录失败"),
    "sso.linked": gettext_lazy("统一身份认证关联已有账号"),
    "sso.user_created": gettext_lazy("统一身份认证创建账号（待分配角色）"),
    "directory.synced": gettext_lazy("目录同步"),
    "directory.user_created": gettext_lazy("目录同步创建账号"),
    "directory.user_linked": gettext_lazy("目录同步关联已有账号"),
    "directory.user_updated": gettext_lazy("目录同步更新账号资料"),
    "directory.user_disabled": gettext_lazy("目录同步停用账号"),
    "directory.user_enabled": gettext_lazy("目录同步重新启用账号"),
    # the audit trail itself
    "audit.exported": gettext_lazy("导出审计日志"),
    "audit.chain_checked": gettext_lazy("校验审计链"),
    # units, cadres, households
    "unit.created": gettext_lazy("新建单位"),
    "unit.moved": gettext_lazy("调整单位隶属"),
    "unit.imported": gettext_lazy("导入单位"),
    "cadre.imported": gettext_lazy("导入干部名册"),
    "import.errors_downloaded": gettext_lazy("下载导入错误清单"),
    "import.pending_purged": gettext_lazy("删除超时未确认的导入文件"),
    "cadre.exported": gettext_lazy("导出干部名册"),
    "cadre.exported_full": gettext_lazy("导出干部名册（含完整个人信息）"),
    "cadre.personal_revealed": gettext_lazy("查看干部完整个人信息"),
    "household.imported": gettext_lazy("导入住户"),
    "household.exported": gettext_lazy("导出住户"),
    "household.exported_full": gettext_lazy("导出住户（含完整个人信息）"),
    "resident.personal_revealed": gettext_lazy("查看居民完整个人信息"),
    "resident.account_created": gettext_lazy("居民注册账号"),
    "resident.signed_in": gettext_lazy("居民登录"),
    "resident.code_sent": gettext_lazy("发送居民登录验证码"),
    "resident.code_failed": gettext_lazy("居民登录验证码错误"),
    "resident.code_budget_exhausted": gettext_lazy("居民验证码请求达到上限"),
    # deployment rounds
    "demand.created": gettext_lazy("新建岗位需求"),
    "demand.updated": gettext_lazy("修改岗位需求"),
    "demand.closed": gettext_lazy("关闭岗位需求"),
    "demand.imported": gettext_lazy("导入岗位需求"),
    "round.created": gettext_lazy("新建派驻轮次"),
    "round.scope_set": gettext_lazy("设定轮次范围"),
    "round.matched": gettext_lazy("完成智能匹配"),
    "round.status_changed": gettext_lazy("轮次状态变更"),
    "round.published": gettext_lazy("发布派驻方案"),
    "round.closed": gettext_lazy("关闭派驻轮次"),
    "round.matching_interrupted": gettext_lazy("匹配未完成，轮次交还"),
    "round.plan_exported": gettext_lazy("导出派驻方案"),
    "match.assigned_by_hand": gettext_lazy("人工调整匹配"),
    "match.removed": gettext_lazy("移除匹配"),
    "match.confirmed": gettext_lazy("确认拟派干部"),
    "match.declined": gettext_lazy("退回拟派干部"),
    "match.other_posts_set": gettext_lazy("设定婉拒干部可否推荐到本轮其他岗位"),
    "match.arrived": gettext_lazy("干部报到"),
    "match.no_show": gettext_lazy("干部未报到"),
    "match.replaced": gettext_lazy("替换干部"),
    "match.notice_printed": gettext_lazy("打印派驻通知书"),
    "affinity.set": gettext_lazy("设定专长与岗位匹配度"),
    "return.reported": gettext_lazy("返岗报告"),
    # rosters
    "roster.created": gettext_lazy("新建排班表"),
    "roster.rules_set": gettext_lazy("设定排班规则"),
    "roster.generated": gettext_lazy("自动排班"),
    "roster.cell_set": gettext_lazy("调整排班"),
    "roster.shift_added": gettext_lazy("新增班次"),
    "roster.status_changed": gettext_lazy("排班表状态变更"),
    "roster.wish_added": gettext_lazy("登记排班意愿"),
    "roster.unavailable_added": gettext_lazy("登记不可排班时间"),
    "roster.unwell_reported": gettext_lazy("报告身体不适"),
    "roster.calendar_feed_reset": gettext_lazy("重置日历订阅链接"),
    "roster.swap_requested": gettext_lazy("申请换班"),
    "roster.swap_decided": gettext_lazy("审批换班"),
    "roster.cover_set": gettext_lazy("安排顶班"),
    "roster.replacement_resolved": gettext_lazy("处理缺岗替补"),
    "roster.checked_in": gettext_lazy("上岗签到"),
    "roster.site_set": gettext_lazy("设定岗位签到位置与半径"),
    "roster.checked_out": gettext_lazy("下岗签退"),
    "roster.gear_issued": gettext_lazy("发放防护物资"),
    "roster.gear_received": gettext_lazy("领取防护物资"),
    "roster.care_alert": gettext_lazy("关爱提醒"),
    "roster.allowances_exported": gettext_lazy("导出补贴表"),
    # passes and the gate
    "pass_policy.published": gettext_lazy("发布通行政策"),
    "pass_policy.acknowledged": gettext_lazy("确认通行政策"),
    "pass_key.rotated": gettext_lazy("轮换通行证签名密钥"),
    "pass_key.revoked": gettext_lazy("吊销通行证签名密钥"),
    "pass.issued": gettext_lazy("签发通行证"),
    "pass.revoked": gettext_lazy("吊销通行证"),
    "pass.bulk_revocation_requested": gettext_lazy("申请批量吊销通行证"),
    "pass.bulk_revocation_pending": gettext_lazy("批量吊销通行证待审批"),
    "pass.bulk_revocation_approved": gettext_lazy("批准批量吊销通行证"),
    "pass.bulk_revocation_rejected": gettext_lazy("驳回批量吊销通行证"),
    "pass_correction.filed": gettext_lazy("居民提交通行证更正申请"),
    "pass_correction.answered": gettext_lazy("答复通行证更正申请"),
    "scans.ingested": gettext_lazy("上传扫码记录"),
    "scan_disagreement.resolved": gettext_lazy("处理扫码结果不一致"),
    "fever_alert.closed": gettext_lazy("关闭发热预警"),
    "gate.manual_lookup": gettext_lazy("卡口人工查询"),
    "checkpoint.registered": gettext_lazy("检查点登记"),
    "checkpoint.searched": gettext_lazy("检查点查询"),
    "checkpoint.personal_revealed": gettext_lazy("查看检查点登记的完整个人信息"),
    "checkpoint.purged": gettext_lazy("清除到期检查点记录"),
    "partition.dropped": gettext_lazy("删除到期的整月扫码记录"),
    "passes.scans_expired": gettext_lazy("删除超过保存期限的扫码记录"),
    "tracing.traced": gettext_lazy("流调追踪"),
    "maps.boundaries_uploaded": gettext_lazy("上传地图边界"),
    "tracing.exported": gettext_lazy("导出流调名单（脱敏）"),
    "tracing.exported_full": gettext_lazy("导出流调名单（完整个人信息）"),
    "episode.opened": gettext_lazy("登记隔离/健康观察"),
    "episode.health_reported": gettext_lazy("健康打卡"),
    "episode.end_changed": gettext_lazy("调整观察结束日期"),
    "episode.ended": gettext_lazy("结束隔离/健康观察"),
    "episode.ended_automatically": gettext_lazy("隔离/健康观察到期自动结束"),
    "episode_length.set": gettext_lazy("设置隔离/健康观察默认天数"),
    "household.outing_member_set": gettext_lazy("指定本户外出人员"),
    "health_records.purged": gettext_lazy("清除到期健康记录"),
    # community services
    "errand.requested": gettext_lazy("居民提出代办需求"),
    "errand.assigned": gettext_lazy("分派代办"),
    "errand.status_changed": gettext_lazy("代办状态变更"),
    "errand.rated": gettext_lazy("居民评价代办"),
    "visit.done": gettext_lazy("完成走访"),
    "support.scheduled": gettext_lazy("安排帮扶"),
    "support.recorded": gettext_lazy("记录帮扶"),
    "survey.created": gettext_lazy("新建问卷"),
    "survey.status_changed": gettext_lazy("问卷状态变更"),
    "survey.visit_recorded": gettext_lazy("入户摸排填报"),
    "survey.visits_exported": gettext_lazy("导出入户摸排结果"),
    "notice.published": gettext_lazy("发布通知"),
    # hotline
    "ticket.created": gettext_lazy("工单受理"),
    "ticket.routed": gettext_lazy("工单派单"),
    "ticket.transfer_requested": gettext_lazy("工单申请转办"),
    "ticket.transfer_accepted": gettext_lazy("工单接收转办"),
    "ticket.escalated": gettext_lazy("工单超期升级"),
    "ticket.supervised": gettext_lazy("工单督办"),
    "ticket.complaint_named": gettext_lazy("居民投诉指明下沉干部"),
    "ticket.complaint_reviewed": gettext_lazy("核实居民对下沉干部的投诉"),
    "ticket.personal_revealed": gettext_lazy("查看工单来电人完整信息"),
    "hotline.category_changed": gettext_lazy("修改工单分类"),
    "hotline.calendar_changed": gettext_lazy("修改热线工作日历"),
    "hotline.holiday_added": gettext_lazy("新增节假日"),
    "hotline.holiday_deleted": gettext_lazy("删除节假日"),
    "hotline.rule_saved": gettext_lazy("保存派单规则"),
    "hotline.rule_deleted": gettext_lazy("删除派单规则"),
    "hotline.rates_exported": gettext_lazy("导出三率统计"),
    # policies and the calendar
    "policy.document_created": gettext_lazy("新建政策文件"),
    "policy.version_added": gettext_lazy("发布政策新版本"),
    "policy.feedback_filed": gettext_lazy("提交政策执行反馈"),
    "policy.feedback_status": gettext_lazy("政策反馈状态变更"),
    "policy.feedback_escalated": gettext_lazy("政策反馈升级"),
    "policy.holiday_saved": gettext_lazy("保存节假日"),
    "policy.holiday_deleted": gettext_lazy("删除节假日"),
    "calendar.year_loaded": gettext_lazy("导入年度节假日"),
    # assessments
    "assessment.scheme_created": gettext_lazy("新建考核方案"),
    "assessment.scores_computed": gettext_lazy("计算考核得分"),
    "assessment.scores_requested": gettext_lazy("申请计算考核得分"),
    "assessment.evaluated": gettext_lazy("考核评价"),
    "assessment.graded": gettext_lazy("评定考核等次"),
    "assessment.regraded": gettext_lazy("申诉成立后重新计算并评定等次"),
    "assessment.appeal_filed": gettext_lazy("提出考核申诉"),
    "assessment.appeal_answered": gettext_lazy("答复考核申诉"),
    "assessment.commendations_proposed": gettext_lazy("推荐表彰"),
    "assessment.commendations_approved": gettext_lazy("批准表彰"),
    "assessment.certificate_printed": gettext_lazy("打印证书"),
    "assessment.report_requested": gettext_lazy("申请生成考核报告"),
    "assessment.report_exported": gettext_lazy("导出考核报告"),
    "assessment.report_downloaded": gettext_lazy("下载考核报告"),
    # background exports
    "download.requested": gettext_lazy("申请后台导出"),
    "download.fetched": gettext_lazy("下载导出文件"),
    "assessment.annual_exported": gettext_lazy("导出年度考核"),
    # background jobs (xiachen.ops.jobs)
    "job.requested": gettext_lazy("提交后台任务"),
    "job.failed": gettext_lazy("后台任务失败"),
    # operations and the demo
    "ops.backup_created": gettext_lazy("创建备份"),
    "ops.backup_restored": gettext_lazy("恢复备份"),
    "crypto.keys_rotated": gettext_lazy("轮换加密密钥"),
    "demo.city_generated": gettext_lazy("生成演示城市"),
    "demo.month_simulated": gettext_lazy("模拟演示月份"),
    # integration API, webhooks, Open311 (xiachen.interop)
    "api_token.issued": gettext_lazy("创建接口令牌"),
    "api_token.revoked": gettext_lazy("吊销接口令牌"),
    "api_token.used": gettext_lazy("使用接口令牌"),
    "webhook.created": gettext_lazy("创建事件推送地址"),
    "webhook.enabled": gettext_lazy("启用事件推送地址"),
    "webhook.disabled": gettext_lazy("停用事件推送地址"),
    "webhook.replayed": gettext_lazy("重新推送事件"),
    "webhook.tested": gettext_lazy("发送测试事件"),
    "ticket.forwarded": gettext_lazy("工单转送市级平台"),
    "ticket.forward_sent": gettext_lazy("市级平台接收转送工单"),
    "household.created": gettext_lazy("新建住户"),
    "resident.created": gettext_lazy("登记居民"),
    # 双报到 and volunteer service (volunteers)
    "volunteers.callout_created": gettext_lazy("起草应急动员"),
    "volunteers.callout_sent": gettext_lazy("发出应急动员"),
    "volunteers.callout_replied": gettext_lazy("回复应急动员"),
    "volunteers.callout_filled": gettext_lazy("应急动员满员"),
    "volunteers.callout_closed": gettext_lazy("结束应急动员"),
    "volunteers.callout_cancelled": gettext_lazy("取消应急动员"),
    "volunteers.callout_rostered": gettext_lazy("应急动员转为排班"),
    "volunteers.feedback_exported": gettext_lazy("导出季度服务反馈"),
    "volunteers.pairing_created": gettext_lazy("登记单位报到"),
    "volunteers.pairing_moved": gettext_lazy("调整单位报到状态"),
    "volunteers.project_added": gettext_lazy("添加共建项目"),
    "volunteers.project_moved": gettext_lazy("更新共建项目状态"),
    "volunteers.member_list_imported": gettext_lazy("导入单位党员名册"),
    "volunteers.member_registered": gettext_lazy("个人向社区报到"),
    "volunteers.member_reviewed": gettext_lazy("确认或退回个人报到"),
    "volunteers.member_withdrawn": gettext_lazy("退出志愿服务"),
    "volunteers.post_created": gettext_lazy("发布服务岗位"),
    "volunteers.post_closed": gettext_lazy("关闭服务岗位"),
    "volunteers.post_claimed": gettext_lazy("认领服务岗位"),
    "volunteers.post_released": gettext_lazy("退出服务岗位"),
    "volunteers.activity_published": gettext_lazy("发布志愿活动"),
    "volunteers.activity_cancelled": gettext_lazy("取消志愿活动"),
    "volunteers.activity_finished": gettext_lazy("结束志愿活动登记"),
    "volunteers.signed_up": gettext_lazy("报名志愿活动"),
    "volunteers.signup_withdrawn": gettext_lazy("取消活动报名"),
    "volunteers.waitlist_promoted": gettext_lazy("候补转为正式报名"),
    "volunteers.checked_in": gettext_lazy("志愿活动签到"),
    "volunteers.checked_out": gettext_lazy("志愿活动签退"),
    "volunteers.service_recorded": gettext_lazy("登记服务时长"),
    "volunteers.record_reviewed": gettext_lazy("审核服务时长"),
    "volunteers.points_redeemed": gettext_lazy("积分兑换"),
    "volunteers.points_adjusted": gettext_lazy("调整积分"),
    "volunteers.catalog_saved": gettext_lazy("保存积分兑换物品"),
}

# The object of an action (the part before the dot), for actions without their own entry.
OBJECT_LABELS = {
    "download": gettext_lazy("导出文件"), "job": gettext_lazy("后台任务"),
    "user": gettext_lazy("账号"), "role": gettext_lazy("角色"), "otp": gettext_lazy("身份验证器"),
    "audit": gettext_lazy("审计日志"), "unit": gettext_lazy("单位"), "cadre": gettext_lazy("干部"),
    "household": gettext_lazy("住户"), "resident": gettext_lazy("居民"), "demand": gettext_lazy("岗位需求"),
    "round": gettext_lazy("派驻轮次"), "match": gettext_lazy("匹配"), "roster": gettext_lazy("排班"),
    "pass": gettext_lazy("通行证"), "ticket": gettext_lazy("工单"), "hotline": gettext_lazy("热线"),
    "policy": gettext_lazy("政策"), "assessment": gettext_lazy("考核"), "errand": gettext_lazy("代办"),
    "survey": gettext_lazy("问卷"), "episode": gettext_lazy("健康观察"), "checkpoint": gettext_lazy("检查点"),
    "api_token": gettext_lazy("接口令牌"), "webhook": gettext_lazy("事件推送"),
}

FIELD_LABELS = {
    "reason": gettext_lazy("原因"), "rows": gettext_lazy("行数"), "created": gettext_lazy("新建"),
    "fields": gettext_lazy("字段"), "role": gettext_lazy("角色"), "unit": gettext_lazy("单位"),
    "user": gettext_lazy("用户"), "via": gettext_lazy("方式"), "sessions_ended": gettext_lazy("结束会话数"),
    "devices": gettext_lazy("设备数"), "attempts_cleared": gettext_lazy("清除失败记录数"),
    "from": gettext_lazy("原状态"), "to": gettext_lazy("新状态"), "field": gettext_lazy("字段"),
    "category": gettext_lazy("分类"), "scope": gettext_lazy("范围"), "month": gettext_lazy("月份"),
    "year": gettext_lazy("年度"), "changed": gettext_lazy("修改项"), "filters": gettext_lazy("筛选条件"),
    "checked": gettext_lazy("已校验"), "intact": gettext_lazy("完整"), "forced": gettext_lazy("强制"),
    "first_broken_id": gettext_lazy("首个异常事件"), "date_from": gettext_lazy("起始日期"),
    "date_to": gettext_lazy("截止日期"), "target_type": gettext_lazy("对象类型"), "actor": gettext_lazy("操作人"),
    "action": gettext_lazy("操作"), "kind": gettext_lazy("类型"), "full": gettext_lazy("含完整个人信息"),
    "second_factor": gettext_lazy("第二因素"), "source": gettext_lazy("来源"), "people": gettext_lazy("人数"),
    "changes": gettext_lazy("变更数"), "disabled": gettext_lazy("停用数"),
    "channels": gettext_lazy("接收渠道"), "quiet_hours": gettext_lazy("免打扰时段"), "error": gettext_lazy("错误"),
    "scopes": gettext_lazy("权限范围"), "units": gettext_lazy("单位"), "events": gettext_lazy("订阅事件"),
    "failures": gettext_lazy("连续失败次数"), "of": gettext_lazy("原推送"),
}

RESULT_LABELS = {"ok": gettext_lazy("成功"), "denied": gettext_lazy("拒绝"), "failed": gettext_lazy("失败")}


def _dynamic_labels() -> dict[str, str]:
    """Actions whose last part comes from a vocabulary: `ticket.<event kind>` of the hotline."""
    from xiachen.hotline.enums import EventKind

    return {f"ticket.{kind.value}": _("工单%(kind)s") % {"kind": kind.label} for kind in EventKind}


def action_label(action: str) -> str:
    """The Chinese name of `action`; unknown ones are named by their object, never by their code."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    dynamic = _dynamic_labels()
    if action in dynamic:
        return dynamic[action]
    prefix = action.split(".", 1)[0]
    if prefix in OBJECT_LABELS:
        return _("%(object)s · 其他操作") % {"object": OBJECT_LABELS[prefix]}
    return _("其他操作")


def action_choices() -> list[tuple[str, str]]:
    """(action, label) for the filter, sorted by label."""
    labels = {action: str(label) for action, label in ACTION_LABELS.items()} | _dynamic_labels()
    return sorted(labels.items(), key=lambda pair: pair[1])


def target_type_label(target_type: str) -> str:
    """'hotline.Ticket' → the model's verbose name (工单); blank stays blank."""
    if not target_type:
        return ""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return _("其他对象")


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, _("其他")))


CODE = re.compile(r"[a-z][a-z0-9_]*")


@functools.cache
def _choice_index() -> dict[str, dict[str, object]]:
    """{stored code: {app label: Chinese label}} over every field with choices in the project's models
    and every {code: label} table of an app's `enums` module (verdict reasons and the like)."""
    index: dict[str, dict[str, object]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("xiachen."):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                for code, label in getattr(field, "flatchoices", None) or ():
                    if isinstance(code, str):
                        index.setdefault(code, {}).setdefault(config.label, label)
        try:
            enums = importlib.import_module(f"{config.name}.enums")
        except ModuleNotFoundError:
            continue
        for table in vars(enums).values():
            if isinstance(table, dict):
                for code, label in table.items():
                    if isinstance(code, str) and isinstance(label, str | Promise):
                        index.setdefault(code, {}).setdefault(config.label, label)
    return index


def value_label(value: str, target_type: str = "") -> str:
    """A recorded code (a status, a verdict, a channel) in Chinese: the label its own app gives it when
    the event's target belongs to that app, else the label every app agrees on, else the first app's.
    Anything that is not a code (names, numbers, dates) comes back as it is."""
    if not CODE.fullmatch(value):
        return value
    labels = _choice_index().get(value)
    if not labels:
        return value
    own_app = target_type.split(".", 1)[0]
    if own_app in labels:
        return str(labels[own_app])
    return str(labels[sorted(labels)[0]])


def result_label(result: str) -> str:
    return str(RESULT_LABELS.get(result, result))
