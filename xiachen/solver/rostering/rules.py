"""Rule arithmetic shared by the pre-check and the CP-SAT model (which shifts a person may work,
which successions break the rest rule, which cells clash with fixed work on neighbouring rosters)."""

from __future__ import annotations

import math

from xiachen.solver.roster_problem import MINUTES_PER_DAY, Person, Problem, ShiftTemplate


def forbidden_successions_with_gap(problem: Problem) -> tuple[tuple[str, str, int], ...]:
    """``(earlier shift, later shift, days between starts)`` triples that break a rule.

    Listed successions apply to the next day; the rest rule compares the real end of the earlier
    shift (which may be after midnight) with the real start of the later one.
    """
    pairs = {(first, then, 1) for first, then in problem.forbidden_successions}
    longest_end = max((shift.end_minute for shift in problem.shifts), default=0)
    max_gap = math.ceil((longest_end + problem.min_rest_minutes) / MINUTES_PER_DAY)
    for earlier in problem.shifts:
        for later in problem.shifts:
            for gap in range(1, max_gap + 1):
                rest = gap * MINUTES_PER_DAY + later.start_minute - earlier.end_minute
                if rest < problem.min_rest_minutes:
                    pairs.add((earlier.id, later.id, gap))
    return tuple(sorted(pairs))


def allowed_shift_ids(problem: Problem, person: Person) -> list[str]:
    return [s.id for s in problem.shifts if person.rules.max_shifts_of(s.id) != 0 and not problem.gear_too_long(s)]


def clashes_with_fixed(problem: Problem, person: Person, day: int, shift: ShiftTemplate) -> bool:
    """Working ``shift`` on ``day`` would rest too little next to (or overlap) the person's fixed
    work, or make a listed succession with it."""
    starts = day * MINUTES_PER_DAY + shift.start_minute
    ends = starts + shift.length_minutes
    banned = set(problem.forbidden_successions)
    for fixed in person.fixed:
        if fixed.day == day + 1 and (shift.id, fixed.shift) in banned:
            return True
        if day == fixed.day + 1 and (fixed.shift, shift.id) in banned:
            return True
        rest = fixed.starts_at - ends if starts <= fixed.starts_at else starts - fixed.ends_at
        if rest < problem.min_rest_minutes:
            return True
    return False
