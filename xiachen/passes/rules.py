"""Structured pass-policy rules: validation, defaults, the diff between two versions, and how a
community's rules combine with the rules of the areas above it (city, district: "tighten only").

A rule set is a plain dict (stored as JSON on `PolicyVersion.rules`). Each field has a direction
in which it is *tighter*; a community may publish only rules at least as tight as those of the
area versions in force above it (`looser_fields` names the fields that are not), and the rules a
gate applies are always the per-field tightest of the whole chain (`combine`), so a later
tightening by the district binds every community at once.
"""

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import EXEMPT_GROUPS, HELD_ACTIONS
from .verifier import Policy

# Values as stored in JSON, hence ``Any``; ``clean_rules`` checks each one's type.
DEFAULT_RULES: dict[str, Any] = {
    "out_every_days": 2,
    "hours": ["06:00", "22:00"],
    "visitors_allowed": False,
    "fever_threshold": 37.3,
    "exempt_groups": ["medical_staff", "cadres_on_duty", "emergency"],
    "designated_only": False,
    "max_hours_out": 0,
    "held_action": "refuse",
}
# What each rule is called on the pages and in messages (the policy form's labels).
RULE_LABELS = {
    "out_every_days": gettext_lazy("每户外出间隔（天）"),
    "hours": gettext_lazy("允许外出时段"),
    "visitors_allowed": gettext_lazy("允许访客进入"),
    "fever_threshold": gettext_lazy("体温阈值（℃）"),
    "exempt_groups": gettext_lazy("豁免类别"),
    "designated_only": gettext_lazy("仅限本户指定外出人员"),
    "max_hours_out": gettext_lazy("单次外出最长时长（小时）"),
    "held_action": gettext_lazy("居家隔离 / 健康监测人员外出"),
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class RulesError(ValueError):
    pass


def clean_rules(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize rules; raises RulesError with a message for the user."""
    rules = DEFAULT_RULES | {key: raw[key] for key in DEFAULT_RULES if key in raw}
    try:
        out_every_days = int(rules["out_every_days"])
        threshold = round(float(rules["fever_threshold"]), 1)
        max_hours_out = int(rules["max_hours_out"] or 0)
    except (TypeError, ValueError) as error:
        raise RulesError(_("天数、时长和体温阈值必须是数字")) from error
    hours = list(rules["hours"])
    if len(hours) != 2 or not all(isinstance(h, str) and _HHMM.match(h) for h in hours) or hours[0] >= hours[1]:
        raise RulesError(_("允许时段格式应为 HH:MM，且开始早于结束"))
    if not 0 <= out_every_days <= 30 or not 35.0 <= threshold <= 42.0:
        raise RulesError(_("外出间隔应为 0–30 天，体温阈值应在 35.0–42.0 ℃ 之间"))
    if not 0 <= max_hours_out <= 24:
        raise RulesError(_("单次外出最长时长应为 0–24 小时（0 为不限）"))
    groups = sorted(set(rules["exempt_groups"]))
    if not set(groups) <= set(EXEMPT_GROUPS):
        raise RulesError(_("未知的豁免类别"))
    if rules["held_action"] not in HELD_ACTIONS:
        raise RulesError(_("请选择居家隔离 / 健康监测人员外出时的处理方式"))
    return {
        "out_every_days": out_every_days,
        "hours": hours,
        "visitors_allowed": bool(rules["visitors_allowed"]),
        "fever_threshold": threshold,
        "exempt_groups": groups,
        "designated_only": bool(rules["designated_only"]),
        "max_hours_out": max_hours_out,
        "held_action": rules["held_action"],
    }


def complete(rules: dict) -> dict:
    """Rules stored before a field existed take its default (a held person is refused, as the
    health order means; no designated member, no time limit)."""
    return DEFAULT_RULES | rules


def diff_rules(old: dict, new: dict) -> list[tuple[str, object, object]]:
    """(rule, old value, new value) for every rule that changed."""
    return [(key, old.get(key), new.get(key)) for key in DEFAULT_RULES if old.get(key) != new.get(key)]


# --- tighten only ----------------------------------------------------------------------------


def _limit(value: int) -> float:
    """A "0 means no limit" number as a comparable bound."""
    return value or float("inf")


def _tightest(field: str, a, b):
    """The tighter of two values of one rule."""
    if field == "out_every_days":
        return max(a, b)  # a longer interval is tighter; 0 (no limit) is the loosest
    if field == "max_hours_out":
        return min(a, b, key=_limit)
    if field == "hours":
        opens, closes = max(a[0], b[0]), min(a[1], b[1])
        return [opens, closes] if opens < closes else list(b)  # disjoint windows: the area's stands
    if field == "fever_threshold":
        return min(a, b)
    if field == "exempt_groups":
        return sorted(set(a) & set(b))
    if field == "visitors_allowed":
        return a and b
    if field == "designated_only":
        return a or b
    if field == "held_action":
        return "refuse" if "refuse" in (a, b) else "warn"
    raise KeyError(field)


def combine(chain: list[dict]) -> dict:
    """The rules in force under a chain of rule sets (city, district, …, community): per field the
    tightest. An empty chain has no rules."""
    rules = complete(chain[0])
    for more in chain[1:]:
        more = complete(more)
        rules = {field: _tightest(field, more[field], rules[field]) for field in DEFAULT_RULES}
    return rules


def looser_fields(rules: dict, bound: dict) -> list[str]:
    """The fields in which `rules` are looser than `bound` (the area's rules in force)."""
    rules, bound = complete(rules), complete(bound)
    return [field for field in DEFAULT_RULES if _tightest(field, rules[field], bound[field]) != rules[field]]


def require_tighter(rules: dict, bound: dict) -> None:
    """Raises RulesError naming every field (in Chinese) that would loosen the area's rules."""
    loose = looser_fields(rules, bound)
    if loose:
        names = "、".join(str(RULE_LABELS[field]) for field in loose)
        raise RulesError(
            _("社区只能在上级通行政策的基础上收紧，以下规则比上级宽松：%(fields)s") % {"fields": names}
        )


def policy_from(rules: dict, version: int) -> Policy:
    rules = complete(rules)
    return Policy(
        version=version,
        out_every_days=rules["out_every_days"],
        hours=tuple(rules["hours"]),
        fever_threshold=float(rules["fever_threshold"]),
        exempt_groups=frozenset(rules["exempt_groups"]),
        designated_only=bool(rules["designated_only"]),
        max_hours_out=int(rules["max_hours_out"]),
        held_action=rules["held_action"],
    )


def policy_of(version) -> Policy:
    return policy_from(version.rules, version.number)
