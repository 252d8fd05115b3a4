"""The arithmetic of scores, grades and ranks; pure functions over plain values, tested exactly.

A component without data (无数据) drops out and the remaining weights are scaled up to 100 %
(ADR 0801): a cadre is never rewarded or punished for a source the city has not switched on.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def composite(parts: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """(weight, points or None) → Σ w·p / Σ w over the parts with data, to 2 decimals; None without data."""
    present = [(weight, points) for weight, points in parts if points is not None and weight > 0]
    weight_sum = sum((weight for weight, _points in present), Decimal(0))
    if not weight_sum:
        return None
    total = sum((weight * points for weight, points in present), Decimal(0)) / weight_sum
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def competition_ranks(totals: list[Decimal]) -> list[int]:
    """1-based standard competition ranks (1, 2, 2, 4) for totals in any order."""
    ordered = sorted(totals, reverse=True)
    first = {}
    for index, total in enumerate(ordered, start=1):
        first.setdefault(total, index)
    return [first[total] for total in totals]


@dataclass(frozen=True)
class GradeRule:
    code: str
    label: str
    min_score: Decimal
    min_share: int  # percent
    max_share: int | None  # percent; None = no cap


class QuotaError(ValueError):
    """The quotas cannot be met; the message explains why in the active language."""


def grade_counts(rules: list[GradeRule], n: int) -> list[tuple[int, int | None]]:
    """(least, most) cadres per grade for `n` graded cadres: least rounds up, most rounds down."""
    return [
        (math.ceil(n * rule.min_share / 100), None if rule.max_share is None else math.floor(n * rule.max_share / 100))
        for rule in rules
    ]


def assign_grades(rules: list[GradeRule], totals: list[Decimal]) -> list[str]:
    """Best grade first in `rules`. Each cadre, best score first, gets the best grade whose threshold
    they reach and whose cap is not full; cadres tied at a full cap all get the lower grade (nobody
    is graded down for a tie with a colleague graded up). Raises QuotaError when it cannot be done."""
    n = len(totals)
    _check_rules(rules, n)
    bounds = grade_counts(rules, n)
    order = sorted(range(n), key=lambda i: totals[i], reverse=True)
    result: list[str] = [""] * n
    counts = [0] * len(rules)
    position = 0
    while position < n:
        tied = [i for i in order[position:] if totals[i] == totals[order[position]]]
        grade = _best_grade(rules, bounds, counts, totals[tied[0]], len(tied))
        if grade is None:
            raise QuotaError(_("有 %(count)d 人（%(total)s 分）按现有名额和分数线无法评定等次，请放宽名额上限")
                             % {"count": len(tied), "total": totals[tied[0]]})
        counts[grade] += len(tied)
        for i in tied:
            result[i] = rules[grade].code
        position += len(tied)
    for rule, (least, _most), count in zip(rules, bounds, counts, strict=True):
        if count < least:
            eligible = sum(1 for total in totals if total >= rule.min_score)
            raise QuotaError(
                _("“%(grade)s”至少需要 %(least)d 人（%(share)d%%），但只能评定 %(count)d 人（达到 %(score)s 分的有 "
                  "%(eligible)d 人）")
                % {"grade": rule.label, "least": least, "share": rule.min_share, "count": count,
                   "score": rule.min_score, "eligible": eligible}
            )
    return result


def _best_grade(rules, bounds, counts, total, size) -> int | None:
    for index, rule in enumerate(rules):
        most = bounds[index][1]
        if total >= rule.min_score and (most is None or counts[index] + size <= most):
            return index
    return None


def _check_rules(rules: list[GradeRule], n: int) -> None:
    for rule in rules:
        if rule.max_share is not None and not 0 <= rule.max_share <= 100:
            raise QuotaError(_("“%(grade)s”的最高比例必须在 0–100%% 之间") % {"grade": rule.label})
        if rule.max_share is not None and rule.min_share > rule.max_share:
            raise QuotaError(_("“%(grade)s”的最低比例（%(least)d%%）高于最高比例（%(most)d%%）")
                             % {"grade": rule.label, "least": rule.min_share, "most": rule.max_share})
    bounds = grade_counts(rules, n)
    if sum(least for least, _most in bounds) > n:
        raise QuotaError(_("各等次最低人数之和超过参评总人数 %(n)d") % {"n": n})
    if all(most is not None for _least, most in bounds) and sum(most for _least, most in bounds) < n:
        raise QuotaError(_("各等次最高名额之和不足参评总人数 %(n)d，有人无法评定等次") % {"n": n})
