"""Search strategies: how the budget is split between a first roster, the whole model (proofs and the
lower bound) and the neighbourhood search, one after the other (reproducible) or in threads."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ortools.sat.python import cp_model

from xiachen.solver.roster_problem import Problem
from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.neighbourhoods import large_neighbourhood_search
from xiachen.solver.rostering.options import SolveOptions
from xiachen.solver.rostering.row_search import RowSearch, decomposable
from xiachen.solver.rostering.state import Clock, FullModelListener, Incumbent, Shared, set_parameters

FIRST_SOLUTION_SHARE = 0.15
# In parallel mode the main thread keeps CP-SAT's local search improving for this share.
LS_SHARE = 0.3
FIRST_PHASE_SHARE = 0.3
DECOMPOSABLE_FIRST_PHASE_SHARE = 0.1


def run_full_model(
    built: RosterModel,
    model: cp_model.CpModel,
    options: SolveOptions,
    clock: Clock,
    shared: Shared,
    budget: float,
    workers: int,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    solver = cp_model.CpSolver()
    set_parameters(solver, options, budget, options.seed, workers, clock)
    solver.best_bound_callback = shared.raise_bound
    status = solver.solve(model, FullModelListener(built, shared))
    clock.charge(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shared.raise_bound(solver.best_objective_bound)
    return solver, status


def search_in_sequence(
    built: RosterModel, options: SolveOptions, clock: Clock, shared: Shared
) -> tuple[cp_model.CpSolverStatus, int]:
    """Reproducible search: whole model for a share of the budget, then LNS, one after the other."""
    share = first_phase_share(options, built.problem) if options.use_lns else 1.0
    budget = options.time_limit_seconds * share
    if options.use_lns and decomposable(built.problem):
        row_start(built, options, clock, shared, options.seed)
    else:
        first_solution(built, options, clock, shared)
    model = built.model
    if shared.best is not None:
        model = built.model.clone()
        for key, var in built.x.items():
            model.add_hint(model.get_bool_var_from_proto_index(var.index), shared.best.values[key])
    _, status = run_full_model(built, model, options, clock, shared, budget, options.workers)
    if shared.best is None and status == cp_model.UNKNOWN and options.use_lns:
        # Neither search found a roster yet (large, tight problems on short budgets): give the
        # local search half of what is left before the neighbourhood search.
        first_solution(built, options, clock, shared, budget=0.5 * clock.remaining())
    if status != cp_model.OPTIMAL and shared.best is not None and options.use_lns:
        return status, large_neighbourhood_search(built, options, clock, shared, options.workers, options.seed)
    return status, 0


@dataclass
class _WholeModelOutcome:
    """What the whole-model thread of :func:`search_in_parallel` hands back when it ends."""

    status: cp_model.CpSolverStatus = cp_model.UNKNOWN
    iterations: int = 0


def search_in_parallel(
    built: RosterModel, options: SolveOptions, clock: Clock, shared: Shared
) -> tuple[cp_model.CpSolverStatus, int]:
    """One thread runs the whole model (proofs, bound) for a share of the budget, then LNS; the
    main thread builds a first roster (row start or local search), then runs LNS; any further
    threads run LNS from the start. All share the incumbent."""
    outcome = _WholeModelOutcome()

    def whole_model_then_lns() -> None:
        budget = options.time_limit_seconds * first_phase_share(options, built.problem)
        _, status = run_full_model(built, built.model, options, clock, shared, budget, 1)
        best = shared.best
        if status == cp_model.FEASIBLE and best is not None and nearly_proven(shared, best) and clock.remaining() > 0:
            # The bound is within a hair of the roster (small problems on a loaded machine): the
            # proof is worth more than more neighbourhoods, so the whole model keeps going, hinted.
            model = built.model.clone()
            for key, var in built.x.items():
                model.add_hint(model.get_bool_var_from_proto_index(var.index), best.values[key])
            _, status = run_full_model(built, model, options, clock, shared, clock.remaining(), 1)
        outcome.status = status
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            shared.finish()
            return
        outcome.iterations = large_neighbourhood_search(built, options, clock, shared, 1, options.seed + 1)

    helpers = [threading.Thread(target=whole_model_then_lns, daemon=True)]
    for extra in range(2, options.workers):
        seed = options.seed + extra
        helpers.append(
            threading.Thread(
                target=large_neighbourhood_search, args=(built, options, clock, shared, 1, seed), daemon=True
            )
        )
    for helper in helpers:
        helper.start()
    if decomposable(built.problem):
        row_start(built, options, clock, shared, options.seed)
    else:
        first_solution(built, options, clock, shared, LS_SHARE)
    iterations = large_neighbourhood_search(built, options, clock, shared, 1, options.seed)
    for helper in helpers:
        helper.join()
    return outcome.status, iterations + outcome.iterations


def first_phase_share(options: SolveOptions, problem: Problem) -> float:
    """The whole model's share of the budget: the option when set, else 0.1 where the row search
    applies (Instance14, 60 s, 2 workers, seeds 1–4: 0.3 → 1333/1340/1347/1413, 0.1 → 1319/1319/1324/1405)
    and 0.3 elsewhere."""
    if options.first_phase_share is not None:
        return options.first_phase_share
    return DECOMPOSABLE_FIRST_PHASE_SHARE if decomposable(problem) else FIRST_PHASE_SHARE


def nearly_proven(shared: Shared, best: Incumbent) -> bool:
    """The incumbent is within 1 % (or 2) of the proven lower bound.

    Then the whole-model search is close to a proof; the neighbourhood search, which proves nothing
    and on Instance3 did not even close a gap of 1003 to 1001 in 50 s, is the worse use of a thread.
    """
    lower = shared.lower_bound()
    return lower is not None and best.objective - lower <= max(2.0, 0.01 * abs(best.objective))


def first_solution(
    built: RosterModel,
    options: SolveOptions,
    clock: Clock,
    shared: Shared,
    share: float = 0.0,
    budget: float | None = None,
) -> None:
    """A feasible roster from CP-SAT's local search alone, so LNS can start at once.

    Tight minimum-minutes and weekend limits make tree search slow to find any roster on the larger
    instances, while feasibility jump / violation local search finds one in about a second. With
    ``share > 0`` the local search keeps improving for that share of the budget (every roster it
    finds goes to the shared incumbent).
    """
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = options.seed
    solver.parameters.use_ls_only = True
    if share <= 0:
        solver.parameters.stop_after_first_solution = True
        if budget is None:
            budget = options.time_limit_seconds * FIRST_SOLUTION_SHARE
        budget = max(0.1, budget)
    else:
        budget = max(0.1, min(clock.remaining(), options.time_limit_seconds * share))
    if options.deterministic:
        solver.parameters.max_deterministic_time = budget
    solver.parameters.max_time_in_seconds = min(budget, clock.wall_left())
    if not shared.start(solver):
        return
    try:
        status = solver.solve(built.model, FullModelListener(built, shared, with_bound=False))
    finally:
        shared.stop(solver)
    clock.charge(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: int(solver.boolean_value(var)) for key, var in built.x.items()}
        shared.offer(Incumbent(values, round(solver.objective_value)))


def row_start(built: RosterModel, options: SolveOptions, clock: Clock, shared: Shared, seed: int) -> None:
    """First roster of a decomposable problem: greedy rows, then one-row-at-a-time descent."""
    if shared.full_search_done:
        return
    rng = random.Random(seed)
    rows = RowSearch(built)
    start = rows.construct(options, clock, rng, shared)
    if start is None:
        first_solution(built, options, clock, shared)
        return
    shared.offer(start)
    rows.descend(start, options, clock, rng, shared)
