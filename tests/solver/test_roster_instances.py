"""The instance generator of the rostering study (bench/roster_instances.py): deterministic, in the
benchmark's format, and shaped as it says (tightness, requests), so the study measures what it names."""

import importlib.util
import sys
from pathlib import Path

import pytest

from xiachen.solver.benchmark_format import parse_benchmark
from xiachen.solver.rostering.precheck import precheck

_spec = importlib.util.spec_from_file_location(
    "roster_instances", Path(__file__).parents[2] / "bench" / "roster_instances.py")
instances = importlib.util.module_from_spec(_spec)
sys.modules["roster_instances"] = instances  # dataclasses look their module up while the class is made
_spec.loader.exec_module(instances)


@pytest.mark.parametrize("shape", instances.FAMILY, ids=lambda shape: shape.name)
def test_each_shape_parses_with_the_size_and_tightness_it_names(shape):
    problem = parse_benchmark(instances.generate(shape, seed=1), name=shape.name)
    assert (len(problem.people), problem.horizon_days, len(problem.shifts)) == (
        shape.staff, 7 * shape.weeks, shape.shift_types)
    most = sum(person.rules.max_minutes_per_period for person in problem.people)
    longest = max(shift.length_minutes for shift in problem.shifts)
    shortest = min(shift.length_minutes for shift in problem.shifts)
    demand = sum(cover.preferred for cover in problem.cover)
    # the maximum counts each person's longest shift: demand lies between the two readings of "most"
    assert most / longest * shape.tightness * 0.85 <= demand <= most / shortest * shape.tightness * 1.15
    rows_per_person_day = len(problem.wishes) / (shape.staff * problem.horizon_days)
    assert shape.requests * 0.5 <= rows_per_person_day <= shape.requests * 3
    assert precheck(problem) == ()  # no person whose hard rules cannot all hold


def test_the_same_seed_gives_the_same_instance_and_another_seed_another():
    shape = instances.FAMILY[0]
    assert instances.generate(shape, seed=3) == instances.generate(shape, seed=3)
    assert instances.generate(shape, seed=3) != instances.generate(shape, seed=4)
