"""What every search strategy shares: the budget clock, CP-SAT parameters, the incumbent roster and
the best bound seen by any thread."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.options import DETERMINISTIC_WALL_SAFETY, Progress, SolveOptions


class Clock:
    """Budget accounting in wall seconds, or in CP-SAT deterministic time when reproducible."""

    def __init__(self, options: SolveOptions) -> None:
        self.options = options
        self.started = time.monotonic()
        self.deterministic_used = 0.0

    def wall(self) -> float:
        return time.monotonic() - self.started

    def used(self) -> float:
        return self.deterministic_used if self.options.deterministic else self.wall()

    def wall_left(self) -> float:
        """Wall seconds left before the hard cap (``SolveOptions.wall_cap``)."""
        return max(0.0, self.options.wall_cap - self.wall())

    def remaining(self) -> float:
        limit = self.options.time_limit_seconds
        if self.wall_left() <= 0.0:
            return 0.0
        return max(0.0, limit - self.used())

    def charge(self, solver: cp_model.CpSolver) -> None:
        self.deterministic_used += solver.deterministic_time


def set_parameters(
    solver: cp_model.CpSolver, options: SolveOptions, budget: float, seed: int, workers: int, clock: Clock
) -> None:
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The cover/run structure needs the full linear relaxation (level 2) for useful lower bounds;
    # in a portfolio that is the "max_lp" worker, alone it is the linearization level.
    solver.parameters.linearization_level = 2
    if workers > 1:
        solver.parameters.subsolvers.append("max_lp")
    if options.deterministic:
        solver.parameters.max_deterministic_time = budget
        wall = DETERMINISTIC_WALL_SAFETY * max(budget, 0.1) + 1.0
    else:
        wall = budget
    solver.parameters.max_time_in_seconds = min(wall, clock.wall_left())


@dataclass
class Incumbent:
    values: dict[tuple[int, int, int], int]
    objective: int


class Shared:
    """Best roster and bound seen by any search thread (guarded by a lock)."""

    def __init__(self, options: SolveOptions, clock: Clock) -> None:
        self.lock = threading.Lock()
        self.options = options
        self.clock = clock
        self.best: Incumbent | None = None
        self.bound: float | None = None
        self.full_search_done = False
        self._running: list[cp_model.CpSolver] = []

    def finish(self) -> None:
        """The whole-model search has settled the problem: stop every other running solve."""
        with self.lock:
            self.full_search_done = True
            running = list(self._running)
        for solver in running:
            solver.stop_search()

    def start(self, solver: cp_model.CpSolver) -> bool:
        """Register a solve that ``finish`` may stop; False when the search is already over."""
        with self.lock:
            if self.full_search_done:
                return False
            self._running.append(solver)
            return True

    def stop(self, solver: cp_model.CpSolver) -> None:
        with self.lock:
            self._running.remove(solver)

    def offer(self, candidate: Incumbent) -> bool:
        with self.lock:
            better = self.best is None or candidate.objective < self.best.objective
            if better:
                self.best = candidate
        if better:
            self.report()
        return better

    def raise_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = bound if self.bound is None else max(self.bound, bound)

    def lower_bound(self) -> int | None:
        return None if self.bound is None else math.ceil(self.bound - 1e-6)

    def proven(self) -> bool:
        lower = self.lower_bound()
        return self.best is not None and lower is not None and self.best.objective <= lower

    def report(self) -> None:
        if self.options.progress is None:
            return
        fraction = min(1.0, self.clock.used() / max(self.options.time_limit_seconds, 1e-9))
        objective = None if self.best is None else self.best.objective
        self.options.progress(Progress(self.clock.wall(), fraction, objective, self.bound))


class FullModelListener(cp_model.CpSolverSolutionCallback):
    """Hands every solution of the whole-model search to the shared incumbent."""

    def __init__(self, built: RosterModel, shared: Shared, with_bound: bool = True) -> None:
        super().__init__()
        self.built = built
        self.shared = shared
        self.with_bound = with_bound

    def on_solution_callback(self) -> None:
        values = {key: int(self.boolean_value(var)) for key, var in self.built.x.items()}
        if self.with_bound:
            self.shared.raise_bound(self.best_objective_bound)
        self.shared.offer(Incumbent(values, round(self.objective_value)))
