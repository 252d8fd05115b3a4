"""Rules on a person's whole timeline: fixed work of neighbouring or overlapping rosters
(`FixedShift`) counts for rest, days in a row, one shift a day and calendar weeks, in the validator
and in the optimizer alike; breaks are compared by rule and cell; protective gear and days per week;
the user's wall-clock limit reaches every CP-SAT call."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from tests.solver.pinned import pinned
from xiachen.solver import rostering
from xiachen.solver.roster_problem import CoverRequirement, FixedShift, Person, Problem, ShiftTemplate, WorkRules
from xiachen.solver.rostering import FEASIBLE, OPTIMAL, SolveOptions, precheck, solve
from xiachen.solver.validate import new_breaches, validate

MORNING = ShiftTemplate("M", 8 * 60, 8 * 60)  # 08:00–16:00
NIGHT = ShiftTemplate("N", 23 * 60, 9 * 60)  # 23:00–08:00 next day
QUICK = SolveOptions(time_limit_seconds=5, workers=1, seed=1)


def _night_before(day: int = -1, source: str = "previous") -> FixedShift:
    return FixedShift(day, NIGHT.start_minute, NIGHT.length_minutes, "N", source)


def _problem(*people: Person, horizon: int = 7, **changes) -> Problem:
    base = {"horizon_days": horizon, "shifts": (MORNING, NIGHT), "people": people, "min_rest_minutes": 11 * 60,
            "night_fairness_weight": 0, "weekend_fairness_weight": 0}
    return Problem(**{**base, **changes})


def _row(text: str) -> tuple[str | None, ...]:
    return tuple(None if mark == "-" else mark for mark in text)


FREE = WorkRules(max_consecutive_days=7, min_consecutive_days_off=1)


def test_zero_rest_between_a_night_ending_the_previous_roster_and_a_morning_starting_this_one() -> None:
    problem = _problem(Person("A", FREE, fixed=(_night_before(),)))
    check = validate(problem, (_row("M------"),))
    rest = [b for b in check.breaches if b.rule == "rest"]
    assert [b.message for b in rest] == ["A: only 0 minutes rest between day -1 (N) and day 0 (M), minimum 660"]
    assert rest[0].sources == ("previous",)
    assert validate(problem, (_row("-M-----"),)).is_valid  # a day later: 24 h rest


def test_eight_days_in_a_row_across_two_rosters() -> None:
    rules = WorkRules(max_consecutive_days=6, min_consecutive_days_off=1)
    fixed = tuple(FixedShift(day, MORNING.start_minute, MORNING.length_minutes, "M", "previous") for day in (-4, -3,
                                                                                                             -2, -1))
    problem = _problem(Person("A", rules, fixed=fixed))
    check = validate(problem, (_row("MMMM---"),))
    assert check.violations == ("A: works 8 days in a row from day -4",)
    assert check.breaches[0].sources == ("previous",)
    assert validate(problem, (_row("MM-MM--"),)).is_valid


def test_two_shifts_on_one_day_through_an_overlapping_roster() -> None:
    problem = _problem(Person("A", FREE, fixed=(FixedShift(2, 8 * 60, 480, "M", "overlap"),)))
    check = validate(problem, (_row("--M----"),))
    assert "A: works twice on day 2" in check.violations


def test_calendar_week_counts_minutes_of_the_neighbouring_roster() -> None:
    # day 0 is a Thursday; the previous roster gave Monday–Wednesday of the same week.
    rules = WorkRules(max_consecutive_days=7, min_consecutive_days_off=1, max_minutes_per_week=4 * 480)
    fixed = tuple(FixedShift(day, 8 * 60, 480, "M", "previous") for day in (-3, -2, -1))
    problem = _problem(Person("A", rules, fixed=fixed), first_weekday=3)
    assert validate(problem, (_row("M------"),)).is_valid
    assert validate(problem, (_row("MM-----"),)).violations == ("A: 2400 minutes in week 0, above 1920",)
    assert validate(problem, (_row("----MMM"),)).is_valid  # the next week starts on day 4


def test_a_single_day_off_after_the_previous_rosters_work_is_a_break() -> None:
    rules = WorkRules(max_consecutive_days=7, min_consecutive_days_off=2)
    alone = _problem(Person("A", rules))
    after_work = _problem(Person("A", rules, fixed=(FixedShift(-1, 8 * 60, 480, "M", "previous"),)))
    assert validate(alone, (_row("-MMM---"),)).is_valid  # the day before the roster is unknown
    assert validate(after_work, (_row("-MMM---"),)).violations == (
        "A: day-off run of 1 day(s) from day 0, minimum 2",
    )


def test_a_smaller_breach_is_not_new_a_larger_one_is() -> None:
    problem = _problem(Person("A", FREE), Person("B", FREE), Person("C", FREE), horizon=1,
                       cover=(CoverRequirement(0, "M", 3, 2),))
    empty = validate(problem, ((None,), (None,), (None,)))
    one = validate(problem, (("M",), (None,), (None,)))
    assert one.violations == ("day 0 M: 1 people, hard minimum 2",)
    assert new_breaches(empty, one) == []  # 0 → 1 person of 2: a step towards the rule
    assert [b.message for b in new_breaches(one, empty)] == ["day 0 M: 0 people, hard minimum 2"]


def test_a_run_made_shorter_at_its_start_is_not_new() -> None:
    rules = WorkRules(max_consecutive_days=3, min_consecutive_days_off=1)
    problem = _problem(Person("A", rules))
    five = validate(problem, (_row("MMMMM--"),))
    four = validate(problem, (_row("-MMMM--"),))
    assert new_breaches(five, four) == []
    assert [b.message for b in new_breaches(four, five)] == ["A: works 5 days in a row from day 0"]


def test_optimizer_keeps_the_rules_across_the_edges() -> None:
    rules = WorkRules(max_consecutive_days=6, min_consecutive_days_off=1)
    runs_in = tuple(FixedShift(day, 8 * 60, 480, "M", "previous") for day in range(-6, 0))
    people = (
        Person("night", rules, fixed=(_night_before(),)),
        Person("run", rules, fixed=runs_in),
        Person("overlap", rules, fixed=(FixedShift(1, 8 * 60, 480, "M", "overlap"),)),
    )
    cover = tuple(CoverRequirement(day, "M", 3) for day in range(3))
    problem = _problem(*people, horizon=3, cover=cover)
    result = solve(problem, QUICK)
    assert result.status == OPTIMAL
    assert validate(problem, result.roster).is_valid
    night, run, overlap = result.roster
    assert night[0] is None  # 0 h after the night
    assert run[0] is None  # would be the 7th day in a row
    assert overlap[1] is None  # already on the overlapping roster


@st.composite
def _with_fixed(draw) -> Problem:
    horizon = draw(st.integers(3, 6))
    rules = WorkRules(max_consecutive_days=draw(st.integers(2, 4)), min_consecutive_days_off=draw(st.integers(1, 2)),
                      max_minutes_per_week=draw(st.sampled_from([None, 1440, 1920])),
                      max_days_per_week=draw(st.sampled_from([None, 2, 3])))
    people = []
    for index in range(draw(st.integers(1, 3))):
        days = draw(st.sets(st.integers(-4, horizon + 3), max_size=5))
        fixed = tuple(FixedShift(d, draw(st.sampled_from([8 * 60, 23 * 60])), 480, draw(st.sampled_from("MN")), "x")
                      for d in sorted(days))
        people.append(Person(f"P{index}", rules, fixed=fixed))
    cover = tuple(CoverRequirement(d, s, draw(st.integers(0, 2))) for d in range(horizon) for s in ("M", "N"))
    return _problem(*people, horizon=horizon, cover=cover, first_weekday=draw(st.integers(0, 6)),
                    forbidden_successions=(("N", "M"),))


@pinned(25)
@given(_with_fixed())
def test_optimizer_and_validator_agree_with_fixed_work(problem: Problem) -> None:
    result = solve(problem, QUICK)
    assert result.status in (OPTIMAL, FEASIBLE)  # no hard cover minimum: an empty roster is allowed
    check = validate(problem, result.roster)
    assert check.violations == ()
    assert check.objective == result.objective


def test_days_per_week_limit() -> None:
    rules = WorkRules(max_consecutive_days=7, min_consecutive_days_off=1, max_days_per_week=5)
    problem = _problem(Person("A", rules), cover=tuple(CoverRequirement(d, "M", 1) for d in range(7)))
    assert validate(problem, (_row("MMMMMM-"),)).violations == ("A: works 6 days in week 0, above 5",)
    result = solve(problem, QUICK)
    assert sum(token is not None for token in result.roster[0]) == 5


def test_a_shift_too_long_in_protective_gear_is_a_contradiction_and_a_break() -> None:
    gear = ShiftTemplate("G", 8 * 60, 6 * 60, gear=True)
    problem = _problem(Person("A", FREE), shifts=(MORNING, gear), max_gear_minutes=240)
    assert precheck(problem) == (
        "Shift G keeps people in protective gear for 360 minutes, above the maximum 240.",
    )
    assert validate(problem, (_row("G------"),)).violations == (
        "A: 360 minutes in protective gear on day 0, above 240",
    )
    short = _problem(Person("A", FREE), shifts=(ShiftTemplate("G", 8 * 60, 240, gear=True),), max_gear_minutes=240)
    assert precheck(short) == () and validate(short, (_row("G------"),)).is_valid


def _record_solver_parameters(monkeypatch) -> list:
    seen = []
    original = cp_model.CpSolver.solve

    def recording(self, model, *args, **kwargs):
        seen.append((self.parameters.max_time_in_seconds, self.parameters.max_deterministic_time))
        return original(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", recording)
    return seen


def test_every_cp_sat_call_gets_at_most_the_users_wall_clock_limit(monkeypatch) -> None:
    seen = _record_solver_parameters(monkeypatch)
    people = tuple(Person(str(i), WorkRules(max_consecutive_days=5, min_consecutive_days_off=2)) for i in range(4))
    problem = _problem(*people, horizon=7, cover=tuple(CoverRequirement(d, s, 2) for d in range(7) for s in "MN"))
    options = SolveOptions(time_limit_seconds=20, wall_limit_seconds=20, workers=1, seed=0)
    assert options.wall_cap == 20
    solve(problem, options)
    assert seen
    assert all(wall <= 20 for wall, _deterministic in seen)  # before: up to 3 × 20 + 1 s
    assert all(deterministic <= 20 for _wall, deterministic in seen)


def test_no_wall_time_left_means_no_cp_sat_time(monkeypatch) -> None:
    seen = _record_solver_parameters(monkeypatch)
    problem = _problem(Person("A", FREE), cover=tuple(CoverRequirement(d, "M", 1) for d in range(7)))
    result = solve(problem, SolveOptions(time_limit_seconds=20, wall_limit_seconds=0, workers=1, seed=0))
    assert all(wall == 0 for wall, _deterministic in seen)
    assert result.status in (rostering.UNKNOWN, FEASIBLE, OPTIMAL)


@pytest.mark.parametrize(("workers", "cap"), [(1, 3 * 20), (2, float("inf"))])
def test_without_a_wall_limit_the_old_caps_hold(workers: int, cap: float) -> None:
    assert SolveOptions(time_limit_seconds=20, workers=workers).wall_cap == cap
