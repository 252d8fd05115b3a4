"""Tests of the independent roster validator and of the benchmark/roster file formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.solver.pinned import pinned
from xiachen.solver.benchmark_format import format_roster, parse_benchmark, parse_roster, read_benchmark
from xiachen.solver.roster_problem import CoverRequirement, Person, Problem, ShiftTemplate, Wish, WorkRules
from xiachen.solver.validate import validate

REPO = Path(__file__).resolve().parents[2]
INSTANCES = Path(__file__).resolve().parent / "instances"  # the public benchmark, copied (README there)
RESULTS = REPO / "bench" / "results"
DAY = ShiftTemplate("D", 8 * 60, 480)
NIGHT = ShiftTemplate("N", 22 * 60, 600)


def _problem(rules: WorkRules, horizon: int = 7, **changes: object) -> Problem:
    base = {
        "horizon_days": horizon,
        "shifts": (DAY, NIGHT),
        "people": (Person("A", rules),),
        "min_rest_minutes": 11 * 60,
        "night_fairness_weight": 0,
        "weekend_fairness_weight": 0,
    }
    return Problem(**{**base, **changes})  # type: ignore[arg-type]


def _row(text: str) -> tuple[str | None, ...]:
    return tuple(None if mark == "-" else mark for mark in text)


def test_short_runs_are_free_only_at_the_horizon_edges() -> None:
    rules = WorkRules(min_consecutive_days=2, min_consecutive_days_off=2)
    problem = _problem(rules)
    assert validate(problem, (_row("D--DD--"),)).violations == ()
    assert validate(problem, (_row("DD--DD-"),)).violations == ()
    assert any("working run of 1" in v for v in validate(problem, (_row("--D--DD"),)).violations)
    assert any("day-off run of 1" in v for v in validate(problem, (_row("DD-DD--"),)).violations)
    strict = _problem(rules, edge_runs_exempt=False)
    assert any("working run of 1" in v for v in validate(strict, (_row("D--DD--"),)).violations)


def test_max_consecutive_days_and_weekends() -> None:
    problem = _problem(WorkRules(max_consecutive_days=3, min_consecutive_days_off=1, max_weekends=0))
    breaks = validate(problem, (_row("DDDD---"),)).violations
    assert any("4 days in a row" in v for v in breaks)
    assert any("weekends" in v for v in validate(problem, (_row("-----D-"),)).violations)


def test_rest_after_a_night_shift_crossing_midnight() -> None:
    problem = _problem(WorkRules(min_consecutive_days_off=1))
    # N ends 08:00 the next day; D starts at 08:00 that day: zero rest.
    assert any("only 0 minutes rest" in v for v in validate(problem, (_row("ND-----"),)).violations)
    assert validate(problem, (_row("N-D----"),)).violations == ()
    assert validate(problem, (_row("DN-----"),)).violations == ()


def test_listed_successions_and_week_limits() -> None:
    rules = WorkRules(min_consecutive_days_off=1, max_minutes_per_week=960)
    problem = _problem(rules, horizon=7, first_weekday=5, forbidden_successions=(("D", "N"),), min_rest_minutes=0)
    assert any("may not follow" in v for v in validate(problem, (_row("--DN---"),)).violations)
    # Saturday+Sunday are one week, Monday onwards the next: 2 + 2 shifts are fine, 3 in a week not.
    assert validate(problem, (_row("DD-D-D-"),)).violations == ()
    assert any("week 1" in v for v in validate(problem, (_row("--D-DD-"),)).violations)


def test_objective_counts_cover_and_wishes() -> None:
    cover = (CoverRequirement(0, "D", 2, under_weight=100, over_weight=1), CoverRequirement(1, "D", 0))
    wishes = (Wish("A", 0, "N", 3, True), Wish("A", 1, "D", 2, False), Wish("A", 2, None, 4, False))
    problem = _problem(WorkRules(min_consecutive_days_off=1), horizon=3, cover=cover, wishes=wishes)
    check = validate(problem, (_row("DDD"),))
    assert check.cover_cost == 100 + 1
    assert check.wish_cost == 3 + 2 + 4
    assert check.objective == 110


def test_fairness_spread_of_nights() -> None:
    people = (Person("A", WorkRules(min_consecutive_days_off=1)), Person("B", WorkRules(min_consecutive_days_off=1)))
    problem = _problem(WorkRules(), horizon=3, people=people, night_fairness_weight=5, min_rest_minutes=0)
    assert validate(problem, (_row("N-N"), _row("---"))).fairness_cost == 10


@pinned(30)
@given(st.lists(st.sampled_from(["D", "N", None]), min_size=7, max_size=7))
def test_roster_file_round_trip(row: list[str | None]) -> None:
    problem = _problem(WorkRules())
    roster = (tuple(row),)
    assert parse_roster(problem, format_roster(problem, roster)) == roster


def test_benchmark_reader_maps_every_section() -> None:
    text = """SECTION_HORIZON
14
SECTION_SHIFTS
E,480,
L,540,E|D
SECTION_STAFF
A,E=14|L=0,4320,3360,5,2,2,1
SECTION_DAYS_OFF
A,0,3
SECTION_SHIFT_ON_REQUESTS
A,2,E,2
SECTION_SHIFT_OFF_REQUESTS
A,5,E,3
SECTION_COVER
0,E,5,100,1
"""
    problem = parse_benchmark(text, "tiny")
    person = problem.people[0]
    assert problem.horizon_days == 14
    assert problem.forbidden_successions == (("L", "E"), ("L", "D"))
    assert person.unavailable_days == frozenset({0, 3})
    assert person.rules.max_shifts_of("L") == 0
    assert person.rules.min_minutes_per_period == 3360
    assert problem.wishes == (Wish("A", 2, "E", 2, True), Wish("A", 5, "E", 3, False))
    assert problem.cover == (CoverRequirement(0, "E", 5, 0, 100, 1),)


def _committed_rosters() -> list[tuple[str, int]]:
    results_file = RESULTS / "rostering.json"
    if not results_file.exists():
        return []
    summary = json.loads(results_file.read_text(encoding="utf-8"))
    return [
        (item["instance"], item["objective_best"])
        for item in summary["instances"]
        if (RESULTS / "rosters" / f"{item['instance']}.roster").exists()
    ]


@pytest.mark.parametrize(("instance", "objective"), _committed_rosters())
def test_committed_rosters_are_valid_and_match_the_reported_objective(instance: str, objective: int) -> None:
    problem = read_benchmark(INSTANCES / f"{instance}.txt")
    roster = parse_roster(problem, (RESULTS / "rosters" / f"{instance}.roster").read_text(encoding="utf-8"))
    check = validate(problem, roster)
    assert check.violations == ()
    assert check.objective == objective
