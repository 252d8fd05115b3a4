"""From the ORM to the pure optimizer and back: build a `roster_problem.Problem` for a roster, turn
stored assignments into the solver's roster rows, and explain the validator's findings in Chinese.

The solver speaks in day indices and string ids; here day 0 is `roster.start`, a person's id is the
cadre's primary key and a shift's id is its template code.

Rules hold on a cadre's whole timeline, not per roster (ADR 1605): the cadres' shifts on every other
roster (any post, any status) around and inside this roster's period enter the problem as fixed work
(`FixedShift`, its source the other roster's public id), so the validator and the optimizer both
see a night shift that ends the previous roster or a shift on an overlapping one.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.solver.roster_problem import (
    CoverRequirement,
    FixedShift,
    Person,
    Problem,
    ShiftTemplate,
    Wish,
    WorkRules,
)
from xiachen.solver.validate import Breach, new_breaches, validate

from .models import Assignment, CoverOverride, Roster, RuleSet, Unavailability, defaults_for
from .models import ShiftTemplate as ShiftModel
from .models import Wish as WishModel

DEPLOYED = (MatchStatus.CONFIRMED, MatchStatus.ARRIVED)
# Missing a preferred person costs more than any single wish, so cover comes first.
UNDER_COVER_WEIGHT = 10
OVER_COVER_WEIGHT = 2
Cells = dict[tuple[int, date], str]  # (cadre pk, day) → shift code


def rules_for(round_) -> RuleSet:
    """The round's rule set, or the safe defaults for its kind (unsaved) when the round has none yet."""
    return RuleSet.objects.filter(round=round_).first() or RuleSet(round=round_, **defaults_for(round_))


def deployed_cadres(post, round_) -> list:
    """Cadres deployed to `post` in the published `round_`, in a stable order."""
    return list(deployed_cadre_queryset(post, round_))


def deployed_cadre_queryset(post, round_):
    """`deployed_cadres` as a queryset (the roster pickers search it)."""
    from xiachen.cadres.models import Cadre

    return Cadre.objects.filter(
        matches__demand=post, matches__round=round_, matches__status__in=DEPLOYED,
        matches__round__status=RoundStatus.PUBLISHED,
    ).distinct().order_by("name", "pk")


@dataclass
class RosterFrame:
    """Everything about a roster the solver and the checks need, read once."""

    roster: Roster
    rules: RuleSet
    shifts: list[ShiftModel]
    cadres: list
    problem: Problem
    neighbours: dict[str, Roster]  # the other rosters whose shifts are fixed work here, by public id
    other_shift_names: dict[str, str]  # names of those rosters' shifts, by code

    def day_index(self, day: date) -> int:
        return (day - self.roster.start).days

    def day_of(self, index: int) -> date:
        return self.roster.start + timedelta(days=index)

    def rows(self, cells: Cells) -> tuple[tuple[str | None, ...], ...]:
        days = self.roster.days()
        return tuple(tuple(cells.get((cadre.pk, day)) for day in days) for cadre in self.cadres)


def frame_of(roster: Roster) -> RosterFrame:
    rules = rules_for(roster.round)
    shifts = list(roster.post.shift_templates.order_by("start", "code"))
    cadres = deployed_cadres(roster.post, roster.round)
    fixed, neighbours, names = fixed_work(roster, rules, cadres)
    return RosterFrame(roster, rules, shifts, cadres, _problem(roster, rules, shifts, cadres, fixed), neighbours,
                       names)


def fixed_work(roster: Roster, rules: RuleSet, cadres: list) -> tuple[dict, dict[str, Roster], dict[str, str]]:
    """The cadres' shifts on every other roster from a week (or a longest run) before this roster to
    as long after it — enough for the rest rule, days in a row and the calendar weeks at both edges."""
    reach = timedelta(days=max(7, rules.max_consecutive_days + 1))
    others = Assignment.objects.filter(
        cadre__in=cadres, day__gte=roster.start - reach, day__lte=roster.end + reach,
    ).exclude(roster=roster).select_related("shift", "roster__post__unit", "roster__post__post_type")
    fixed: dict[int, list[FixedShift]] = {}
    neighbours: dict[str, Roster] = {}
    names: dict[str, str] = {}
    for a in others:
        source = str(a.roster.public_id)
        neighbours[source] = a.roster
        names[a.shift.code] = a.shift.name
        fixed.setdefault(a.cadre_id, []).append(FixedShift(
            (a.day - roster.start).days, a.shift.start_minute, a.shift.length_minutes, a.shift.code, source))
    return fixed, neighbours, names


def _problem(roster: Roster, rules: RuleSet, shifts: list[ShiftModel], cadres: list,
             fixed: dict[int, list[FixedShift]]) -> Problem:
    codes = {shift.code for shift in shifts}
    return Problem(
        horizon_days=(roster.end - roster.start).days + 1,
        shifts=tuple(ShiftTemplate(s.code, s.start_minute, s.length_minutes, gear=s.in_gear) for s in shifts),
        people=tuple(_people(roster, rules, cadres, fixed)),
        cover=tuple(_cover(roster, shifts)),
        wishes=tuple(_wishes(roster, cadres)),
        forbidden_successions=tuple(
            (first, then) for first, then in rules.forbidden_successions if first in codes and then in codes
        ),
        min_rest_minutes=rules.min_rest_minutes,
        first_weekday=roster.start.weekday(),
        edge_runs_exempt=True,
        night_fairness_weight=rules.night_fairness_weight,
        weekend_fairness_weight=rules.weekend_fairness_weight,
        name=str(roster.public_id),
        max_gear_minutes=rules.max_gear_minutes,
    )


def _people(roster: Roster, rules: RuleSet, cadres: list, fixed: dict[int, list[FixedShift]]) -> list[Person]:
    work_rules = WorkRules(
        max_consecutive_days=rules.max_consecutive_days,
        min_consecutive_days_off=rules.min_days_off_together,
        max_minutes_per_week=rules.max_minutes_per_week,
        max_minutes_per_period=rules.max_minutes_per_period,
        max_weekends=rules.max_weekends,
        max_days_per_week=rules.max_days_per_week,
    )
    away: dict[int, set[int]] = {}
    for cadre_id, day in Unavailability.objects.filter(
        cadre__in=cadres, day__gte=roster.start, day__lte=roster.end
    ).values_list("cadre_id", "day"):
        away.setdefault(cadre_id, set()).add((day - roster.start).days)
    return [Person(str(c.pk), work_rules, frozenset(away.get(c.pk, ())),
                   tuple(sorted(fixed.get(c.pk, ()), key=lambda f: (f.day, f.start_minute)))) for c in cadres]


def _cover(roster: Roster, shifts: list[ShiftModel]) -> list[CoverRequirement]:
    overrides = {(o.day, o.shift_id): o for o in CoverOverride.objects.filter(roster=roster)}
    needs = []
    for index, day in enumerate(roster.days()):
        for shift in shifts:
            source = overrides.get((day, shift.pk), shift)
            needs.append(CoverRequirement(index, shift.code, source.preferred, source.minimum,
                                          UNDER_COVER_WEIGHT, OVER_COVER_WEIGHT))
    return needs


def _wishes(roster: Roster, cadres: list) -> list[Wish]:
    on_roster = {c.pk for c in cadres}
    wishes = WishModel.objects.filter(roster=roster, day__gte=roster.start, day__lte=roster.end).select_related("shift")
    return [
        Wish(str(w.cadre_id), (w.day - roster.start).days, w.shift.code if w.shift else None, w.weight, w.wanted)
        for w in wishes if w.cadre_id in on_roster
    ]


def stored_cells(roster: Roster) -> Cells:
    return {(cadre_id, day): code for cadre_id, day, code in
            Assignment.objects.filter(roster=roster).values_list("cadre_id", "day", "shift__code")}


def validate_cells(frame: RosterFrame, cells: Cells):
    """The validator's findings for `cells` on the cadres' whole timeline."""
    return validate(frame.problem, frame.rows(cells))


def new_breaks(frame: RosterFrame, before: Cells, after: Cells) -> list[str]:
    """Rule breaks (in Chinese) that `after` adds to `before`, compared rule by rule and cell by
    cell: a break the edit leaves as it was, or makes smaller (one person short instead of two on
    an understaffed shift), is not new; one that reaches a new day or grows is."""
    fresh = new_breaches(validate(frame.problem, frame.rows(before)), validate(frame.problem, frame.rows(after)))
    return [explain_breach(frame, breach) for breach in fresh]


def explain_breach(frame: RosterFrame, breach: Breach) -> str:
    """A break in Chinese; when it involves another roster's shifts, that roster is named."""
    text = explain(frame, breach.message)
    named = [roster_label(frame.neighbours[s]) for s in breach.sources if s in frame.neighbours]
    if named:
        text += _("（涉及排班表：%(rosters)s）") % {"rosters": "、".join(named)}
    return text


def roster_label(roster: Roster) -> str:
    return _("%(unit)s·%(post)s %(start)s至%(end)s") % {
        "unit": roster.post.unit.name, "post": roster.post.post_type.label,
        "start": roster.start.strftime("%m-%d"), "end": roster.end.strftime("%m-%d")}


# --- the validator's English findings, said in Chinese with names and dates -------------------------

_PATTERNS = [
    (r"(?P<p>\w+): works on unavailable day (?P<d>-?\d+)", gettext_noop("{p} 在 {d} 不可排班（原单位工作或请假）")),
    (r"(?P<p>\w+): works (?P<n>\d+) days in a row from day (?P<d>-?\d+)",
     gettext_noop("{p} 从 {d} 起连续工作 {n} 天，超过上限")),
    (r"(?P<p>\w+): day-off run of (?P<n>\d+) day\(s\) from day (?P<d>\d+), minimum (?P<m>\d+)",
     gettext_noop("{p} 在 {d} 起只休息 {n} 天，规定连续休息至少 {m} 天")),
    (r"(?P<p>\w+): working run of (?P<n>\d+) day\(s\) from day (?P<d>\d+), minimum (?P<m>\d+)",
     gettext_noop("{p} 在 {d} 起只连续工作 {n} 天，至少 {m} 天")),
    (r"(?P<p>\w+): only (?P<r>-?\d+) minutes rest between day (?P<d>-?\d+) \((?P<s>[\w-]*)\) "
     r"and day (?P<e>-?\d+) \((?P<t>[\w-]*)\), minimum (?P<m>\d+)",
     gettext_noop("{p} 在 {d} 的{s}与 {e} 的{t}之间只休息 {rh}，规定至少 {mh}")),
    (r"(?P<p>\w+): (?P<t>[\w-]+) on day (?P<d>-?\d+) may not follow (?P<s>[\w-]+)",
     gettext_noop("{p} 在 {d} 上{t}：{s}之后不得接{t}")),
    (r"(?P<p>\w+): (?P<n>\d+) minutes in week (?P<w>-?\d+), above (?P<m>\d+)",
     gettext_noop("{p} 在 {w} 这一周工作 {nh}，超过每周 {mh}")),
    (r"(?P<p>\w+): (?P<n>\d+) minutes, above the maximum (?P<m>\d+)",
     gettext_noop("{p} 排班期内工作 {nh}，超过上限 {mh}")),
    (r"(?P<p>\w+): works (?P<n>\d+) weekends, at most (?P<m>\d+)", gettext_noop("{p} 工作 {n} 个周末，最多 {m} 个")),
    (r"(?P<p>\w+): works (?P<n>\d+) days in week (?P<w>-?\d+), above (?P<m>\d+)",
     gettext_noop("{p} 在 {w} 这一周工作 {n} 天，超过每周 {m} 天")),
    (r"(?P<p>\w+): works twice on day (?P<d>-?\d+)",
     gettext_noop("{p} 在 {d} 已有另一张排班表的班次，一天只能上一个班")),
    (r"(?P<p>\w+): (?P<n>\d+) minutes in protective gear on day (?P<d>-?\d+), above (?P<m>\d+)",
     gettext_noop("{p} 在 {d} 的班次要连续穿防护服 {nh}，超过每班上限 {mh}")),
    (r"day (?P<d>\d+) (?P<s>[\w-]+): (?P<n>\d+) people, hard minimum (?P<m>\d+)",
     gettext_noop("{d} {s}只有 {n} 人，至少需要 {m} 人")),
    # rostering.precheck: contradictions explained before solving
    (r"Shift (?P<s>[\w-]+) keeps people in protective gear for (?P<n>\d+) minutes, above the maximum (?P<m>\d+)\.",
     gettext_noop("{s}全程穿防护服，时长 {nh} 超过每班上限 {mh}：请缩短班次或调整规则")),
    (r"Person (?P<p>\w+): minimum (?P<n>\d+) minutes is above the maximum (?P<m>\d+)\.",
     gettext_noop("{p} 的最少工时 {nh} 高于最多工时 {mh}")),
    (r"Person (?P<p>\w+): needs (?P<n>\d+) minutes but may work no shift\.",
     gettext_noop("{p} 需要至少 {nh} 的工时，但没有任何可上的班次")),
    (r"Person (?P<p>\w+): needs at least (?P<n>\d+) minutes, but availability, run rules, weekly and "
     r"per-shift limits allow at most (?P<m>\d+) in (?P<k>\d+) days\.",
     gettext_noop("{p} 需要至少 {nh} 的工时，但在 {k} 天内按可排班日期、连续上班规则和每周上限最多只能排 {mh}")),
    (r"Day (?P<d>\d+), shift (?P<s>[\w-]+): at least (?P<m>\d+) people needed but only (?P<n>\d+) are "
     r"available and allowed to work it\.",
     gettext_noop("{d} {s}至少需要 {m} 人，但只有 {n} 人可排")),
]


def _hours(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return _("%(h)d 小时") % {"h": hours} if not rest else _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": rest}


def explain(frame: RosterFrame, message: str) -> str:
    """One validator message in Chinese: cadre names for ids, dates for day indices, shift names."""
    names = {str(c.pk): c.name for c in frame.cadres}
    shift_names = {**frame.other_shift_names, **{s.code: s.name for s in frame.shifts}}
    for pattern, text in _PATTERNS:
        found = re.fullmatch(pattern, message)
        if found is None:
            continue
        values = found.groupdict()
        words = {key: value for key, value in values.items()}
        words["p"] = names.get(values.get("p", ""), values.get("p", ""))
        for key in ("d", "e"):
            if key in values:
                words[key] = frame.day_of(int(values[key])).strftime("%m-%d")
        for key in ("s", "t"):
            if key in values:
                words[key] = shift_names.get(values[key], values[key])
        if "w" in values:
            first_monday = frame.roster.start - timedelta(days=frame.roster.start.weekday())
            monday = first_monday + timedelta(weeks=int(values["w"]))
            words["w"] = monday.strftime("%m-%d")
        for key in ("r", "n", "m"):
            if key in values:
                words[f"{key}h"] = _hours(int(values[key]))
        return _(text).format(**words)
    return message
