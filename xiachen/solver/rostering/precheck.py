"""Contradictions found by counting, before any model is built, in words a planner can act on."""

from __future__ import annotations

from collections.abc import Sequence

from xiachen.solver.roster_problem import MINUTES_PER_DAY, Person, Problem, ShiftTemplate, WorkRules
from xiachen.solver.rostering.rules import allowed_shift_ids


def _max_working_days(horizon: int, unavailable: frozenset[int], rules: WorkRules, exempt: bool) -> int:
    """Most days a person can work given availability and the run rules alone (exact DP)."""
    # state: (is working, length of current run capped) -> max worked days so far
    cap_work = max(rules.max_consecutive_days, rules.min_consecutive_days)
    cap_off = rules.min_consecutive_days_off
    states: dict[tuple[bool, int, bool], int] = {}
    # third flag: the current run started at day 0 (edge run, exempt from minimum lengths)
    for working in (False, True):
        if working and (0 in unavailable or rules.max_consecutive_days < 1):
            continue
        states[(working, 1, True)] = int(working)
    for day in range(1, horizon):
        following: dict[tuple[bool, int, bool], int] = {}
        for (working, length, from_edge), worked in states.items():
            for work_today in (False, True):
                if work_today and day in unavailable:
                    continue
                if work_today == working:
                    new_length = length + 1
                    if working and new_length > rules.max_consecutive_days:
                        continue
                    key = (working, min(new_length, cap_work if working else cap_off), from_edge)
                else:
                    minimum = rules.min_consecutive_days if working else rules.min_consecutive_days_off
                    if length < minimum and not (from_edge and exempt):
                        continue
                    key = (work_today, 1, False)
                score = worked + int(work_today)
                if following.get(key, -1) < score:
                    following[key] = score
        states = following
    return max(states.values(), default=0)


def precheck(problem: Problem) -> tuple[str, ...]:
    """Human-readable reasons why the rules contradict each other or the data is inconsistent.

    An empty tuple means no contradiction was found (the problem may still be infeasible).
    """
    reasons: list[str] = []
    reasons += _check_references(problem)
    if reasons:
        return tuple(reasons)
    reasons += [
        f"Shift {shift.id} keeps people in protective gear for {shift.length_minutes} minutes, above the "
        f"maximum {problem.max_gear_minutes}."
        for shift in problem.shifts if problem.gear_too_long(shift)
    ]
    for person in problem.people:
        reasons += _check_person(problem, person)
    reasons += _check_cover_minimums(problem)
    return tuple(reasons)


def _check_references(problem: Problem) -> list[str]:
    reasons = []
    shift_ids = [s.id for s in problem.shifts]
    person_ids = [p.id for p in problem.people]
    if problem.horizon_days < 1:
        reasons.append("The planning horizon must be at least one day.")
    if len(set(shift_ids)) != len(shift_ids):
        reasons.append("Shift ids must be unique.")
    if len(set(person_ids)) != len(person_ids):
        reasons.append("Person ids must be unique.")
    for shift in problem.shifts:
        if not 0 <= shift.start_minute < MINUTES_PER_DAY or shift.length_minutes <= 0:
            reasons.append(f"Shift {shift.id} needs a start within the day and a positive length.")
    for row in problem.cover:
        if row.shift not in shift_ids or not 0 <= row.day < problem.horizon_days:
            reasons.append(f"Cover for day {row.day} names unknown shift or day ({row.shift}).")
        if row.minimum > row.preferred or row.minimum < 0:
            reasons.append(f"Cover on day {row.day} for {row.shift}: minimum above preferred or negative.")
    for wish in problem.wishes:
        if wish.person not in person_ids or not 0 <= wish.day < problem.horizon_days:
            reasons.append(f"A wish names unknown person {wish.person} or day {wish.day}.")
        elif wish.shift is not None and wish.shift not in shift_ids:
            reasons.append(f"A wish of {wish.person} names unknown shift {wish.shift}.")
    for first, then in problem.forbidden_successions:
        if first not in shift_ids or then not in shift_ids:
            reasons.append(f"Forbidden succession {first}→{then} names an unknown shift.")
    return reasons


def _check_person(problem: Problem, person: Person) -> list[str]:
    rules = person.rules
    reasons = []
    who = f"Person {person.id}"
    if rules.max_minutes_per_period is not None and rules.min_minutes_per_period > rules.max_minutes_per_period:
        reasons.append(
            f"{who}: minimum {rules.min_minutes_per_period} minutes is above the maximum "
            f"{rules.max_minutes_per_period}."
        )
    allowed = [problem.shift_by_id(s) for s in allowed_shift_ids(problem, person)]
    if rules.min_minutes_per_period <= 0:
        return reasons
    if not allowed:
        reasons.append(f"{who}: needs {rules.min_minutes_per_period} minutes but may work no shift.")
        return reasons
    reachable = _most_minutes_reachable(problem, person, allowed)
    if reachable < rules.min_minutes_per_period:
        reasons.append(
            f"{who}: needs at least {rules.min_minutes_per_period} minutes, but availability, "
            f"run rules, weekly and per-shift limits allow at most {reachable} in "
            f"{problem.horizon_days} days."
        )
    return reasons


def _most_minutes_reachable(problem: Problem, person: Person, allowed: Sequence[ShiftTemplate]) -> int:
    """An upper bound on the minutes a person can work, from simple counting arguments."""
    rules = person.rules
    blocked = person.blocked_days(problem.horizon_days)
    days = _max_working_days(problem.horizon_days, blocked, rules, problem.edge_runs_exempt)
    by_length = sorted(allowed, key=lambda s: -s.length_minutes)
    minutes, days_left = 0, days
    for shift in by_length:
        limit = rules.max_shifts_of(shift.id)
        take = days_left if limit is None else min(days_left, limit)
        minutes += take * shift.length_minutes
        days_left -= take
    if rules.max_minutes_per_week is not None:
        weeks = len({problem.week_of(d) for d in range(problem.horizon_days)})
        minutes = min(minutes, weeks * rules.max_minutes_per_week)
    return minutes


def _check_cover_minimums(problem: Problem) -> list[str]:
    reasons = []
    for row in problem.cover:
        if row.minimum <= 0:
            continue
        able = [
            p for p in problem.people
            if row.day not in p.blocked_days(problem.horizon_days) and row.shift in allowed_shift_ids(problem, p)
        ]
        if len(able) < row.minimum:
            reasons.append(
                f"Day {row.day}, shift {row.shift}: at least {row.minimum} people needed but only "
                f"{len(able)} are available and allowed to work it."
            )
    return reasons
