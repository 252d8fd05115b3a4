"""Cadre rostering optimizer on OR-Tools CP-SAT.

Contract: :func:`solve` takes a frozen :class:`~xiachen.solver.roster_problem.Problem` and
:class:`SolveOptions` and returns a :class:`RosterResult`; it never raises for an infeasible or
contradictory problem (the reasons are returned instead). Hard rules and the objective are the ones
documented in ``roster_problem.py`` and ``docs/adr/0101-rostering-formulation.md``.

Search: a first roster (for problems whose hard rules each concern one person — see
``row_search.decomposable`` — greedy per-person rows and a one-row-at-a-time descent, ``RowSearch``;
otherwise CP-SAT's local search), one CP-SAT run on the whole model (it proves optimality on small
problems and gives the lower bound), then large-neighbourhood search — repeated CP-SAT sub-solves
with most of the roster fixed — for the rest of the time budget. With ``workers == 1`` every budget
is counted in CP-SAT's deterministic time, so the same seed and input give the same roster.

Modules, in the order a solve uses them: ``precheck`` (contradictions found by counting) and
``rules`` (rule arithmetic it shares with the model); ``model`` (the CP-SAT model); ``state`` (budget
clock, CP-SAT parameters, the incumbent shared by the threads); ``strategies`` (how the budget is
split, in sequence or in threads); ``row_search`` and ``neighbourhoods`` (the LNS moves); ``result``.
Only the names in ``__all__`` are the public interface; the modules' own names may change.
"""

from __future__ import annotations

from xiachen.solver.roster_problem import (
    CoverRequirement,
    CoverShortfall,
    Person,
    Problem,
    ShiftTemplate,
    Wish,
    WorkRules,
)
from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.options import Progress, SolveOptions
from xiachen.solver.rostering.precheck import precheck
from xiachen.solver.rostering.result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, RosterResult, build_result
from xiachen.solver.rostering.rules import forbidden_successions_with_gap
from xiachen.solver.rostering.state import Clock, Shared
from xiachen.solver.rostering.strategies import search_in_parallel, search_in_sequence

__all__ = [
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "UNKNOWN",
    "CoverRequirement",
    "CoverShortfall",
    "Person",
    "Problem",
    "Progress",
    "RosterResult",
    "ShiftTemplate",
    "SolveOptions",
    "Wish",
    "WorkRules",
    "forbidden_successions_with_gap",
    "precheck",
    "solve",
]


def solve(problem: Problem, options: SolveOptions | None = None) -> RosterResult:
    """Find a roster minimizing the soft costs subject to every hard rule.

    Returns status ``INFEASIBLE`` with human-readable ``reasons`` when the pre-check finds a
    contradiction (no model is built then), ``UNKNOWN`` when no roster was found in time.
    """
    options = options or SolveOptions()
    clock = Clock(options)
    reasons = precheck(problem)
    if reasons:
        return RosterResult(INFEASIBLE, (), None, None, clock.wall(), reasons=reasons)
    try:
        built = RosterModel(problem)
    except ValueError as error:
        return RosterResult(INFEASIBLE, (), None, None, clock.wall(), reasons=(str(error),))
    shared = Shared(options, clock)
    if options.deterministic or not options.use_lns:
        full_status, iterations = search_in_sequence(built, options, clock, shared)
    else:
        full_status, iterations = search_in_parallel(built, options, clock, shared)
    return build_result(built, shared, full_status, clock, iterations)
