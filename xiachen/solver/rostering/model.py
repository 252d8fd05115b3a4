"""The CP-SAT model of a roster problem: one boolean per (person, day, allowed shift), every hard
rule as constraints and the soft costs as the objective (``docs/adr/0101-rostering-formulation.md``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ortools.sat.python import cp_model

from xiachen.solver.roster_problem import Person, Problem, Roster, Wish, WorkRules
from xiachen.solver.rostering.rules import allowed_shift_ids, clashes_with_fixed, forbidden_successions_with_gap


class RosterModel:
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
            allowed = [self.shift_index[s] for s in allowed_shift_ids(problem, person)]
            blocked = person.blocked_days(problem.horizon_days)
            row: list[cp_model.IntVar | None] = []
            for d in range(problem.horizon_days):
                # No variable for a shift that fixed work next to it rules out (rest, successions).
                shifts = [
                    s for s in allowed
                    if not person.fixed or not clashes_with_fixed(problem, person, d, problem.shifts[s])
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

    def work_literals(self, p: int, days: Iterable[int]) -> list[cp_model.IntVar]:
        """The "works that day" literals of person p on those of ``days`` they may work at all."""
        return [literal for d in days if (literal := self.work[p][d]) is not None]

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
            present = self.work_literals(p, days)
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
            present = self.work_literals(p, (d for d in window if 0 <= d < horizon))
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
            present = self.work_literals(p, days)
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
            counts: list[cp_model.LinearExprT] = []
            for p in range(len(problem.people)):
                terms = [v for s in nights for _, v in self.shift_vars(p, s)]
                if terms:
                    counts.append(sum(terms))
            self._add_spread(counts, problem.night_fairness_weight, "nights")
        if problem.weekend_fairness_weight:
            weekend_counts: list[cp_model.LinearExprT] = []
            for p, person in enumerate(problem.people):
                literals = self.weekend_literals(p)
                if literals and person.rules.max_weekends != 0:
                    weekend_counts.append(sum(literals))
            self._add_spread(weekend_counts, problem.weekend_fairness_weight, "weekends")

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
