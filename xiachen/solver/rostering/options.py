"""What a caller of :func:`~xiachen.solver.rostering.solve` sets and is told while it runs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# Beyond this the wall clock overrides deterministic time even in deterministic mode (safety net).
DETERMINISTIC_WALL_SAFETY = 3.0


@dataclass(frozen=True)
class Progress:
    """Reported to ``SolveOptions.progress`` at every improvement and after each LNS step."""

    elapsed_seconds: float
    time_fraction: float
    objective: int | None
    best_bound: float | None


@dataclass(frozen=True)
class SolveOptions:
    """Search settings. ``workers == 1`` switches to deterministic (reproducible) budgets."""

    time_limit_seconds: float = 60.0
    workers: int = 2
    seed: int = 0
    progress: Callable[[Progress], None] | None = None
    use_lns: bool = True
    # Share of the budget for the whole model before its thread joins the neighbourhood search;
    # None: 0.1 when the row search applies (it finds a good roster within seconds, and the whole
    # model's bound is settled early), else 0.3.
    first_phase_share: float | None = None
    # Hard wall-clock limit of the whole solve, model building included, in every mode: a user who
    # asked for 20 s gets an answer within 20 s. None: the budget when not deterministic; in
    # deterministic mode 3× the budget (a safety net only, so runs stay reproducible).
    wall_limit_seconds: float | None = None

    @property
    def deterministic(self) -> bool:
        return self.workers == 1

    @property
    def wall_cap(self) -> float:
        if self.wall_limit_seconds is not None:
            return self.wall_limit_seconds
        return DETERMINISTIC_WALL_SAFETY * self.time_limit_seconds if self.deterministic else math.inf
