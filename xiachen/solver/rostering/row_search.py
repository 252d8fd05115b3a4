"""Row search for decomposable problems: whole rows (one person over the horizon) re-solved exactly
on tiny sub-models with everybody else fixed — a greedy first roster, a descent, and LNS moves."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from ortools.sat.python import cp_model

from xiachen.solver.roster_problem import CoverRequirement, Problem
from xiachen.solver.rostering.model import RosterModel
from xiachen.solver.rostering.options import SolveOptions
from xiachen.solver.rostering.state import Clock, Incumbent, Shared, set_parameters


def decomposable(problem: Problem) -> bool:
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


class RowSearch:
    """Exact re-optimization of whole rows (people over the whole horizon), others fixed.

    Only for decomposable problems (:func:`decomposable`): a person's row is feasible on its own,
    so re-solving the rows of a few people with everybody else fixed needs only their rules and
    the cover left open by the others. Such sub-models are tiny (one person: ≤ horizon × shifts
    booleans) and are built from a :class:`Problem` holding just those people, with each cover row
    reduced by what the others already supply; this is exact because a cover cost is convex in
    the count. Rows of a few people re-solved together can swap work between them while each keeps
    their total minutes and weekend limits — moves a day window cannot make.
    """

    def __init__(self, built: RosterModel) -> None:
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
        self._single: dict[int, RosterModel] = {}

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

    def _single_model(self, p: int) -> RosterModel:
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
            model = RosterModel(alone)
            self._single[p] = model
        return model

    def best_row(
        self,
        p: int,
        others: dict[tuple[int, int], int],
        current: dict[tuple[int, int], int] | None,
        options: SolveOptions,
        clock: Clock,
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
        set_parameters(solver, options, budget, seed, 1, clock)
        status = solver.solve(model)
        clock.charge(solver)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        row = {(d, s): 1 for d, s in self.cells[p] if solver.boolean_value(single.x[(0, d, s)])}
        return row, sum(costs[key] for key in row)

    def solve_rows(
        self,
        chosen: Sequence[int],
        incumbent: Incumbent,
        options: SolveOptions,
        clock: Clock,
        seed: int,
        budget: float,
    ) -> tuple[Incumbent | None, bool]:
        """Re-optimize the whole rows of ``chosen`` together; (better incumbent or None, proved)."""
        values = incumbent.values
        others = self.counts(values, set(chosen))
        sub = RosterModel(self._subproblem(chosen, others))
        for q, p in enumerate(chosen):
            for d, s in self.cells[p]:
                sub.model.add_hint(sub.x[(q, d, s)], values[(p, d, s)])
        solver = cp_model.CpSolver()
        set_parameters(solver, options, budget, seed, 1, clock)
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
        return Incumbent(new_values, objective), proved

    # ---- construction and descent
    def construct(self, options: SolveOptions, clock: Clock, rng: random.Random, shared: Shared) -> Incumbent | None:
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
            cells, _ = found
            for key in cells:
                values[(p, *key)] = 1
                count[key] = count.get(key, 0) + 1
        return Incumbent(values, self.objective(values))

    def descend(
        self, incumbent: Incumbent, options: SolveOptions, clock: Clock, rng: random.Random, shared: Shared
    ) -> Incumbent:
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
                shared.offer(Incumbent(dict(values), objective))
        return Incumbent(values, objective)

    def pick_rows(self, rng: random.Random, incumbent: Incumbent, count: int) -> list[int]:
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
            working_days: list[set[int]] = [set() for _ in range(self.people)]
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
