"""Large-neighbourhood search: repeated CP-SAT sub-solves of part of the roster with the rest fixed,
over neighbourhood kinds whose sizes adapt to how often their sub-solves are proven."""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.options import SolveOptions
from xiachen.solver.rostering.row_search import RowSearch, decomposable
from xiachen.solver.rostering.state import Clock, Incumbent, Shared, set_parameters

# Factor by which a neighbourhood kind grows after a proof and shrinks after a time-out.
GROWTH = 1.3
# A sub-solve that cannot prove its neighbourhood optimal within this many seconds is cut short.
LNS_STEP_SECONDS = 1.0
# Whole rows of many people together ("rows" steps) rarely prove within a second, yet their cut-short
# steps bring the largest single gains (one more covered place); they get a longer budget and may
# grow to more people (Instance14: median of four runs 1360 → 1344, docs/benchmarks-rostering.md).
ROWS_STEP_SECONDS = 2.0
ROWS_MOST_PEOPLE = 12.0
_log = logging.getLogger(__name__)


@dataclass
class NeighbourhoodSize:
    """Adaptive share of the roster freed per LNS step (grows on quick proofs, shrinks on time-outs)."""

    share: float = 0.2
    lowest: float = 0.05
    highest: float = 0.9

    def grow(self) -> None:
        self.share = min(self.highest, self.share * GROWTH)

    def shrink(self) -> None:
        self.share = max(self.lowest, self.share / GROWTH)


# Neighbourhood kinds and how often each is tried: a day window over everybody; a few people over
# the whole horizon; "targeted": the people able to fill one missing (day, shift) — those with
# minutes to spare or on an over-covered shift first — over a window around it; a block of
# people × days; "pair": two separate day windows over everybody, so that work can move between
# distant days (a person's period minimum ties their days together, which one window cannot undo).
# Weights and growth were chosen on Instance10/14 in deterministic mode (docs/benchmarks-rostering.md).
KIND_WEIGHTS = {"window": 0.3, "people": 0.15, "targeted": 0.3, "block": 0.1, "pair": 0.15}
# Decomposable problems (:func:`decomposable`) re-solve whole rows of a few people on small
# sub-models instead of "people" on the whole model, and more often.
ROW_KIND_WEIGHTS = {"window": 0.25, "rows": 0.4, "targeted": 0.15, "block": 0.05, "pair": 0.15}


def new_sizes() -> dict[str, NeighbourhoodSize]:
    """Each kind adapts its own size: proofs of window moves say nothing about whole rows."""
    return {
        "window": NeighbourhoodSize(0.2),
        "people": NeighbourhoodSize(0.1, 0.03, 0.6),
        "targeted": NeighbourhoodSize(0.3, 0.1, 1.0),
        "block": NeighbourhoodSize(0.2),
        "pair": NeighbourhoodSize(0.2),
        "rows": NeighbourhoodSize(3.0, 2.0, ROWS_MOST_PEOPLE),  # a number of people, not a share
    }


def large_neighbourhood_search(
    built: RosterModel, options: SolveOptions, clock: Clock, shared: Shared, workers: int, seed: int
) -> int:
    """Improve ``shared.best`` by re-solving parts of it until the budget ends; returns steps made."""
    rng = random.Random(seed)
    sizes = new_sizes()
    iterations = 0
    rows = RowSearch(built) if decomposable(built.problem) else None
    weights = ROW_KIND_WEIGHTS if rows is not None else KIND_WEIGHTS
    kinds = tuple(weights)
    while clock.remaining() > 0.05 and not shared.full_search_done and not shared.proven():
        incumbent = shared.best
        if incumbent is None:
            time.sleep(0.05)  # only in parallel mode: wait for the whole-model search's first roster
            continue
        iterations += 1
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        size = sizes[kind]
        if kind == "rows" and rows is not None:
            step_budget = min(clock.remaining(), ROWS_STEP_SECONDS)
            chosen = rows.pick_rows(rng, incumbent, round(size.share))
            freed = {(p, d) for p in chosen for d in range(built.problem.horizon_days)}
            improved, proved = rows.solve_rows(chosen, incumbent, options, clock, rng.randrange(1 << 30), step_budget)
        else:
            step_budget = min(clock.remaining(), _step_budget(built))
            freed = _pick_neighbourhood(built, rng, kind, size.share, incumbent)
            improved, proved = _solve_neighbourhood(built, options, clock, incumbent, freed, step_budget, rng, workers)
        gain = 0
        if improved is not None:
            gain = incumbent.objective - improved.objective
            shared.offer(improved)
        if proved:
            size.grow()
        else:
            size.shrink()
        _log.debug(
            "lns %.1fs %s free=%d share=%.2f proved=%s gain=%s best=%s bound=%s",
            clock.wall(),
            kind,
            len(freed),
            size.share,
            proved,
            gain,
            shared.best.objective if shared.best else None,
            shared.bound,
        )
    return iterations


def _step_budget(built: RosterModel) -> float:
    return max(0.5, min(LNS_STEP_SECONDS, len(built.x) / 2000))


def _pick_neighbourhood(
    built: RosterModel, rng: random.Random, kind: str, share: float, incumbent: Incumbent
) -> set[tuple[int, int]]:
    """The (person, day) cells left free; every other assignment is fixed to the incumbent.

    Day windows over everybody re-balance cover inside the window (half of them are centred on a
    day whose cover the incumbent misses); whole rows of a few people let those people change
    their pattern of runs completely; targeted moves free the people able to fill one missing
    (day, shift) around that day.
    """
    people = len(built.problem.people)
    horizon = built.problem.horizon_days
    if kind == "people":
        count = max(2, round(people * share))
        chosen = rng.sample(range(people), min(people, count))
        return {(p, d) for p in chosen for d in range(horizon)}
    if kind == "window":
        width = min(horizon, max(2, round(horizon * share)))
        first = _window_start(built, rng, width, incumbent)
        return {(p, d) for p in range(people) for d in range(first, first + width)}
    if kind == "targeted":
        missed = _cells_missing_cover(built, incumbent)
        if missed:
            day, s = rng.choice(missed)
            able = [p for p in range(people) if (p, day, s) in built.x and not incumbent.values[(p, day, s)]]
            # People with minutes to spare, or working a shift that is over-covered, can take the
            # missing shift without leaving a hole elsewhere; they come first, then the others.
            spare = _spare_minutes(built, incumbent)
            surplus = _people_on_surplus_cells(built, incumbent)
            length = built.problem.shifts[s].length_minutes
            rng.shuffle(able)
            able.sort(key=lambda p: spare[p] < length and p not in surplus)
            count = max(2, round(len(able) * min(1.0, share)))
            chosen = able[:count]
            width = min(horizon, max(7, round(horizon * share)))
            first = min(horizon - width, max(0, day - rng.randrange(width)))
            return {(p, d) for p in chosen for d in range(first, first + width)}
    if kind == "pair":
        # Two separate day windows over everybody: work can move between distant days (the
        # period's minimum minutes tie a person's days together), which one window cannot do.
        width = min(horizon, max(2, round(horizon * share / 2)))
        first = _window_start(built, rng, width, incumbent)
        second = rng.randrange(0, horizon - width + 1)
        return {(p, d) for p in range(people) for start in (first, second) for d in range(start, start + width)}
    count = max(2, round(people * min(1.0, 2 * share)))
    chosen = rng.sample(range(people), min(people, count))
    width = min(horizon, max(3, round(horizon * min(1.0, 2 * share))))
    first = _window_start(built, rng, width, incumbent)
    return {(p, d) for p in chosen for d in range(first, first + width)}


def _people_on_surplus_cells(built: RosterModel, incumbent: Incumbent) -> set[int]:
    """People working a (day, shift) that has more people than preferred."""
    people = range(len(built.problem.people))
    found: set[int] = set()
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        working = [p for p in people if incumbent.values.get((p, row.day, s))]
        if len(working) > row.preferred:
            found.update(working)
    return found


def _spare_minutes(built: RosterModel, incumbent: Incumbent) -> list[float]:
    """Minutes each person could still add before the period maximum (infinite when unlimited)."""
    spare = []
    for p, person in enumerate(built.problem.people):
        limit = person.rules.max_minutes_per_period
        if limit is None:
            spare.append(math.inf)
            continue
        worked = sum(
            shift.length_minutes
            for d in range(built.problem.horizon_days)
            for s, shift in enumerate(built.problem.shifts)
            if incumbent.values.get((p, d, s))
        )
        spare.append(limit - worked)
    return spare


def _cells_missing_cover(built: RosterModel, incumbent: Incumbent) -> list[tuple[int, int]]:
    cells = []
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        assigned = sum(incumbent.values.get((p, row.day, s), 0) for p in range(len(built.problem.people)))
        if assigned < row.preferred:
            cells.append((row.day, s))
    return cells


def _window_start(built: RosterModel, rng: random.Random, width: int, incumbent: Incumbent) -> int:
    horizon = built.problem.horizon_days
    latest = horizon - width
    missed = _days_missing_cover(built, incumbent)
    if missed and rng.random() < 0.5:
        centre = rng.choice(missed)
        return min(latest, max(0, centre - rng.randrange(width)))
    return rng.randrange(0, latest + 1)


def _days_missing_cover(built: RosterModel, incumbent: Incumbent) -> list[int]:
    days = []
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        assigned = sum(incumbent.values.get((p, row.day, s), 0) for p in range(len(built.problem.people)))
        if assigned < row.preferred:
            days.append(row.day)
    return days


def _solve_neighbourhood(
    built: RosterModel,
    options: SolveOptions,
    clock: Clock,
    incumbent: Incumbent,
    freed: set[tuple[int, int]],
    budget: float,
    rng: random.Random,
    workers: int,
) -> tuple[Incumbent | None, bool]:
    """Re-optimize the freed cells with the rest fixed; returns (better incumbent or None, proved)."""
    sub = built.model.clone()
    for (p, d, s), var in built.x.items():
        value = incumbent.values[(p, d, s)]
        if (p, d) not in freed:
            domain = sub.proto.variables[var.index].domain
            domain[0] = value
            domain[1] = value
        else:
            sub.add_hint(sub.get_bool_var_from_proto_index(var.index), value)
    solver = cp_model.CpSolver()
    set_parameters(solver, options, budget, rng.randrange(1 << 30), workers, clock)
    status = solver.solve(sub)
    clock.charge(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    objective = round(solver.objective_value)
    proved = status == cp_model.OPTIMAL
    if objective >= incumbent.objective:
        return None, proved
    values = {
        key: int(solver.boolean_value(sub.get_bool_var_from_proto_index(var.index))) for key, var in built.x.items()
    }
    return Incumbent(values, objective), proved
