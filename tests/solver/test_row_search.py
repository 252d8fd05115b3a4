"""Tests of the row search used on decomposable problems (every hard rule concerns one person)."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from pathlib import Path

from hypothesis import given

from tests.solver.pinned import pinned
from tests.solver.roster_strategies import brute_force, small_problems
from xiachen.solver.benchmark_format import read_benchmark
from xiachen.solver.rostering import CoverRequirement, Problem, SolveOptions
from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.row_search import RowSearch, decomposable
from xiachen.solver.rostering.state import Clock, Incumbent, Shared
from xiachen.solver.rostering.strategies import first_phase_share
from xiachen.solver.validate import validate

INSTANCES = Path(__file__).resolve().parent / "instances"  # the public benchmark, copied (README there)
OPTIONS = SolveOptions(time_limit_seconds=30, workers=1, seed=5)
PROPERTY = pinned(25)


def _decomposed(problem: Problem) -> Problem:
    """The same problem without the rules that tie people together."""
    cover = tuple(replace(row, minimum=0) for row in problem.cover)
    return replace(problem, cover=cover, night_fairness_weight=0, weekend_fairness_weight=0)


def _valid_rows(problem: Problem, p: int) -> list[tuple[str | None, ...]]:
    person = problem.people[p]
    alone = replace(problem, people=(person,), cover=(), wishes=())
    options = [None, *[s.id for s in problem.shifts]]
    return [row for row in itertools.product(options, repeat=problem.horizon_days) if validate(alone, (row,)).is_valid]


def _row_cost(rows: RowSearch, p: int, others: dict, shift_ids: list[str], candidate: tuple[str | None, ...]) -> int:
    """Wish cost plus marginal cover cost of one row, counted independently of ``best_row``."""
    total = 0
    for d, shift_id in enumerate(candidate):
        if shift_id is not None:
            key = (d, shift_ids.index(shift_id))
            total += rows.wish_cost[p].get(key, 0) + rows.marginal(key, others.get(key, 0))
    return total


def _setup(problem: Problem) -> tuple[RosterModel, RowSearch, Clock, Shared]:
    built = RosterModel(problem)
    clock = Clock(OPTIONS)
    return built, RowSearch(built), clock, Shared(OPTIONS, clock)


def test_decomposable_only_without_hard_cover_or_fairness() -> None:
    problem = Problem(
        horizon_days=7,
        shifts=(),
        people=(),
        cover=(CoverRequirement(0, "D", 2, minimum=0),),
        night_fairness_weight=0,
        weekend_fairness_weight=0,
    )
    assert decomposable(problem)
    assert not decomposable(replace(problem, cover=(CoverRequirement(0, "D", 2, minimum=1),)))
    assert not decomposable(replace(problem, weekend_fairness_weight=1))


def test_benchmark_instances_are_decomposable() -> None:
    assert decomposable(read_benchmark(INSTANCES / "Instance14.txt"))


@PROPERTY
@given(small_problems(people=(1, 3), days=(3, 5), shift_kinds=(1, 2)))
def test_best_row_is_valid_and_optimal_against_every_row(problem: Problem) -> None:
    problem = _decomposed(problem)
    _, rows, clock, _ = _setup(problem)
    rng = random.Random(3)
    shift_ids = [s.id for s in problem.shifts]
    for p, person in enumerate(problem.people):
        valid = _valid_rows(problem, p)
        # Others' cover counts chosen at random: the row cost must use the exact marginal cost.
        others = {key: rng.randint(0, 2) for key in rows.cover}
        found = rows.best_row(p, others, None, OPTIONS, clock, 1, 10.0)
        if not valid:
            assert found is None
            continue
        assert found is not None
        cells, cost = found
        row = tuple(next((shift_ids[s] for d2, s in cells if d2 == d), None) for d in range(problem.horizon_days))
        assert row in valid
        assert cost == _row_cost(rows, p, others, shift_ids, row)
        assert cost == min(_row_cost(rows, p, others, shift_ids, candidate) for candidate in valid)
        # The constant part and the cell costs give the validator's wish cost.
        alone = replace(
            problem, people=(person,), cover=(), wishes=tuple(w for w in problem.wishes if w.person == person.id)
        )
        for candidate in valid[:20]:
            wish_part = sum(
                rows.wish_cost[p].get((d, shift_ids.index(s)), 0) for d, s in enumerate(candidate) if s is not None
            )
            assert rows.wish_constant[p] + wish_part == validate(alone, (candidate,)).objective


@pinned(20)
@given(small_problems(people=(2, 2), days=(4, 5), shift_kinds=(2, 2)))
def test_rows_of_everybody_resolved_together_reach_the_brute_force_optimum(problem: Problem) -> None:
    problem = _decomposed(problem)
    expected = brute_force(problem)
    built, rows, clock, shared = _setup(problem)
    start = rows.construct(OPTIONS, clock, random.Random(1), shared)
    if expected is None:
        assert start is None
        return
    assert start is not None
    check = validate(problem, built.roster_from(start.values))
    assert check.violations == ()
    assert check.objective == start.objective == rows.objective(start.values)
    descended = rows.descend(start, OPTIONS, clock, random.Random(2), shared)
    assert validate(problem, built.roster_from(descended.values)).objective == descended.objective
    better, proved = rows.solve_rows(list(range(len(problem.people))), descended, OPTIONS, clock, 4, 10.0)
    assert proved
    final = better or descended
    assert final.objective == expected
    check = validate(problem, built.roster_from(final.values))
    assert check.violations == ()
    assert check.objective == expected


def test_row_moves_on_a_benchmark_instance_agree_with_the_validator() -> None:
    problem = read_benchmark(INSTANCES / "Instance6.txt")
    built, rows, clock, shared = _setup(problem)
    rng = random.Random(1)
    incumbent: Incumbent | None = rows.construct(OPTIONS, clock, rng, shared)
    assert incumbent is not None
    for _ in range(5):
        chosen = rows.pick_rows(rng, incumbent, 3)
        assert len(set(chosen)) == 3
        better, _ = rows.solve_rows(chosen, incumbent, OPTIONS, clock, rng.randrange(1000), 2.0)
        if better is not None:
            assert better.objective < incumbent.objective
            incumbent = better
    check = validate(problem, built.roster_from(incumbent.values))
    assert check.violations == ()
    assert check.objective == incumbent.objective


def test_whole_model_phase_is_shorter_only_where_the_row_search_applies():
    benchmark = read_benchmark(INSTANCES / "Instance1.txt")
    tied = replace(benchmark, cover=tuple(replace(row, minimum=1) for row in benchmark.cover))
    assert decomposable(benchmark) and not decomposable(tied)
    assert first_phase_share(SolveOptions(), benchmark) == 0.1
    assert first_phase_share(SolveOptions(), tied) == 0.3
    assert first_phase_share(SolveOptions(first_phase_share=0.5), benchmark) == 0.5
