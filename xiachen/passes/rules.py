"""Structured pass-policy rules: validation, defaults, and the diff between two versions."""

import re

from django.utils.translation import gettext as _

from .enums import EXEMPT_GROUPS
from .verifier import Policy

DEFAULT_RULES = {
    "out_every_days": 2,
    "hours": ["06:00", "22:00"],
    "visitors_allowed": False,
    "fever_threshold": 37.3,
    "exempt_groups": ["medical_staff", "cadres_on_duty", "emergency"],
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class RulesError(ValueError):
    pass


def clean_rules(raw: dict) -> dict:
    """Validate and normalize rules; raises RulesError with a message for the user."""
    rules = DEFAULT_RULES | {key: raw[key] for key in DEFAULT_RULES if key in raw}
    try:
        out_every_days = int(rules["out_every_days"])
        threshold = round(float(rules["fever_threshold"]), 1)
    except (TypeError, ValueError) as error:
        raise RulesError(_("天数和体温阈值必须是数字")) from error
    hours = list(rules["hours"])
    if len(hours) != 2 or not all(isinstance(h, str) and _HHMM.match(h) for h in hours) or hours[0] >= hours[1]:
        raise RulesError(_("允许时段格式应为 HH:MM，且开始早于结束"))
    if not 0 <= out_every_days <= 30 or not 35.0 <= threshold <= 42.0:
        raise RulesError(_("外出间隔应为 0–30 天，体温阈值应在 35.0–42.0 ℃ 之间"))
    groups = sorted(set(rules["exempt_groups"]))
    if not set(groups) <= set(EXEMPT_GROUPS):
        raise RulesError(_("未知的豁免类别"))
    return {
        "out_every_days": out_every_days,
        "hours": hours,
        "visitors_allowed": bool(rules["visitors_allowed"]),
        "fever_threshold": threshold,
        "exempt_groups": groups,
    }


def diff_rules(old: dict, new: dict) -> list[tuple[str, object, object]]:
    """(rule, old value, new value) for every rule that changed."""
    return [(key, old.get(key), new.get(key)) for key in DEFAULT_RULES if old.get(key) != new.get(key)]


def policy_of(version) -> Policy:
    rules = version.rules
    return Policy(
        version=version.number,
        out_every_days=rules["out_every_days"],
        hours=tuple(rules["hours"]),
        fever_threshold=float(rules["fever_threshold"]),
        exempt_groups=frozenset(rules["exempt_groups"]),
    )
