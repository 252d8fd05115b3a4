"""Hypothesis strategies and a brute-force oracle for small roster problems (no optimizer code)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import strategies as st

from xiachen.solver.roster_problem import CoverRequirement, Person, Problem, Roster, ShiftTemplate, Wish, WorkRules
from xiachen.solver.validate import validate

START_TIMES = (0, 360, 420, 840, 1320)  # 00:00, 06:00, 07:00, 14:00, 22:00 (crosses midnight)
LENGTHS = (240, 480, 600)


@st.composite
def small_problems(
    draw: st.DrawFn,
    people: tuple[int, int] = (1, 3),
    days: tuple[int, int] = (3, 6),
    shift_kinds: tuple[int, int] = (1, 2),
) -> Problem:
    """Random small problems exercising every rule; most but not all are feasible.

    ``people``, ``days`` and ``shift_kinds`` are inclusive (lowest, highest) ranges.
    """
    horizon = draw(st.integers(*days))
    shift_count = draw(st.integers(*shift_kinds))
    shifts = tuple(
        ShiftTemplate(f"S{i}", draw(st.sampled_from(START_TIMES)), draw(st.sampled_from(LENGTHS)))
        for i in range(shift_count)
    )
    staff = tuple(_person(draw, f"P{i}", horizon, shifts) for i in range(draw(st.integers(*people))))
    cover = tuple(_cover(draw, day, shift.id) for day in range(horizon) for shift in shifts if draw(st.booleans()))
    wishes = tuple(_wish(draw, staff, horizon, shifts) for _ in range(draw(st.integers(0, 4))))
    successions = ((shifts[-1].id, shifts[0].id),) if shift_count > 1 and draw(st.booleans()) else ()
    return Problem(
        horizon_days=horizon,
        shifts=shifts,
        people=staff,
        cover=cover,
        wishes=wishes,
        forbidden_successions=successions,
        min_rest_minutes=draw(st.sampled_from((0, 11 * 60))),
        first_weekday=draw(st.integers(0, 6)),
        edge_runs_exempt=draw(st.booleans()),
        night_fairness_weight=draw(st.integers(0, 2)),
        weekend_fairness_weight=draw(st.integers(0, 2)),
    )


def _person(draw: st.DrawFn, person_id: str, horizon: int, shifts: tuple[ShiftTemplate, ...]) -> Person:
    limits = tuple((s.id, draw(st.integers(0, horizon))) for s in shifts if draw(st.booleans()))
    rules = WorkRules(
        max_consecutive_days=draw(st.integers(2, 5)),
        min_consecutive_days=draw(st.integers(1, 2)),
        min_consecutive_days_off=draw(st.integers(1, 2)),
        max_minutes_per_week=draw(st.sampled_from((None, 1440, 2400))),
        max_minutes_per_period=draw(st.sampled_from((None, 1920, 2880))),
        min_minutes_per_period=draw(st.sampled_from((0, 0, 480, 960))),
        max_shifts_per_type=limits,
        max_weekends=draw(st.sampled_from((None, 0, 1))),
    )
    unavailable = frozenset(draw(st.sets(st.integers(0, horizon - 1), max_size=2)))
    return Person(person_id, rules, unavailable)


def _cover(draw: st.DrawFn, day: int, shift_id: str) -> CoverRequirement:
    preferred = draw(st.integers(0, 2))
    minimum = draw(st.integers(0, min(preferred, 1)))
    return CoverRequirement(day, shift_id, preferred, minimum, draw(st.integers(1, 9)), draw(st.integers(0, 3)))


def _wish(draw: st.DrawFn, people: tuple[Person, ...], horizon: int, shifts: tuple[ShiftTemplate, ...]) -> Wish:
    shift = draw(st.sampled_from([None, *[s.id for s in shifts]]))
    return Wish(
        draw(st.sampled_from(people)).id,
        draw(st.integers(0, horizon - 1)),
        shift,
        draw(st.integers(1, 5)),
        draw(st.booleans()),
    )


def brute_force(problem: Problem) -> int | None:
    """Lowest validator objective over every possible roster; ``None`` if none is valid.

    Rows are first filtered person by person (a one-person problem without cover carries exactly
    that person's hard rules), then every combination of valid rows is validated in full.
    """
    options = [None, *[s.id for s in problem.shifts]]
    rows_per_person = []
    for person in problem.people:
        alone = replace(
            problem,
            people=(person,),
            cover=(),
            wishes=tuple(w for w in problem.wishes if w.person == person.id),
        )
        rows = [
            row for row in itertools.product(options, repeat=problem.horizon_days) if validate(alone, (row,)).is_valid
        ]
        if not rows:
            return None
        rows_per_person.append(rows)
    best = None
    for combination in itertools.product(*rows_per_person):
        roster: Roster = tuple(combination)
        check = validate(problem, roster)
        if check.is_valid and (best is None or check.objective < best):
            best = check.objective
    return best
