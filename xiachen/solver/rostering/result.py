"""The outcome of a solve, read from the search's best roster (statuses, cover shortfalls)."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from xiachen.solver.roster_problem import CoverShortfall, Problem, Roster
from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.state import Clock, Shared

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"


@dataclass(frozen=True)
class RosterResult:
    """Outcome of :func:`~xiachen.solver.rostering.solve`. ``roster`` is empty unless a roster was found."""

    status: str
    roster: Roster
    objective: int | None
    best_bound: float | None
    seconds: float
    cover_shortfall: tuple[CoverShortfall, ...] = ()
    reasons: tuple[str, ...] = ()
    lns_iterations: int = 0


def build_result(
    built: RosterModel, shared: Shared, full_status: cp_model.CpSolverStatus, clock: Clock, iterations: int
) -> RosterResult:
    """The result of a finished search: OPTIMAL when the whole model or the bound proved the best roster."""
    if shared.best is None:
        if full_status == cp_model.INFEASIBLE:
            reason = ("CP-SAT proved that the hard rules cannot all hold together.",)
            return RosterResult(INFEASIBLE, (), None, None, clock.wall(), reasons=reason)
        return RosterResult(UNKNOWN, (), None, shared.bound, clock.wall())
    best = shared.best
    status = OPTIMAL if full_status == cp_model.OPTIMAL or shared.proven() else FEASIBLE
    bound = float(best.objective) if status == OPTIMAL else shared.bound
    roster = built.roster_from(best.values)
    return RosterResult(
        status,
        roster,
        best.objective,
        bound,
        clock.wall(),
        cover_shortfall=shortfalls(built.problem, roster),
        lns_iterations=iterations,
    )


def shortfalls(problem: Problem, roster: Roster) -> tuple[CoverShortfall, ...]:
    """Every (day, shift) with fewer people than preferred, as rostered."""
    missing = []
    for row in problem.cover:
        assigned = sum(1 for person_row in roster if person_row[row.day] == row.shift)
        if assigned < row.preferred:
            missing.append(CoverShortfall(row.day, row.shift, row.preferred, assigned))
    return tuple(missing)
