"""Cadre rostering optimizer on OR-Tools CP-SAT.

Contract: :func:`solve` takes a frozen :class:`~xiachen.solver.roster_problem.Problem` and
:class:`SolveOptions` and returns a :class:`RosterResult`; it never raises for an infeasible or
contradictory problem (the reasons are returned instead). Hard rules and the objective are the ones
documented in ``roster_problem.py`` and ``docs/adr/0101-rostering-formulation.md``.

Search: a first roster (for problems whose hard rules each concern one person — see
:func:`_decomposable` — greedy per-person rows and a one-row-at-a-time descent, :class:`_RowSearch`;
otherwise CP-SAT's local search), one CP-SAT run on the whole model (it proves optimality on small
problems and gives the lower bound), then large-neighbourhood search — repeated CP-SAT sub-solves
with most of the roster fixed — for the rest of the time budget. With ``workers == 1`` every budget
is counted in CP-SAT's deterministic time, so the same seed and input give the same roster.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from xiachen.solver.roster_problem import (
    MINUTES_PER_DAY,
    CoverRequirement,
    CoverShortfall,
    Person,
    Problem,
    Roster,
    ShiftTemplate,
    Wish,
    WorkRules,
)

__all__ = [
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

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"
# Beyond this the wall clock overrides deterministic time even in deterministic mode (safety net).
DETERMINISTIC_WALL_SAFETY = 3.0
FIRST_SOLUTION_SHARE = 0.15
# In parallel mode the main thread keeps CP-SAT's local search improving for this share.
LS_SHARE = 0.3
# Factor by which a neighbourhood kind grows after a proof and shrinks after a time-out.
GROWTH = 1.3
# A sub-solve that cannot prove its neighbourhood optimal within this many seconds is cut short.
LNS_STEP_SECONDS = 1.0
# Whole rows of many people together ("rows" steps) rarely prove within a second, yet their cut-short
# steps bring the largest single gains (one more covered place); they get a longer budget and may
# grow to more people (Instance14: median of four runs 1360 → 1344, docs/benchmarks-rostering.md).
ROWS_STEP_SECONDS = 2.0
ROWS_MOST_PEOPLE = 12.0
FIRST_PHASE_SHARE = 0.3
DECOMPOSABLE_FIRST_PHASE_SHARE = 0.1
_log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class RosterResult:
    """Outcome of :func:`solve`. ``roster`` is empty unless a roster was found."""

    status: str
    roster: Roster
    objective: int | None
    best_bound: float | None
    seconds: float
    cover_shortfall: tuple[CoverShortfall, ...] = ()
    reasons: tuple[str, ...] = ()
    lns_iterations: int = 0


# --------------------------------------------------------------------------- rules shared by model


def forbidden_successions_with_gap(problem: Problem) -> tuple[tuple[str, str, int], ...]:
    """``(earlier shift, later shift, days between starts)`` triples that break a rule.

    Listed successions apply to the next day; the rest rule compares the real end of the earlier
    shift (which may be after midnight) with the real start of the later one.
    """
    pairs = {(first, then, 1) for first, then in problem.forbidden_successions}
    longest_end = max((shift.end_minute for shift in problem.shifts), default=0)
    max_gap = math.ceil((longest_end + problem.min_rest_minutes) / MINUTES_PER_DAY)
    for earlier in problem.shifts:
        for later in problem.shifts:
            for gap in range(1, max_gap + 1):
                rest = gap * MINUTES_PER_DAY + later.start_minute - earlier.end_minute
                if rest < problem.min_rest_minutes:
                    pairs.add((earlier.id, later.id, gap))
    return tuple(sorted(pairs))


def _allowed_shift_ids(problem: Problem, person: Person) -> list[str]:
    return [s.id for s in problem.shifts if person.rules.max_shifts_of(s.id) != 0 and not problem.gear_too_long(s)]


def _clashes_with_fixed(problem: Problem, person: Person, day: int, shift: ShiftTemplate) -> bool:
    """Working ``shift`` on ``day`` would rest too little next to (or overlap) the person's fixed
    work, or make a listed succession with it."""
    starts = day * MINUTES_PER_DAY + shift.start_minute
    ends = starts + shift.length_minutes
    banned = set(problem.forbidden_successions)
    for fixed in person.fixed:
        if fixed.day == day + 1 and (shift.id, fixed.shift) in banned:
            return True
        if day == fixed.day + 1 and (fixed.shift, shift.id) in banned:
            return True
        rest = fixed.starts_at - ends if starts <= fixed.starts_at else starts - fixed.ends_at
        if rest < problem.min_rest_minutes:
            return True
    return False


def _max_working_days(horizon: int, unavailable: frozenset[int], rules: WorkRules, exempt: bool) -> int:
    """Most days a person can work given availability and the run rules alone (exact DP)."""
    # state: (is working, length of current run capped) -> max worked days so far
    cap_work = max(rules.max_consecutive_days, rules.min_consecutive_days)
    cap_off = rules.min_consecutive_days_off
    states: dict[tuple[bool, int, bool], int] = {}
    # third flag: the current run started at day 0 (edge run, exempt from minimum lengths)
    for working in (False, True):
        if working and (0 in unavailable or rules.max_consecutive_days < 1):
            continue
        states[(working, 1, True)] = int(working)
    for day in range(1, horizon):
        following: dict[tuple[bool, int, bool], int] = {}
        for (working, length, from_edge), worked in states.items():
            for work_today in (False, True):
                if work_today and day in unavailable:
                    continue
                if work_today == working:
                    new_length = length + 1
                    if working and new_length > rules.max_consecutive_days:
                        continue
                    key = (working, min(new_length, cap_work if working else cap_off), from_edge)
                else:
                    minimum = rules.min_consecutive_days if working else rules.min_consecutive_days_off
                    if length < minimum and not (from_edge and exempt):
                        continue
                    key = (work_today, 1, False)
                score = worked + int(work_today)
                if following.get(key, -1) < score:
                    following[key] = score
        states = following
    return max(states.values(), default=0)


def precheck(problem: Problem) -> tuple[str, ...]:
    """Human-readable reasons why the rules contradict each other or the data is inconsistent.

    An empty tuple means no contradiction was found (the problem may still be infeasible).
    """
    reasons: list[str] = []
    reasons += _check_references(problem)
    if reasons:
        return tuple(reasons)
    reasons += [
        f"Shift {shift.id} keeps people in protective gear for {shift.length_minutes} minutes, above the "
        f"maximum {problem.max_gear_minutes}."
        for shift in problem.shifts if problem.gear_too_long(shift)
    ]
    for person in problem.people:
        reasons += _check_person(problem, person)
    reasons += _check_cover_minimums(problem)
    return tuple(reasons)


def _check_references(problem: Problem) -> list[str]:
    reasons = []
    shift_ids = [s.id for s in problem.shifts]
    person_ids = [p.id for p in problem.people]
    if problem.horizon_days < 1:
        reasons.append("The planning horizon must be at least one day.")
    if len(set(shift_ids)) != len(shift_ids):
        reasons.append("Shift ids must be unique.")
    if len(set(person_ids)) != len(person_ids):
        reasons.append("Person ids must be unique.")
    for shift in problem.shifts:
        if not 0 <= shift.start_minute < MINUTES_PER_DAY or shift.length_minutes <= 0:
            reasons.append(f"Shift {shift.id} needs a start within the day and a positive length.")
    for row in problem.cover:
        if row.shift not in shift_ids or not 0 <= row.day < problem.horizon_days:
            reasons.append(f"Cover for day {row.day} names unknown shift or day ({row.shift}).")
        if row.minimum > row.preferred or row.minimum < 0:
            reasons.append(f"Cover on day {row.day} for {row.shift}: minimum above preferred or negative.")
    for wish in problem.wishes:
        if wish.person not in person_ids or not 0 <= wish.day < problem.horizon_days:
            reasons.append(f"A wish names unknown person {wish.person} or day {wish.day}.")
        elif wish.shift is not None and wish.shift not in shift_ids:
            reasons.append(f"A wish of {wish.person} names unknown shift {wish.shift}.")
    for first, then in problem.forbidden_successions:
        if first not in shift_ids or then not in shift_ids:
            reasons.append(f"Forbidden succession {first}→{then} names an unknown shift.")
    return reasons


def _check_person(problem: Problem, person: Person) -> list[str]:
    rules = person.rules
    reasons = []
    who = f"Person {person.id}"
    if rules.max_minutes_per_period is not None and rules.min_minutes_per_period > rules.max_minutes_per_period:
        reasons.append(
            f"{who}: minimum {rules.min_minutes_per_period} minutes is above the maximum "
            f"{rules.max_minutes_per_period}."
        )
    allowed = [problem.shift_by_id(s) for s in _allowed_shift_ids(problem, person)]
    if rules.min_minutes_per_period <= 0:
        return reasons
    if not allowed:
        reasons.append(f"{who}: needs {rules.min_minutes_per_period} minutes but may work no shift.")
        return reasons
    reachable = _most_minutes_reachable(problem, person, allowed)
    if reachable < rules.min_minutes_per_period:
        reasons.append(
            f"{who}: needs at least {rules.min_minutes_per_period} minutes, but availability, "
            f"run rules, weekly and per-shift limits allow at most {reachable} in "
            f"{problem.horizon_days} days."
        )
    return reasons


def _most_minutes_reachable(problem: Problem, person: Person, allowed: Sequence[ShiftTemplate]) -> int:
    """An upper bound on the minutes a person can work, from simple counting arguments."""
    rules = person.rules
    blocked = person.blocked_days(problem.horizon_days)
    days = _max_working_days(problem.horizon_days, blocked, rules, problem.edge_runs_exempt)
    by_length = sorted(allowed, key=lambda s: -s.length_minutes)
    minutes, days_left = 0, days
    for shift in by_length:
        limit = rules.max_shifts_of(shift.id)
        take = days_left if limit is None else min(days_left, limit)
        minutes += take * shift.length_minutes
        days_left -= take
    if rules.max_minutes_per_week is not None:
        weeks = len({problem.week_of(d) for d in range(problem.horizon_days)})
        minutes = min(minutes, weeks * rules.max_minutes_per_week)
    return minutes


def _check_cover_minimums(problem: Problem) -> list[str]:
    reasons = []
    for row in problem.cover:
        if row.minimum <= 0:
            continue
        able = [
            p for p in problem.people
            if row.day not in p.blocked_days(problem.horizon_days) and row.shift in _allowed_shift_ids(problem, p)
        ]
        if len(able) < row.minimum:
            reasons.append(
                f"Day {row.day}, shift {row.shift}: at least {row.minimum} people needed but only "
                f"{len(able)} are available and allowed to work it."
            )
    return reasons


# --------------------------------------------------------------------------- CP-SAT model


class _RosterModel:
    """The CP-SAT model of a problem; ``x[(p, d, s)]`` is person p working shift index s on day d."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.shift_index = {s.id: i for i, s in enumerate(problem.shifts)}
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.work: list[list[cp_model.IntVar | None]] = []
        self.cost_terms: list[tuple[int, cp_model.LinearExprT]] = []
        self.constant_cost = 0
        self._create_assignment_variables()
        for p, person in enumerate(problem.people):
            self._add_person_rules(p, person)
        self._add_successions()
        self._add_cover()
        self._add_wishes()
        self._add_fairness()
        self.model.minimize(sum(w * e for w, e in self.cost_terms) + self.constant_cost)

    # ---- variables
    def _create_assignment_variables(self) -> None:
        problem = self.problem
        for p, person in enumerate(problem.people):
            allowed = [self.shift_index[s] for s in _allowed_shift_ids(problem, person)]
            blocked = person.blocked_days(problem.horizon_days)
            row: list[cp_model.IntVar | None] = []
            for d in range(problem.horizon_days):
                # No variable for a shift that fixed work next to it rules out (rest, successions).
                shifts = [
                    s for s in allowed
                    if not person.fixed or not _clashes_with_fixed(problem, person, d, problem.shifts[s])
                ]
                if d in blocked or not shifts:
                    row.append(None)
                    continue
                day_vars = [self._new_x(p, d, s) for s in shifts]
                row.append(self._working_literal(day_vars, f"work_{p}_{d}"))
            self.work.append(row)

    def _new_x(self, p: int, d: int, s: int) -> cp_model.IntVar:
        var = self.model.new_bool_var(f"x_{p}_{d}_{s}")
        self.x[(p, d, s)] = var
        return var

    def _working_literal(self, day_vars: list[cp_model.IntVar], name: str) -> cp_model.IntVar:
        if len(day_vars) == 1:
            return day_vars[0]
        working = self.model.new_bool_var(name)
        self.model.add(sum(day_vars) == working)
        return working

    def shift_vars(self, p: int, s: int) -> list[tuple[int, cp_model.IntVar]]:
        return [(d, self.x[(p, d, s)]) for d in range(self.problem.horizon_days) if (p, d, s) in self.x]

    # ---- per-person rules
    def _add_person_rules(self, p: int, person: Person) -> None:
        rules = person.rules
        self._add_type_limits(p, rules)
        self._add_minutes_limits(p, rules)
        self._add_week_days_limit(p, rules.max_days_per_week)
        self._add_max_consecutive(p, rules.max_consecutive_days)
        self._add_min_runs(p, rules.min_consecutive_days, working_run=True)
        self._add_min_runs(p, rules.min_consecutive_days_off, working_run=False)
        self._add_weekend_limit(p, rules.max_weekends)

    def _add_type_limits(self, p: int, rules: WorkRules) -> None:
        for s, shift in enumerate(self.problem.shifts):
            limit = rules.max_shifts_of(shift.id)
            terms = [v for _, v in self.shift_vars(p, s)]
            if limit is not None and len(terms) > limit:
                self.model.add(sum(terms) <= limit)

    def _minutes_expr(self, p: int, days: range | list[int]) -> cp_model.LinearExprT:
        return sum(
            self.problem.shifts[s].length_minutes * self.x[(p, d, s)]
            for d in days
            for s in range(len(self.problem.shifts))
            if (p, d, s) in self.x
        )

    def _add_minutes_limits(self, p: int, rules: WorkRules) -> None:
        horizon = range(self.problem.horizon_days)
        total = self._minutes_expr(p, horizon)
        if rules.max_minutes_per_period is not None:
            self.model.add(total <= rules.max_minutes_per_period)
        if rules.min_minutes_per_period > 0:
            self.model.add(total >= rules.min_minutes_per_period)
        if rules.max_minutes_per_week is not None:
            fixed = self._fixed_per_week(p, lambda f: f.length_minutes)
            for week, days in self._weeks().items():
                # Fixed work of the same week leaves that much less (none when it is already over).
                room = max(0, rules.max_minutes_per_week - fixed.get(week, 0))
                self.model.add(self._minutes_expr(p, days) <= room)

    def _weeks(self) -> dict[int, list[int]]:
        weeks: dict[int, list[int]] = {}
        for d in range(self.problem.horizon_days):
            weeks.setdefault(self.problem.week_of(d), []).append(d)
        return weeks

    def _fixed_per_week(self, p: int, amount: Callable) -> dict[int, int]:
        totals: dict[int, int] = {}
        for fixed in self.problem.people[p].fixed:
            week = self.problem.week_of(fixed.day)
            totals[week] = totals.get(week, 0) + amount(fixed)
        return totals

    def _add_week_days_limit(self, p: int, maximum: int | None) -> None:
        if maximum is None:
            return
        fixed = self._fixed_per_week(p, lambda f: 1)
        for week, days in self._weeks().items():
            present = [self.work[p][d] for d in days if self.work[p][d] is not None]
            room = max(0, maximum - fixed.get(week, 0))
            if len(present) > room:
                self.model.add(sum(present) <= room)

    def _add_max_consecutive(self, p: int, maximum: int) -> None:
        """Every window of ``maximum + 1`` days holding a day of the horizon has a day off; fixed work
        on either side of the horizon (or inside it) counts as worked."""
        horizon = self.problem.horizon_days
        fixed = self.problem.people[p].fixed_days
        first = -maximum if fixed else 0
        last = horizon - 1 if fixed else horizon - maximum - 1
        for start in range(first, last + 1):
            window = range(start, start + maximum + 1)
            present = [self.work[p][d] for d in window if 0 <= d < horizon and self.work[p][d] is not None]
            taken = sum(1 for d in window if d in fixed)
            if present and len(present) + taken > maximum:
                self.model.add(sum(present) <= maximum - taken)

    def _add_min_runs(self, p: int, minimum: int, working_run: bool) -> None:
        """Forbid runs shorter than ``minimum`` whose sides are inside the horizon (edge rule); a side
        just beyond the horizon counts as known when the person has fixed work there."""
        horizon = self.problem.horizon_days
        fixed = self.problem.people[p].fixed_days
        for length in range(1, minimum):
            for start in range(horizon - length + 1):
                before, after = start - 1, start + length
                fixed_side = (before < 0 and before in fixed) or (after >= horizon and after in fixed)
                if working_run and fixed_side:
                    continue  # the working run goes on in a neighbouring roster
                open_edge = (before < 0 and before not in fixed) or (after >= horizon and after not in fixed)
                if open_edge and self.problem.edge_runs_exempt:
                    continue
                self._forbid_run(p, start, length, before, after, working_run)

    def _forbid_run(self, p: int, start: int, length: int, before: int, after: int, working: bool) -> None:
        """Clause: not (side days have the other state and the run days have ``working`` state)."""
        horizon = self.problem.horizon_days
        clause: list[cp_model.LiteralT] = []
        sides = [d for d in (before, after) if 0 <= d < horizon]
        for d in range(start, start + length):
            literal = self.work[p][d]
            if literal is None:
                if working:
                    return  # the run cannot be all working: clause already satisfied
                continue
            clause.append(literal.Not() if working else literal)
        for d in sides:
            literal = self.work[p][d]
            if literal is None:
                if not working:
                    return  # a fixed day off cannot close an off-run from outside
                continue
            clause.append(literal if working else literal.Not())
        if not clause:
            raise ValueError("an unavoidable short run: contradictory availability")
        self.model.add_bool_or(clause)

    def weekend_literals(self, p: int) -> list[cp_model.IntVar]:
        literals = []
        for days in self.problem.weekends():
            present = [self.work[p][d] for d in days if self.work[p][d] is not None]
            if len(present) == 1:
                literals.append(present[0])
            elif present:
                worked = self.model.new_bool_var(f"weekend_{p}_{days[0]}")
                self.model.add_max_equality(worked, present)
                literals.append(worked)
        return literals

    def _add_weekend_limit(self, p: int, maximum: int | None) -> None:
        if maximum is None:
            return
        literals = self.weekend_literals(p)
        if len(literals) > maximum:
            self.model.add(sum(literals) <= maximum)

    # ---- coupling rules
    def _add_successions(self) -> None:
        triples = forbidden_successions_with_gap(self.problem)
        for (p, d, s), var in self.x.items():
            for first, then, gap in triples:
                if self.shift_index[first] != s:
                    continue
                later = self.x.get((p, d + gap, self.shift_index[then]))
                if later is not None:
                    self.model.add_bool_or([var.Not(), later.Not()])

    def _add_cover(self) -> None:
        self.cover_counts: list[tuple[CoverRequirement, cp_model.LinearExprT]] = []
        for row in self.problem.cover:
            s = self.shift_index[row.shift]
            staff = [self.x[(p, row.day, s)] for p in range(len(self.problem.people)) if (p, row.day, s) in self.x]
            count = sum(staff)
            if row.minimum > 0:
                self.model.add(count >= row.minimum)
            under = self.model.new_int_var(0, row.preferred, f"under_{row.day}_{row.shift}")
            over = self.model.new_int_var(0, len(staff), f"over_{row.day}_{row.shift}")
            self.model.add(count + under - over == row.preferred)
            self.cost_terms += [(row.under_weight, under), (row.over_weight, over)]
            self.cover_counts.append((row, count))

    def _add_wishes(self) -> None:
        person_index = {person.id: p for p, person in enumerate(self.problem.people)}
        for wish in self.problem.wishes:
            p = person_index[wish.person]
            literal = self._wish_literal(p, wish)
            if literal is None:
                self.constant_cost += wish.weight if wish.wanted else 0
            elif wish.wanted:
                self.constant_cost += wish.weight
                self.cost_terms.append((-wish.weight, literal))
            else:
                self.cost_terms.append((wish.weight, literal))

    def _wish_literal(self, p: int, wish: Wish) -> cp_model.IntVar | None:
        if wish.shift is None:
            return self.work[p][wish.day]
        return self.x.get((p, wish.day, self.shift_index[wish.shift]))

    def _add_fairness(self) -> None:
        problem = self.problem
        if problem.night_fairness_weight:
            nights = [s for s, shift in enumerate(problem.shifts) if shift.is_night]
            counts = []
            for p in range(len(problem.people)):
                terms = [v for s in nights for _, v in self.shift_vars(p, s)]
                if terms:
                    counts.append(sum(terms))
            self._add_spread(counts, problem.night_fairness_weight, "nights")
        if problem.weekend_fairness_weight:
            counts = []
            for p, person in enumerate(problem.people):
                literals = self.weekend_literals(p)
                if literals and person.rules.max_weekends != 0:
                    counts.append(sum(literals))
            self._add_spread(counts, problem.weekend_fairness_weight, "weekends")

    def _add_spread(self, counts: list[cp_model.LinearExprT], weight: int, name: str) -> None:
        if len(counts) < 2:
            return
        top = self.problem.horizon_days
        highest = self.model.new_int_var(0, top, f"most_{name}")
        lowest = self.model.new_int_var(0, top, f"fewest_{name}")
        for count in counts:
            self.model.add(highest >= count)
            self.model.add(lowest <= count)
        self.cost_terms.append((weight, highest - lowest))

    # ---- reading solutions
    def roster_from(self, values: dict[tuple[int, int, int], int]) -> Roster:
        rows = []
        for p in range(len(self.problem.people)):
            row = []
            for d in range(self.problem.horizon_days):
                chosen = [s for s in range(len(self.problem.shifts)) if values.get((p, d, s))]
                row.append(self.problem.shifts[chosen[0]].id if chosen else None)
            rows.append(tuple(row))
        return tuple(rows)


# --------------------------------------------------------------------------- search


class _Clock:
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


def _parameters(
    solver: cp_model.CpSolver, options: SolveOptions, budget: float, seed: int, workers: int, clock: _Clock
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
class _Incumbent:
    values: dict[tuple[int, int, int], int]
    objective: int


class _Shared:
    """Best roster and bound seen by any search thread (guarded by a lock)."""

    def __init__(self, options: SolveOptions, clock: _Clock) -> None:
        self.lock = threading.Lock()
        self.options = options
        self.clock = clock
        self.best: _Incumbent | None = None
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

    def offer(self, candidate: _Incumbent) -> bool:
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


class _FullModelListener(cp_model.CpSolverSolutionCallback):
    """Hands every solution of the whole-model search to the shared incumbent."""

    def __init__(self, built: _RosterModel, shared: _Shared, with_bound: bool = True) -> None:
        super().__init__()
        self.built = built
        self.shared = shared
        self.with_bound = with_bound

    def on_solution_callback(self) -> None:
        values = {key: int(self.boolean_value(var)) for key, var in self.built.x.items()}
        if self.with_bound:
            self.shared.raise_bound(self.best_objective_bound)
        self.shared.offer(_Incumbent(values, round(self.objective_value)))


def solve(problem: Problem, options: SolveOptions | None = None) -> RosterResult:
    """Find a roster minimizing the soft costs subject to every hard rule.

    Returns status ``INFEASIBLE`` with human-readable ``reasons`` when the pre-check finds a
    contradiction (no model is built then), ``UNKNOWN`` when no roster was found in time.
    """
    options = options or SolveOptions()
    clock = _Clock(options)
    reasons = precheck(problem)
    if reasons:
        return RosterResult(INFEASIBLE, (), None, None, clock.wall(), reasons=reasons)
    try:
        built = _RosterModel(problem)
    except ValueError as error:
        return RosterResult(INFEASIBLE, (), None, None, clock.wall(), reasons=(str(error),))
    shared = _Shared(options, clock)
    if options.deterministic or not options.use_lns:
        full_status, iterations = _search_in_sequence(built, options, clock, shared)
    else:
        full_status, iterations = _search_in_parallel(built, options, clock, shared)
    return _result(built, shared, full_status, clock, iterations)


def _result(built: _RosterModel, shared: _Shared, full_status: int, clock: _Clock, iterations: int) -> RosterResult:
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
        cover_shortfall=_shortfalls(built.problem, roster),
        lns_iterations=iterations,
    )


def _run_full_model(
    built: _RosterModel,
    model: cp_model.CpModel,
    options: SolveOptions,
    clock: _Clock,
    shared: _Shared,
    budget: float,
    workers: int,
) -> tuple[cp_model.CpSolver, int]:
    solver = cp_model.CpSolver()
    _parameters(solver, options, budget, options.seed, workers, clock)
    solver.best_bound_callback = shared.raise_bound
    status = solver.solve(model, _FullModelListener(built, shared))
    clock.charge(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shared.raise_bound(solver.best_objective_bound)
    return solver, status


def _search_in_sequence(built: _RosterModel, options: SolveOptions, clock: _Clock, shared: _Shared) -> tuple[int, int]:
    """Reproducible search: whole model for a share of the budget, then LNS, one after the other."""
    share = _first_phase_share(options, built.problem) if options.use_lns else 1.0
    budget = options.time_limit_seconds * share
    if options.use_lns and _decomposable(built.problem):
        _row_start(built, options, clock, shared, options.seed)
    else:
        _first_solution(built, options, clock, shared)
    model = built.model
    if shared.best is not None:
        model = built.model.clone()
        for key, var in built.x.items():
            model.add_hint(model.get_bool_var_from_proto_index(var.index), shared.best.values[key])
    _, status = _run_full_model(built, model, options, clock, shared, budget, options.workers)
    if shared.best is None and status == cp_model.UNKNOWN and options.use_lns:
        # Neither search found a roster yet (large, tight problems on short budgets): give the
        # local search half of what is left before the neighbourhood search.
        _first_solution(built, options, clock, shared, budget=0.5 * clock.remaining())
    if status != cp_model.OPTIMAL and shared.best is not None and options.use_lns:
        return status, _large_neighbourhood_search(built, options, clock, shared, options.workers, options.seed)
    return status, 0


def _search_in_parallel(built: _RosterModel, options: SolveOptions, clock: _Clock, shared: _Shared) -> tuple[int, int]:
    """One thread runs the whole model (proofs, bound) for a share of the budget, then LNS; the
    main thread builds a first roster (row start or local search), then runs LNS; any further
    threads run LNS from the start. All share the incumbent."""
    outcome: dict[str, int] = {"status": cp_model.UNKNOWN, "iterations": 0}

    def whole_model_then_lns() -> None:
        budget = options.time_limit_seconds * _first_phase_share(options, built.problem)
        _, status = _run_full_model(built, built.model, options, clock, shared, budget, 1)
        best = shared.best
        if status == cp_model.FEASIBLE and best is not None and _nearly_proven(shared, best) and clock.remaining() > 0:
            # The bound is within a hair of the roster (small problems on a loaded machine): the
            # proof is worth more than more neighbourhoods, so the whole model keeps going, hinted.
            model = built.model.clone()
            for key, var in built.x.items():
                model.add_hint(model.get_bool_var_from_proto_index(var.index), best.values[key])
            _, status = _run_full_model(built, model, options, clock, shared, clock.remaining(), 1)
        outcome["status"] = status
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            shared.finish()
            return
        outcome["iterations"] = _large_neighbourhood_search(built, options, clock, shared, 1, options.seed + 1)

    helpers = [threading.Thread(target=whole_model_then_lns, daemon=True)]
    for extra in range(2, options.workers):
        seed = options.seed + extra
        helpers.append(
            threading.Thread(
                target=_large_neighbourhood_search, args=(built, options, clock, shared, 1, seed), daemon=True
            )
        )
    for helper in helpers:
        helper.start()
    if _decomposable(built.problem):
        _row_start(built, options, clock, shared, options.seed)
    else:
        _first_solution(built, options, clock, shared, LS_SHARE)
    iterations = _large_neighbourhood_search(built, options, clock, shared, 1, options.seed)
    for helper in helpers:
        helper.join()
    return outcome["status"], iterations + outcome["iterations"]


def _first_phase_share(options: SolveOptions, problem: Problem) -> float:
    """The whole model's share of the budget: the option when set, else 0.1 where the row search
    applies (Instance14, 60 s, 2 workers, seeds 1–4: 0.3 → 1333/1340/1347/1413, 0.1 → 1319/1319/1324/1405)
    and 0.3 elsewhere."""
    if options.first_phase_share is not None:
        return options.first_phase_share
    return DECOMPOSABLE_FIRST_PHASE_SHARE if _decomposable(problem) else FIRST_PHASE_SHARE


def _nearly_proven(shared: _Shared, best: _Incumbent) -> bool:
    """The incumbent is within 1 % (or 2) of the proven lower bound.

    Then the whole-model search is close to a proof; the neighbourhood search, which proves nothing
    and on Instance3 did not even close a gap of 1003 to 1001 in 50 s, is the worse use of a thread.
    """
    lower = shared.lower_bound()
    return lower is not None and best.objective - lower <= max(2.0, 0.01 * abs(best.objective))


def _first_solution(
    built: _RosterModel,
    options: SolveOptions,
    clock: _Clock,
    shared: _Shared,
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
        status = solver.solve(built.model, _FullModelListener(built, shared, with_bound=False))
    finally:
        shared.stop(solver)
    clock.charge(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: int(solver.boolean_value(var)) for key, var in built.x.items()}
        shared.offer(_Incumbent(values, round(solver.objective_value)))


def _row_start(built: _RosterModel, options: SolveOptions, clock: _Clock, shared: _Shared, seed: int) -> None:
    """First roster of a decomposable problem: greedy rows, then one-row-at-a-time descent."""
    if shared.full_search_done:
        return
    rng = random.Random(seed)
    rows = _RowSearch(built)
    start = rows.construct(options, clock, rng, shared)
    if start is None:
        _first_solution(built, options, clock, shared)
        return
    shared.offer(start)
    rows.descend(start, options, clock, rng, shared)


@dataclass
class _NeighbourhoodSize:
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
# Decomposable problems (:func:`_decomposable`) re-solve whole rows of a few people on small
# sub-models instead of "people" on the whole model, and more often.
ROW_KIND_WEIGHTS = {"window": 0.25, "rows": 0.4, "targeted": 0.15, "block": 0.05, "pair": 0.15}


def _new_sizes() -> dict[str, _NeighbourhoodSize]:
    """Each kind adapts its own size: proofs of window moves say nothing about whole rows."""
    return {
        "window": _NeighbourhoodSize(0.2),
        "people": _NeighbourhoodSize(0.1, 0.03, 0.6),
        "targeted": _NeighbourhoodSize(0.3, 0.1, 1.0),
        "block": _NeighbourhoodSize(0.2),
        "pair": _NeighbourhoodSize(0.2),
        "rows": _NeighbourhoodSize(3.0, 2.0, ROWS_MOST_PEOPLE),  # a number of people, not a share
    }


def _large_neighbourhood_search(
    built: _RosterModel, options: SolveOptions, clock: _Clock, shared: _Shared, workers: int, seed: int
) -> int:
    """Improve ``shared.best`` by re-solving parts of it until the budget ends; returns steps made."""
    rng = random.Random(seed)
    sizes = _new_sizes()
    iterations = 0
    rows = _RowSearch(built) if _decomposable(built.problem) else None
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


def _step_budget(built: _RosterModel) -> float:
    return max(0.5, min(LNS_STEP_SECONDS, len(built.x) / 2000))


def _pick_neighbourhood(
    built: _RosterModel, rng: random.Random, kind: str, share: float, incumbent: _Incumbent
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


def _people_on_surplus_cells(built: _RosterModel, incumbent: _Incumbent) -> set[int]:
    """People working a (day, shift) that has more people than preferred."""
    people = range(len(built.problem.people))
    found: set[int] = set()
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        working = [p for p in people if incumbent.values.get((p, row.day, s))]
        if len(working) > row.preferred:
            found.update(working)
    return found


def _spare_minutes(built: _RosterModel, incumbent: _Incumbent) -> list[float]:
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


def _cells_missing_cover(built: _RosterModel, incumbent: _Incumbent) -> list[tuple[int, int]]:
    cells = []
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        assigned = sum(incumbent.values.get((p, row.day, s), 0) for p in range(len(built.problem.people)))
        if assigned < row.preferred:
            cells.append((row.day, s))
    return cells


def _window_start(built: _RosterModel, rng: random.Random, width: int, incumbent: _Incumbent) -> int:
    horizon = built.problem.horizon_days
    latest = horizon - width
    missed = _days_missing_cover(built, incumbent)
    if missed and rng.random() < 0.5:
        centre = rng.choice(missed)
        return min(latest, max(0, centre - rng.randrange(width)))
    return rng.randrange(0, latest + 1)


def _days_missing_cover(built: _RosterModel, incumbent: _Incumbent) -> list[int]:
    days = []
    for row in built.problem.cover:
        s = built.shift_index[row.shift]
        assigned = sum(incumbent.values.get((p, row.day, s), 0) for p in range(len(built.problem.people)))
        if assigned < row.preferred:
            days.append(row.day)
    return days


def _solve_neighbourhood(
    built: _RosterModel,
    options: SolveOptions,
    clock: _Clock,
    incumbent: _Incumbent,
    freed: set[tuple[int, int]],
    budget: float,
    rng: random.Random,
    workers: int,
) -> tuple[_Incumbent | None, bool]:
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
    _parameters(solver, options, budget, rng.randrange(1 << 30), workers, clock)
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
    return _Incumbent(values, objective), proved


def _shortfalls(problem: Problem, roster: Roster) -> tuple[CoverShortfall, ...]:
    shortfalls = []
    for row in problem.cover:
        assigned = sum(1 for person_row in roster if person_row[row.day] == row.shift)
        if assigned < row.preferred:
            shortfalls.append(CoverShortfall(row.day, row.shift, row.preferred, assigned))
    return tuple(shortfalls)


# --------------------------------------------------------------------------- row search


def _decomposable(problem: Problem) -> bool:
    """True when every hard rule concerns one person: then any mix of feasible rows is a roster.

    That holds when no cover row has a hard minimum and no fairness term compares people; the
    objective is then a sum of per-person wish costs and per-(day, shift) cover costs.
    """
    if any(row.minimum > 0 for row in problem.cover):
        return False
    if len({(row.day, row.shift) for row in problem.cover}) != len(problem.cover):
        return False
    if problem.night_fairness_weight and any(shift.is_night for shift in problem.shifts):
        return False
    return not (problem.weekend_fairness_weight and problem.weekends())


class _RowSearch:
    """Exact re-optimization of whole rows (people over the whole horizon), others fixed.

    Only for decomposable problems (:func:`_decomposable`): a person's row is feasible on its own,
    so re-solving the rows of a few people with everybody else fixed needs only their rules and
    the cover left open by the others. Such sub-models are tiny (one person: ≤ horizon × shifts
    booleans) and are built from a :class:`Problem` holding just those people, with each cover row
    reduced by what the others already supply; this is exact because a cover cost is convex in
    the count. Rows of a few people re-solved together can swap work between them while each keeps
    their total minutes and weekend limits — moves a day window cannot make.
    """

    def __init__(self, built: _RosterModel) -> None:
        self.built = built
        problem = built.problem
        self.problem = problem
        self.people = len(problem.people)
        self.cells: list[list[tuple[int, int]]] = [[] for _ in problem.people]
        for p, d, s in built.x:
            self.cells[p].append((d, s))
        self.cover = {(row.day, built.shift_index[row.shift]): row for row in problem.cover}
        self.able: dict[tuple[int, int], list[int]] = {}
        for p, d, s in built.x:
            self.able.setdefault((d, s), []).append(p)
        # Wish costs per cell (working shift s on day d) and the constant part, per person.
        self.wish_cost: list[dict[tuple[int, int], int]] = [{} for _ in problem.people]
        self.wish_constant = [0] * self.people
        index = {person.id: p for p, person in enumerate(problem.people)}
        for wish in problem.wishes:
            p = index[wish.person]
            shifts = range(len(problem.shifts)) if wish.shift is None else [built.shift_index[wish.shift]]
            if wish.wanted:
                self.wish_constant[p] += wish.weight
            for s in shifts:
                if (p, wish.day, s) in built.x:
                    cost = self.wish_cost[p]
                    cost[(wish.day, s)] = cost.get((wish.day, s), 0) + (-wish.weight if wish.wanted else wish.weight)
        self._single: dict[int, _RosterModel] = {}

    # ---- evaluation
    def counts(self, values: dict[tuple[int, int, int], int], skip: Collection[int] = ()) -> dict[tuple[int, int], int]:
        """People on each (day, shift), leaving out ``skip``."""
        count: dict[tuple[int, int], int] = {}
        for (p, d, s), value in values.items():
            if value and p not in skip:
                count[(d, s)] = count.get((d, s), 0) + 1
        return count

    def objective(self, values: dict[tuple[int, int, int], int]) -> int:
        total = sum(self.wish_constant)
        for (p, d, s), value in values.items():
            if value:
                total += self.wish_cost[p].get((d, s), 0)
        count = self.counts(values)
        for key, row in self.cover.items():
            n = count.get(key, 0)
            total += row.under_weight * max(0, row.preferred - n) + row.over_weight * max(0, n - row.preferred)
        return total

    def marginal(self, key: tuple[int, int], others: int) -> int:
        row = self.cover.get(key)
        if row is None:
            return 0
        return -row.under_weight if others < row.preferred else row.over_weight

    # ---- sub-problems
    def _subproblem(self, chosen: Sequence[int], others: dict[tuple[int, int], int]) -> Problem:
        problem = self.problem
        cover = []
        for (d, s), row in self.cover.items():
            open_places = max(0, row.preferred - others.get((d, s), 0))
            cover.append(CoverRequirement(d, row.shift, open_places, 0, row.under_weight, row.over_weight))
        ids = {problem.people[p].id for p in chosen}
        return Problem(
            horizon_days=problem.horizon_days,
            shifts=problem.shifts,
            people=tuple(problem.people[p] for p in chosen),
            cover=tuple(cover),
            wishes=tuple(w for w in problem.wishes if w.person in ids),
            forbidden_successions=problem.forbidden_successions,
            min_rest_minutes=problem.min_rest_minutes,
            first_weekday=problem.first_weekday,
            edge_runs_exempt=problem.edge_runs_exempt,
            night_fairness_weight=0,
            weekend_fairness_weight=0,
        )

    def _single_model(self, p: int) -> _RosterModel:
        model = self._single.get(p)
        if model is None:
            problem = self.problem
            alone = Problem(
                horizon_days=problem.horizon_days,
                shifts=problem.shifts,
                people=(problem.people[p],),
                forbidden_successions=problem.forbidden_successions,
                min_rest_minutes=problem.min_rest_minutes,
                first_weekday=problem.first_weekday,
                edge_runs_exempt=problem.edge_runs_exempt,
                night_fairness_weight=0,
                weekend_fairness_weight=0,
            )
            model = _RosterModel(alone)
            self._single[p] = model
        return model

    def best_row(
        self,
        p: int,
        others: dict[tuple[int, int], int],
        current: dict[tuple[int, int], int] | None,
        options: SolveOptions,
        clock: _Clock,
        seed: int,
        budget: float,
        bonus: dict[tuple[int, int], int] | None = None,
    ) -> tuple[dict[tuple[int, int], int], int] | None:
        """Person p's best row given the others' cover counts: (cells worked → 1, row cost).

        ``bonus`` adds to the cost of cells (only while constructing); the returned cost is without it.
        """
        single = self._single_model(p)
        costs = {
            (d, s): self.wish_cost[p].get((d, s), 0) + self.marginal((d, s), others.get((d, s), 0))
            for d, s in self.cells[p]
        }
        search_costs = costs if not bonus else {key: c + bonus.get(key, 0) for key, c in costs.items()}
        model = single.model
        model.clear_objective()
        model.clear_hints()
        model.minimize(sum(c * single.x[(0, d, s)] for (d, s), c in search_costs.items() if c))
        if current is not None:
            for d, s in self.cells[p]:
                model.add_hint(single.x[(0, d, s)], current.get((d, s), 0))
        solver = cp_model.CpSolver()
        # Level 2 proves a single row optimal about ten times faster than the default.
        _parameters(solver, options, budget, seed, 1, clock)
        status = solver.solve(model)
        clock.charge(solver)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        row = {(d, s): 1 for d, s in self.cells[p] if solver.boolean_value(single.x[(0, d, s)])}
        return row, sum(costs[key] for key in row)

    def solve_rows(
        self,
        chosen: Sequence[int],
        incumbent: _Incumbent,
        options: SolveOptions,
        clock: _Clock,
        seed: int,
        budget: float,
    ) -> tuple[_Incumbent | None, bool]:
        """Re-optimize the whole rows of ``chosen`` together; (better incumbent or None, proved)."""
        values = incumbent.values
        others = self.counts(values, set(chosen))
        sub = _RosterModel(self._subproblem(chosen, others))
        for q, p in enumerate(chosen):
            for d, s in self.cells[p]:
                sub.model.add_hint(sub.x[(q, d, s)], values[(p, d, s)])
        solver = cp_model.CpSolver()
        _parameters(solver, options, budget, seed, 1, clock)
        status = solver.solve(sub.model)
        clock.charge(solver)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, status == cp_model.INFEASIBLE
        proved = status == cp_model.OPTIMAL
        new_values = dict(values)
        for q, p in enumerate(chosen):
            for d, s in self.cells[p]:
                new_values[(p, d, s)] = int(solver.boolean_value(sub.x[(q, d, s)]))
        objective = self.objective(new_values)
        if objective >= incumbent.objective:
            return None, proved
        return _Incumbent(new_values, objective), proved

    # ---- construction and descent
    def construct(self, options: SolveOptions, clock: _Clock, rng: random.Random, shared: _Shared) -> _Incumbent | None:
        """Greedy: each person in turn takes their best row given the rows placed so far.

        While rows are being placed, an open cover place is worth more the fewer of the people
        still to come can fill it, so the early people take the cells few others could take.
        """
        values = dict.fromkeys(self.built.x, 0)
        count: dict[tuple[int, int], int] = {}
        order = list(range(self.people))
        rng.shuffle(order)
        to_come = {key: len(able) for key, able in self.able.items()}
        for p in order:
            if clock.remaining() <= 0.05 or shared.full_search_done:
                return None
            for key in self.cells[p]:
                to_come[key] -= 1
            bonus = {}
            for key, row in self.cover.items():
                open_places = row.preferred - count.get(key, 0)
                if open_places > 0 and key in to_come:
                    bonus[key] = -round(row.under_weight * open_places / (1 + to_come[key]))
            found = self.best_row(p, count, None, options, clock, rng.randrange(1 << 30), 2.0, bonus)
            if found is None:
                return None
            row, _ = found
            for key in row:
                values[(p, *key)] = 1
                count[key] = count.get(key, 0) + 1
        return _Incumbent(values, self.objective(values))

    def descend(
        self, incumbent: _Incumbent, options: SolveOptions, clock: _Clock, rng: random.Random, shared: _Shared
    ) -> _Incumbent:
        """Re-solve one person's row at a time (others fixed) until a full sweep gains nothing."""
        values = dict(incumbent.values)
        objective = incumbent.objective
        improved = True
        while improved and clock.remaining() > 0.05 and not shared.full_search_done:
            improved = False
            order = list(range(self.people))
            rng.shuffle(order)
            for p in order:
                if clock.remaining() <= 0.05 or shared.full_search_done:
                    break
                others = self.counts(values, {p})
                current = {(d, s): 1 for d, s in self.cells[p] if values[(p, d, s)]}
                old_cost = sum(
                    self.wish_cost[p].get(key, 0) + self.marginal(key, others.get(key, 0)) for key in current
                )
                found = self.best_row(p, others, current, options, clock, rng.randrange(1 << 30), 1.0)
                if found is None or found[1] >= old_cost:
                    continue
                row, cost = found
                for d, s in self.cells[p]:
                    values[(p, d, s)] = int((d, s) in row)
                objective += cost - old_cost
                improved = True
            if improved:
                shared.offer(_Incumbent(dict(values), objective))
        return _Incumbent(values, objective)

    def pick_rows(self, rng: random.Random, incumbent: _Incumbent, count: int) -> list[int]:
        """A few people whose rows together can fill a missing (day, shift).

        One person able to take a missing cell; then either people who are off on days that
        person works and could take those shifts over (so the first can give a shift away and
        stay within their minutes), or people working an over-covered cell; the rest at random.
        """
        values = incumbent.values
        cover_count = self.counts(values)
        missing = [key for key, row in self.cover.items() if cover_count.get(key, 0) < row.preferred]
        chosen: list[int] = []
        if missing:
            key = rng.choice(missing)
            able = [p for p in self.able.get(key, []) if not values[(p, *key)]]
            if able:
                chosen.append(rng.choice(able))
        if chosen and rng.random() < 0.5:
            first = chosen[0]
            working_days = [set() for _ in range(self.people)]
            for (p, d, _), value in values.items():
                if value:
                    working_days[p].add(d)
            score: dict[int, float] = {}
            for d, s in self.cells[first]:
                if values[(first, d, s)]:
                    for q in self.able.get((d, s), []):
                        if q != first and d not in working_days[q]:
                            score[q] = score.get(q, 0.0) + 1.0
            ranked = sorted(score, key=lambda q: score[q] + 2.0 * rng.random(), reverse=True)
            chosen += ranked[: max(0, count - 1)]
        else:
            surplus = {
                p
                for key, row in self.cover.items()
                if cover_count.get(key, 0) > row.preferred
                for p in self.able.get(key, [])
                if values[(p, *key)]
            }
            surplus.difference_update(chosen)
            pool = list(surplus)
            rng.shuffle(pool)
            while len(chosen) < count and pool and rng.random() < 0.7:
                chosen.append(pool.pop())
        rest = [p for p in range(self.people) if p not in chosen]
        rng.shuffle(rest)
        chosen += rest[: max(0, count - len(chosen))]
        return chosen
