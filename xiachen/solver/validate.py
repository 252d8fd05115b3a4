"""Independent roster validator: recomputes every hard-rule break and the objective.

It reads only the problem data and a roster (one shift id or ``None`` per person and day) and
shares no model code with the optimizer, so agreement between the two is real evidence that the
CP-SAT model encodes the documented rules. Rules are re-derived here from their plain-language
definitions by walking the roster day by day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xiachen.solver.roster_problem import MINUTES_PER_DAY, Person, Problem, Roster


@dataclass(frozen=True)
class Breach:
    """One hard-rule break, with what it is about so that two rosters can be compared rule by rule.

    ``rule`` names the rule, ``person`` and ``shift`` what it concerns (None when not applicable),
    ``days`` the days it spans (a run's days, a week's days in the horizon, both ends of a short
    rest; negative or beyond the horizon when fixed work of a neighbouring roster is part of it),
    ``excess`` how far past the limit it is (always ≥ 1), ``sources`` the neighbouring rosters
    (``FixedShift.source``) whose work it involves, and ``message`` the plain-English finding.
    """

    rule: str
    person: str | None
    days: frozenset[int]
    excess: int
    message: str
    shift: str | None = None
    sources: tuple[str, ...] = ()

    def includes(self, other: Breach) -> bool:
        """``other`` is this break or a lesser part of it: same rule and subject, no new day, no worse."""
        return (
            self.rule == other.rule
            and self.person == other.person
            and self.shift == other.shift
            and other.days <= self.days
            and other.excess <= self.excess
        )


@dataclass(frozen=True)
class Validation:
    """Hard-rule breaks (empty when the roster is valid) and the soft cost split by source."""

    breaches: tuple[Breach, ...]
    cover_cost: int
    wish_cost: int
    fairness_cost: int

    @property
    def violations(self) -> tuple[str, ...]:
        return tuple(breach.message for breach in self.breaches)

    @property
    def objective(self) -> int:
        return self.cover_cost + self.wish_cost + self.fairness_cost

    @property
    def is_valid(self) -> bool:
        return not self.breaches


def new_breaches(before: Validation, after: Validation) -> list[Breach]:
    """Breaks of ``after`` that ``before`` did not have: a new rule broken, a new day drawn into a
    break, or a break made worse. A break an edit shrinks (one person short instead of two) is not new."""
    return [b for b in after.breaches if not any(old.includes(b) for old in before.breaches)]


def validate(problem: Problem, roster: Roster) -> Validation:
    """Check ``roster`` against ``problem``; never raises for a bad roster, it reports it."""
    shape = _shape_violations(problem, roster)
    if shape:
        return Validation(tuple(Breach("shape", None, frozenset(), 1, text) for text in shape), 0, 0, 0)
    breaches: list[Breach] = []
    for person, row in zip(problem.people, roster, strict=True):
        breaches += _person_violations(problem, person, row)
    cover_cost, cover_breaks = _cover(problem, roster)
    breaches += cover_breaks
    return Validation(tuple(breaches), cover_cost, _wish_cost(problem, roster), _fairness_cost(problem, roster))


def _shape_violations(problem: Problem, roster: Roster) -> list[str]:
    known = {shift.id for shift in problem.shifts}
    if len(roster) != len(problem.people):
        return [f"roster has {len(roster)} rows for {len(problem.people)} people"]
    problems = []
    for person, row in zip(problem.people, roster, strict=True):
        if len(row) != problem.horizon_days:
            problems.append(f"{person.id}: {len(row)} days instead of {problem.horizon_days}")
        problems += [f"{person.id}: unknown shift {token}" for token in row if token is not None and token not in known]
    return problems


def _runs(row: tuple[str | None, ...]) -> list[tuple[int, int, bool]]:
    """Maximal runs as (first day, last day, working)."""
    runs: list[tuple[int, int, bool]] = []
    for day, token in enumerate(row):
        working = token is not None
        if runs and runs[-1][2] == working:
            runs[-1] = (runs[-1][0], day, working)
        else:
            runs.append((day, day, working))
    return runs


def _sources(person: Person, days: Iterable[int]) -> tuple[str, ...]:
    wanted = set(days)
    return tuple(sorted({f.source for f in person.fixed if f.day in wanted and f.source}))


def _person_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    rules = person.rules
    who = person.id
    everything = frozenset(range(problem.horizon_days))
    found: list[Breach] = []
    length = {shift.id: shift.length_minutes for shift in problem.shifts}
    worked_days = [day for day, token in enumerate(row) if token is not None]
    found += [
        Breach("unavailable", who, frozenset({day}), 1, f"{who}: works on unavailable day {day}")
        for day in worked_days if day in person.unavailable_days
    ]
    fixed_on = {f.day: f for f in person.fixed}
    found += [
        Breach("twice", who, frozenset({day}), 1, f"{who}: works twice on day {day}", row[day], (fixed_on[day].source,))
        for day in worked_days if day in fixed_on
    ]
    found += _gear_violations(problem, person, row)
    for shift in problem.shifts:
        done = sum(1 for token in row if token == shift.id)
        limit = rules.max_shifts_of(shift.id)
        if limit is not None and done > limit:
            found.append(Breach("type_cap", who, everything, done - limit,
                                f"{who}: {done} × {shift.id}, at most {limit} allowed", shift.id))
    total = sum(length[token] for token in row if token is not None)
    if rules.max_minutes_per_period is not None and total > rules.max_minutes_per_period:
        found.append(Breach("period_max", who, everything, total - rules.max_minutes_per_period,
                            f"{who}: {total} minutes, above the maximum {rules.max_minutes_per_period}"))
    if total < rules.min_minutes_per_period:
        found.append(Breach("period_min", who, everything, rules.min_minutes_per_period - total,
                            f"{who}: {total} minutes, below the minimum {rules.min_minutes_per_period}"))
    found += _weekly_limits(problem, person, row, length)
    found += _run_violations(problem, person, row)
    found += _weekend_violations(problem, person, row)
    found += _rest_violations(problem, person, row)
    return found


def _gear_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    found = []
    limit = problem.max_gear_minutes or 0
    for day, token in enumerate(row):
        shift = problem.shift_by_id(token) if token is not None else None
        if shift is not None and problem.gear_too_long(shift):
            found.append(Breach("gear", person.id, frozenset({day}), shift.length_minutes - limit,
                                f"{person.id}: {shift.length_minutes} minutes in protective gear on day {day}, "
                                f"above {limit}", token))
    return found


def _week(problem: Problem, day: int) -> int:
    """Calendar week (Monday-based) counted from the Monday on or before day 0; negative before it."""
    return (day + problem.first_weekday) // 7


def _weekly_limits(
    problem: Problem, person: Person, row: tuple[str | None, ...], length: dict[str, int]
) -> list[Breach]:
    """Minutes and days per calendar week, fixed work of the same week included; a week counts only
    when this roster gives the person work in it (a neighbour's own excess is that roster's break)."""
    minute_limit = person.rules.max_minutes_per_week
    day_limit = person.rules.max_days_per_week
    if minute_limit is None and day_limit is None:
        return []
    minutes: dict[int, int] = {}
    days: dict[int, set[int]] = {}
    mine: set[int] = set()
    for day, token in enumerate(row):
        if token is not None:
            week = _week(problem, day)
            mine.add(week)
            minutes[week] = minutes.get(week, 0) + length[token]
            days.setdefault(week, set()).add(day)
    fixed_days: dict[int, list[int]] = {}
    for f in person.fixed:
        week = _week(problem, f.day)
        if week in mine:
            minutes[week] += f.length_minutes
            days[week].add(f.day)
            fixed_days.setdefault(week, []).append(f.day)
    found = []
    for week in sorted(mine):
        span = frozenset(d for d in range(problem.horizon_days) if _week(problem, d) == week)
        sources = _sources(person, fixed_days.get(week, ()))
        if minute_limit is not None and minutes[week] > minute_limit:
            found.append(Breach("week_minutes", person.id, span, minutes[week] - minute_limit,
                                f"{person.id}: {minutes[week]} minutes in week {week}, above {minute_limit}",
                                sources=sources))
        if day_limit is not None and len(days[week]) > day_limit:
            found.append(Breach("week_days", person.id, span, len(days[week]) - day_limit,
                                f"{person.id}: works {len(days[week])} days in week {week}, above {day_limit}",
                                sources=sources))
    return found


def _run_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    rules = person.rules
    found = _long_runs(problem, person, row)
    last_day = problem.horizon_days - 1
    fixed = person.fixed_days
    before_known, after_known = -1 in fixed, problem.horizon_days in fixed
    for first, last, working in _runs(row):
        size = last - first + 1
        minimum = rules.min_consecutive_days if working else rules.min_consecutive_days_off
        if size >= minimum:
            continue
        if working and ((first == 0 and before_known) or (last == last_day and after_known)):
            continue  # the run goes on in a neighbouring roster
        # An edge is unknown (exempt) unless fixed work lies just beyond it.
        open_edge = (first == 0 and not before_known) or (last == last_day and not after_known)
        if open_edge and problem.edge_runs_exempt:
            continue
        kind = "working" if working else "day-off"
        rule = "min_work_run" if working else "min_off_run"
        span = frozenset(range(first, last + 1))
        found.append(Breach(rule, person.id, span, minimum - size,
                            f"{person.id}: {kind} run of {size} day(s) from day {first}, minimum {minimum}",
                            sources=_sources(person, (first - 1, last + 1))))
    return found


def _long_runs(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    """Runs of worked days longer than allowed, counting fixed work on either side of (or inside) the
    horizon; only runs holding at least one shift of this roster are this roster's breaks."""
    mine = {day for day, token in enumerate(row) if token is not None}
    worked = sorted(mine | person.fixed_days)
    found = []
    maximum = person.rules.max_consecutive_days
    start = 0
    for i in range(1, len(worked) + 1):
        if i < len(worked) and worked[i] == worked[i - 1] + 1:
            continue
        run = worked[start:i]
        start = i
        if len(run) > maximum and mine.intersection(run):
            found.append(Breach("max_run", person.id, frozenset(run), len(run) - maximum,
                                f"{person.id}: works {len(run)} days in a row from day {run[0]}",
                                sources=_sources(person, run)))
    return found


def _weekend_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    limit = person.rules.max_weekends
    if limit is None:
        return []
    worked = _weekends_worked(problem, row)
    if worked <= limit:
        return []
    return [Breach("weekends", person.id, frozenset(range(problem.horizon_days)), worked - limit,
                   f"{person.id}: works {worked} weekends, at most {limit}")]


def _weekends_worked(problem: Problem, row: tuple[str | None, ...]) -> int:
    weeks_worked = set()
    for day, token in enumerate(row):
        weekday = (problem.first_weekday + day) % 7
        if token is not None and weekday >= 5:
            weeks_worked.add((problem.first_weekday + day) // 7)
    return len(weeks_worked)


def _rest_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[Breach]:
    """Rest between every two shifts, from real clock times, fixed work of neighbouring rosters
    included (a pair of two fixed shifts is the neighbour's business)."""
    shift = {s.id: s for s in problem.shifts}
    banned = set(problem.forbidden_successions)
    # (starts at, ends at, day, shift id, source or "" for this roster)
    worked = [
        (day * MINUTES_PER_DAY + shift[token].start_minute, day * MINUTES_PER_DAY + shift[token].end_minute,
         day, token, "")
        for day, token in enumerate(row) if token is not None
    ]
    worked += [(f.starts_at, f.ends_at, f.day, f.shift, f.source or "?") for f in person.fixed]
    worked.sort(key=lambda item: (item[0], item[4]))
    found = []
    for i, (_starts, ends_at, day, token, source) in enumerate(worked):
        for later_starts, _ends, later_day, later_token, later_source in worked[i + 1 :]:
            if source and later_source:
                continue
            if later_starts - ends_at >= problem.min_rest_minutes and later_day > day + 1:
                break  # sorted by start: every later shift rests even longer
            sources = tuple(sorted({s for s in (source, later_source) if s}))
            if later_day == day + 1 and (token, later_token) in banned:
                found.append(Breach("succession", person.id, frozenset({day, later_day}), 1,
                                    f"{person.id}: {later_token} on day {later_day} may not follow {token}",
                                    later_token, sources))
            rest = later_starts - ends_at
            if rest < problem.min_rest_minutes:
                found.append(Breach(
                    "rest", person.id, frozenset({day, later_day}), problem.min_rest_minutes - rest,
                    f"{person.id}: only {rest} minutes rest between day {day} ({token}) "
                    f"and day {later_day} ({later_token}), minimum {problem.min_rest_minutes}",
                    sources=sources,
                ))
    return found


def _cover(problem: Problem, roster: Roster) -> tuple[int, list[Breach]]:
    cost = 0
    breaks = []
    for need in problem.cover:
        present = sum(1 for row in roster if row[need.day] == need.shift)
        if present < need.minimum:
            breaks.append(Breach("cover", None, frozenset({need.day}), need.minimum - present,
                                 f"day {need.day} {need.shift}: {present} people, hard minimum {need.minimum}",
                                 need.shift))
        cost += need.under_weight * max(0, need.preferred - present)
        cost += need.over_weight * max(0, present - need.preferred)
    return cost, breaks


def _wish_cost(problem: Problem, roster: Roster) -> int:
    row_of = {person.id: row for person, row in zip(problem.people, roster, strict=True)}
    cost = 0
    for wish in problem.wishes:
        token = row_of[wish.person][wish.day]
        granted = token is not None if wish.shift is None else token == wish.shift
        if granted != wish.wanted:
            cost += wish.weight
    return cost


def _fairness_cost(problem: Problem, roster: Roster) -> int:
    night_ids = {shift.id for shift in problem.shifts if shift.is_night}
    nights, weekends = [], []
    for person, row in zip(problem.people, roster, strict=True):
        available = [d for d in range(problem.horizon_days) if d not in person.unavailable_days]
        allowed = {s.id for s in problem.shifts if person.rules.max_shifts_of(s.id) != 0}
        if available and allowed & night_ids:
            nights.append(sum(1 for token in row if token in night_ids))
        weekend_days = [d for d in available if (problem.first_weekday + d) % 7 >= 5]
        if weekend_days and allowed and person.rules.max_weekends != 0:
            weekends.append(_weekends_worked(problem, row))
    cost = 0
    if len(nights) >= 2:
        cost += problem.night_fairness_weight * (max(nights) - min(nights))
    if len(weekends) >= 2:
        cost += problem.weekend_fairness_weight * (max(weekends) - min(weekends))
    return cost
