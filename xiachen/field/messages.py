"""Every text the phone app's script shows, translated on the server and put in the page as JSON."""

from django.utils.translation import gettext as _

from xiachen.errands.enums import ErrandStatus


def app_messages() -> dict:
    return {
        "online": _("在线"), "offline": _("离线"),
        "pending": _("%(n)s 条待同步"),
        "queued": _("（待同步）"),
        "no_errands": _("今天没有代办"), "no_visits": _("今天没有上门任务"), "no_shifts": _("近 7 天没有班次"),
        "no_households": _("暂无服务住户"),
        "temperature": _("体温"), "symptoms": _("症状（可空）"), "report": _("登记"),
        "reported": _("已登记"), "members": _("家庭成员"), "quarantine": _("隔离状态"),
        "need_temperature": _("请填写 34 到 43 之间的体温"),
        "clock_in": _("扫码签到 / 签退"), "locating": _("正在定位…"),
        "no_location": _("无法取得定位，请允许定位后重试"),
        "clock_queued": _("已记录签到和位置，联网后核验"),
        "dismiss": _("知道了"), "stale": _("数据更新于 %(time)s"),
        "no_data": _("还没有离线数据：请联网打开一次"),
        "conflict": _("冲突"), "rejected": _("未能保存"),
        "statuses": {status.value: str(status.label) for status in ErrandStatus},
        "moves": {"accepted": _("接单"), "in_progress": _("开始办理"), "delivered": _("已送达")},
        "next": {"requested": "accepted", "accepted": "in_progress", "in_progress": "delivered"},
        "kind": {"errand.move": _("代办"), "visit.report": _("上门登记"), "attendance.scan": _("岗位签到")},
    }
