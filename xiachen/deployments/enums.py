from django.db import models
from django.utils.translation import gettext_lazy as _


class Hazard(models.TextChoices):
    LOW = "low", _("低（常规防护）")
    MEDIUM = "medium", _("中（口罩、手套、面屏）")
    HIGH = "high", _("高（防护服）")


class RoundKind(models.TextChoices):
    EMERGENCY = "emergency", _("应急")
    NORMALIZED = "normalized", _("常态化")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    MATCHING = "matching", _("匹配中")
    REVIEW = "review", _("待审核")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟派")
    CONFIRMED = "confirmed", _("派出单位已确认")
    DECLINED = "declined", _("派出单位已婉拒")
    ARRIVED = "arrived", _("已报到")
    NO_SHOW = "no_show", _("未报到")
    REPLACED = "replaced", _("已替换")


# A cadre holds at most one of these per round, and at most one published across rounds.
ACTIVE_MATCH_STATUSES = (MatchStatus.PROPOSED, MatchStatus.CONFIRMED, MatchStatus.ARRIVED)


class DemandStatus(models.TextChoices):
    OPEN = "open", _("待匹配")
    IN_ROUND = "in_round", _("已纳入轮次")
    DEPLOYED = "deployed", _("已派驻")
    CLOSED = "closed", _("已关闭")


# Reasons for unfilled places and excluded pairs: the solver's labels and the eligibility codes.
REASON_LABELS = {
    "no eligible candidate": _("没有符合条件的干部"),
    "specialty missing": _("没有具备必备专长的干部"),
    "specialty_missing": _("没有具备必备专长的干部"),
    "too_far": _("符合条件的干部通勤距离都太远"),
    "unavailable": _("符合条件的干部在此期间都不可下沉"),
    "health": _("符合条件的干部健康状况不适合该风险等级"),
    "already_deployed": _("符合条件的干部都已在其他岗位派驻"),
    "declined": _("派出单位婉拒"),
    "declined_in_round": _("派出单位已在本轮婉拒该干部"),
    "no medically trained candidate": _("没有符合条件的医护背景干部，医护岗位空缺"),
    "medical candidates needed elsewhere": _("医护背景干部已用于其他需要医护的岗位或名额不足，医护岗位空缺"),
    "fixed matches fill a medical post": _("已确认的干部占满该岗位，其中没有医护背景干部"),
    "too few eligible candidates": _("符合条件的干部人数不足"),
    "candidates placed elsewhere": _("候选干部在其他岗位更合适"),
    "no candidate with positive fit": _("候选干部与该岗位匹配度过低"),
    "agency quota reached": _("候选干部所在单位名额已用完"),
    "per-agency cap reached": _("同一单位在该岗位的人数已达上限"),
    "trade-off with other constraints": _("受名额、人数上限和医护要求共同限制"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))
