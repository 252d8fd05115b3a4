"""Independent roster validator: recomputes every hard-rule break and the objective.

It reads only the problem data and a roster (one shift id or ``None`` per person and day) and
shares no model code with the optimizer, so agreement between the two is real evidence that the
CP-SAT model encodes the documented rules. Rules are re-derived here from their plain-language
definitions by walking the roster day by day.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiachen.solver.roster_problem import MINUTES_PER_DAY, Person, Problem, Roster


@dataclass(frozen=True)
class Validation:
    """Hard-rule breaks (empty when the roster is valid) and the soft cost split by source."""

    violations: tuple[str, ...]
    cover_cost: int
    wish_cost: int
    fairness_cost: int

    @property
    def objective(self) -> int:
        return self.cover_cost + self.wish_cost + self.fairness_cost

    @property
    def is_valid(self) -> bool:
        return not self.violations


def validate(problem: Problem, roster: Roster) -> Validation:
    """Check ``roster`` against ``problem``; never raises for a bad roster, it reports it."""
    shape = _shape_violations(problem, roster)
    if shape:
        return Validation(tuple(shape), 0, 0, 0)
    violations: list[str] = []
    for person, row in zip(problem.people, roster, strict=True):
        violations += _person_violations(problem, person, row)
    cover_cost, cover_breaks = _cover(problem, roster)
    violations += cover_breaks
    return Validation(tuple(violations), cover_cost, _wish_cost(problem, roster), _fairness_cost(problem, roster))


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


def _person_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[str]:
    rules = person.rules
    who = person.id
    found: list[str] = []
    length = {shift.id: shift.length_minutes for shift in problem.shifts}
    worked_days = [day for day, token in enumerate(row) if token is not None]
    found += [f"{who}: works on unavailable day {day}" for day in worked_days if day in person.unavailable_days]
    for shift in problem.shifts:
        done = sum(1 for token in row if token == shift.id)
        limit = rules.max_shifts_of(shift.id)
        if limit is not None and done > limit:
            found.append(f"{who}: {done} × {shift.id}, at most {limit} allowed")
    total = sum(length[token] for token in row if token is not None)
    if rules.max_minutes_per_period is not None and total > rules.max_minutes_per_period:
        found.append(f"{who}: {total} minutes, above the maximum {rules.max_minutes_per_period}")
    if total < rules.min_minutes_per_period:
        found.append(f"{who}: {total} minutes, below the minimum {rules.min_minutes_per_period}")
    found += _weekly_minutes(problem, person, row, length)
    found += _run_violations(problem, person, row)
    found += _weekend_violations(problem, person, row)
    found += _rest_violations(problem, person, row)
    return found


def _weekly_minutes(problem: Problem, person: Person, row: tuple[str | None, ...], length: dict[str, int]) -> list[str]:
    limit = person.rules.max_minutes_per_week
    if limit is None:
        return []
    per_week: dict[int, int] = {}
    for day, token in enumerate(row):
        if token is not None:
            # calendar week: Monday-based, counted from the Monday on or before day 0
            week = (day + problem.first_weekday) // 7
            per_week[week] = per_week.get(week, 0) + length[token]
    return [f"{person.id}: {m} minutes in week {w}, above {limit}" for w, m in sorted(per_week.items()) if m > limit]


def _run_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[str]:
    rules = person.rules
    found = []
    last_day = problem.horizon_days - 1
    for first, last, working in _runs(row):
        size = last - first + 1
        if working and size > rules.max_consecutive_days:
            found.append(f"{person.id}: works {size} days in a row from day {first}")
        minimum = rules.min_consecutive_days if working else rules.min_consecutive_days_off
        at_edge = first == 0 or last == last_day
        if size < minimum and not (at_edge and problem.edge_runs_exempt):
            kind = "working" if working else "day-off"
            found.append(f"{person.id}: {kind} run of {size} day(s) from day {first}, minimum {minimum}")
    return found


def _weekend_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[str]:
    limit = person.rules.max_weekends
    if limit is None:
        return []
    worked = _weekends_worked(problem, row)
    return [f"{person.id}: works {worked} weekends, at most {limit}"] if worked > limit else []


def _weekends_worked(problem: Problem, row: tuple[str | None, ...]) -> int:
    weeks_worked = set()
    for day, token in enumerate(row):
        weekday = (problem.first_weekday + day) % 7
        if token is not None and weekday >= 5:
            weeks_worked.add((problem.first_weekday + day) // 7)
    return len(weeks_worked)


def _rest_violations(problem: Problem, person: Person, row: tuple[str | None, ...]) -> list[str]:
    shift = {s.id: s for s in problem.shifts}
    banned = set(problem.forbidden_successions)
    found = []
    worked = [(day, token) for day, token in enumerate(row) if token is not None]
    for i, (day, token) in enumerate(worked):
        ends_at = day * MINUTES_PER_DAY + shift[token].start_minute + shift[token].length_minutes
        for later_day, later_token in worked[i + 1 :]:
            if later_day == day + 1 and (token, later_token) in banned:
                found.append(f"{person.id}: {later_token} on day {later_day} may not follow {token}")
            rest = later_day * MINUTES_PER_DAY + shift[later_token].start_minute - ends_at
            if rest < problem.min_rest_minutes:
                found.append(
                    f"{person.id}: only {rest} minutes rest between day {day} ({token}) "
                    f"and day {later_day} ({later_token}), minimum {problem.min_rest_minutes}"
                )
    return found


def _cover(problem: Problem, roster: Roster) -> tuple[int, list[str]]:
    cost = 0
    breaks = []
    for need in problem.cover:
        present = sum(1 for row in roster if row[need.day] == need.shift)
        if present < need.minimum:
            breaks.append(f"day {need.day} {need.shift}: {present} people, hard minimum {need.minimum}")
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
