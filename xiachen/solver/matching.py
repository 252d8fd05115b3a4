"""Cadre-to-post matching optimiser (pure Python + OR-Tools; never imports Django).

Contract
--------
``solve(problem)`` maximises the total fit ``sum(arc.score)`` of a plan in which

* every cadre is matched to at most one post, and only along an eligible ``Arc``;
* a post receives at most ``headcount`` cadres;
* an agency deploys at most ``agency_quotas[agency]`` cadres (agencies without a quota are unbounded);
* at most ``max_per_agency_per_post`` cadres of one agency sit on one post (``None`` = no cap);
* every post with ``requires_medical`` gets at least one medically trained cadre (when no
  distinct one can reach it: ``unmet_medical="infeasible"`` reports the problem infeasible with
  reasons; ``"vacancy"`` leaves that post's medical place empty, reported as an ``UnfilledPlace``
  with a ``MEDICAL_*`` reason, and solves the rest);
* every ``fixed`` (already confirmed) match is kept and counts against all capacities.

Matches are optional: a match is made only where it raises the objective, so posts may stay
(partly) vacant and each vacancy is reported with a reason.  Without a medical requirement the
problem is a min-cost flow (source -> agency -> cadre -> [agency x post] -> post -> sink) and is
solved to proven optimality; so it is with the requirement but without the per-agency cap (a lower
bound on a sub-arc into each needy post).  With both, ``xiachen.solver.constrained`` (ADR 2131) gives
a plan that keeps every rule and an upper bound from a relaxation; where they differ and the problem
has at most ``CP_SAT_MAX_ARCS`` arcs, CP-SAT (hinted with that plan) tries to close the gap.
Same problem and seed give the same plan: the graph is built in input order, the flow algorithm is
deterministic and CP-SAT runs single-worker under a deterministic time limit.

The array layer (``ArcTable``, ``solve_table``, ``greedy_table``, in ``xiachen.solver.flow``) lets
province-scale instances (millions of arcs) be solved without building one Python object per arc.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from xiachen.solver.constrained import solve_constrained
from xiachen.solver.flow import ArcTable, greedy_table, solve_optional, solve_table
from xiachen.solver.flow import present as _present

Id = Hashable
Status = Literal["optimal", "feasible", "infeasible", "heuristic"]


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Cadre:
    """A cadre available for deployment; ``specialties`` are only used to explain vacancies."""

    cadre_id: Id
    agency_id: Id
    medical: bool = False
    specialties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Post:
    """A grassroots post (community, station, township finance office) with ``headcount`` places."""

    post_id: Id
    headcount: int
    requires_medical: bool = False
    required_specialties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Arc:
    """An eligible cadre-post pair with integer score components (penalties are given as >= 0)."""

    cadre_id: Id
    post_id: Id
    affinity: int = 0
    specialties_met: int = 0
    commute_penalty: int = 0
    rotation_penalty: int = 0

    @property
    def score(self) -> int:
        """Total fit: affinity + specialty points - commute penalty - rotation penalty."""
        return self.affinity + self.specialties_met - self.commute_penalty - self.rotation_penalty


@dataclass(frozen=True)
class Exclusion:
    """Why an upstream eligibility filter dropped a pair, e.g. ``"too far"``, ``"specialty missing"``."""

    cadre_id: Id
    post_id: Id
    reason: str


@dataclass(frozen=True)
class MatchingProblem:
    """Everything the matcher needs; ids are any hashable values, unique within their kind."""

    cadres: tuple[Cadre, ...]
    posts: tuple[Post, ...]
    arcs: tuple[Arc, ...]
    agency_quotas: Mapping[Id, int] = field(default_factory=dict)
    fixed: tuple[tuple[Id, Id], ...] = ()
    max_per_agency_per_post: int | None = None
    exclusions: tuple[Exclusion, ...] = ()


# -------------------------------------------------------------------------- output


@dataclass(frozen=True)
class MatchExplanation:
    """Score breakdown of one match in the plan."""

    cadre_id: Id
    post_id: Id
    affinity: int
    specialties_met: int
    commute_penalty: int
    rotation_penalty: int
    score: int
    fixed: bool


@dataclass(frozen=True)
class UnfilledPlace:
    """``vacancies`` places of ``post_id`` left empty; ``reason`` is a short label, ``detail`` prose."""

    post_id: Id
    vacancies: int
    reason: str
    detail: str


@dataclass(frozen=True)
class MatchingResult:
    """A plan, its quality certificate and, when infeasible, human-readable reasons.

    ``bound`` is an upper bound on the best objective; ``gap = (bound - objective) / max(1, |bound|)``.
    ``optimal`` is True only when the objective is proven to equal the bound.
    """

    status: Status
    method: str
    assignments: tuple[tuple[Id, Id], ...]
    explanations: tuple[MatchExplanation, ...]
    objective: int
    bound: int | None
    optimal: bool
    gap: float | None
    unfilled: tuple[UnfilledPlace, ...]
    infeasibility: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class ProgressEvent:
    """Reported to the optional progress callback at each stage and each improving CP-SAT plan."""

    stage: str
    seconds: float
    objective: int | None = None
    bound: float | None = None


ProgressCallback = Callable[[ProgressEvent], None]


# ------------------------------------------------------------------ indexed problem


@dataclass(frozen=True, eq=False)
class _Indexed:
    """The problem translated to indices, with fixed matches split off and capacities made residual."""

    problem: MatchingProblem
    cadre_index: dict[Id, int]
    post_index: dict[Id, int]
    agency_index: dict[Id, int]
    cadre_agency: np.ndarray
    cadre_medical: np.ndarray
    arc_cadre: np.ndarray
    arc_post: np.ndarray
    arc_score: np.ndarray
    fixed_arcs: np.ndarray
    table: ArcTable
    free_arcs: np.ndarray  # maps table arc -> problem arc
    infeasibility: tuple[str, ...]


def _index(problem: MatchingProblem) -> _Indexed:
    """Validate ids (ValueError if malformed) and build residual arrays; collects fixed-match conflicts."""
    cadre_index = _unique_index([c.cadre_id for c in problem.cadres], "cadre")
    post_index = _unique_index([p.post_id for p in problem.posts], "post")
    agency_index: dict[Id, int] = {}
    for c in problem.cadres:
        agency_index.setdefault(c.agency_id, len(agency_index))
    if any(p.headcount < 0 for p in problem.posts):
        raise ValueError("post headcount must be >= 0")
    try:
        arc_cadre = np.array([cadre_index[a.cadre_id] for a in problem.arcs], dtype=np.int64)
        arc_post = np.array([post_index[a.post_id] for a in problem.arcs], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(f"arc refers to unknown id {exc.args[0]!r}") from None
    arc_key = {(int(c), int(p)): i for i, (c, p) in enumerate(zip(arc_cadre, arc_post, strict=True))}
    if len(arc_key) != len(problem.arcs):
        raise ValueError("duplicate arc for the same cadre and post")
    arc_score = np.array([a.score for a in problem.arcs], dtype=np.int64)
    cadre_agency = np.array([agency_index[c.agency_id] for c in problem.cadres], dtype=np.int64)
    cadre_medical = np.array([c.medical for c in problem.cadres], dtype=bool)
    fixed_arcs, reasons = _fixed_arcs(problem, cadre_index, post_index, arc_key)
    table, free_arcs, cap_reasons = _residual_table(
        problem, agency_index, cadre_agency, arc_cadre, arc_post, arc_score, fixed_arcs
    )
    return _Indexed(
        problem,
        cadre_index,
        post_index,
        agency_index,
        cadre_agency,
        cadre_medical,
        arc_cadre,
        arc_post,
        arc_score,
        fixed_arcs,
        table,
        free_arcs,
        tuple(reasons + cap_reasons),
    )


def _unique_index(ids: list[Id], kind: str) -> dict[Id, int]:
    index = {x: i for i, x in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError(f"duplicate {kind} id")
    return index


def _fixed_arcs(
    problem: MatchingProblem,
    cadre_index: dict[Id, int],
    post_index: dict[Id, int],
    arc_key: dict[tuple[int, int], int],
) -> tuple[np.ndarray, list[str]]:
    reasons: list[str] = []
    arcs: list[int] = []
    seen: dict[Id, Id] = {}
    for cadre_id, post_id in problem.fixed:
        if cadre_id not in cadre_index or post_id not in post_index:
            reasons.append(f"Fixed match {cadre_id!r} -> {post_id!r} refers to an unknown cadre or post.")
        elif cadre_id in seen and seen[cadre_id] != post_id:
            reasons.append(f"Cadre {cadre_id!r} is fixed to both {seen[cadre_id]!r} and {post_id!r}.")
        elif cadre_id in seen:
            continue
        elif (cadre_index[cadre_id], post_index[post_id]) not in arc_key:
            reasons.append(f"Fixed match {cadre_id!r} -> {post_id!r} is not an eligible pair.")
        else:
            seen[cadre_id] = post_id
            arcs.append(arc_key[cadre_index[cadre_id], post_index[post_id]])
    return np.array(arcs, dtype=np.int64), reasons


def _residual_table(
    problem: MatchingProblem,
    agency_index: dict[Id, int],
    cadre_agency: np.ndarray,
    arc_cadre: np.ndarray,
    arc_post: np.ndarray,
    arc_score: np.ndarray,
    fixed_arcs: np.ndarray,
) -> tuple[ArcTable, np.ndarray, list[str]]:
    """Subtract fixed matches from every capacity; over-full capacities become infeasibility reasons."""
    n_post, n_agency = len(problem.posts), len(agency_index)
    reasons: list[str] = []
    headcount = np.array([p.headcount for p in problem.posts], dtype=np.int64)
    post_cap = headcount - np.bincount(arc_post[fixed_arcs], minlength=n_post)
    for p in np.flatnonzero(post_cap < 0).tolist():
        reasons.append(
            f"Fixed matches put {headcount[p] - post_cap[p]} cadres on post "
            f"{problem.posts[p].post_id!r}, which has only {headcount[p]} places."
        )
    fixed_cadres = np.zeros(len(problem.cadres), dtype=bool)
    fixed_cadres[arc_cadre[fixed_arcs]] = True
    free_arcs = np.flatnonzero(~fixed_cadres[arc_cadre])
    agency_cap = None
    if problem.agency_quotas:
        agency_ids = list(agency_index)
        quota = np.array([problem.agency_quotas.get(a, len(cadre_agency)) for a in agency_ids], dtype=np.int64)
        agency_cap = quota - np.bincount(cadre_agency[arc_cadre[fixed_arcs]], minlength=n_agency)
        for g in np.flatnonzero(agency_cap < 0).tolist():
            reasons.append(
                f"Fixed matches deploy {quota[g] - agency_cap[g]} cadres of agency "
                f"{agency_ids[g]!r}, above its quota of {quota[g]}."
            )
    arc_pair = pair_cap = None
    k = problem.max_per_agency_per_post
    if k is not None:
        keys = cadre_agency[arc_cadre] * n_post + arc_post
        uniq, inverse = np.unique(keys, return_inverse=True)
        pair_cap = k - np.bincount(inverse[fixed_arcs], minlength=len(uniq))
        for q in np.flatnonzero(pair_cap < 0).tolist():
            g, p = divmod(int(uniq[q]), n_post)
            reasons.append(
                f"Fixed matches put {k - pair_cap[q]} cadres of agency {list(agency_index)[g]!r} on "
                f"post {problem.posts[p].post_id!r}, above the cap of {k} per agency."
            )
        arc_pair = inverse[free_arcs]
    table = ArcTable(
        n_cadres=len(problem.cadres),
        arc_cadre=arc_cadre[free_arcs],
        arc_post=arc_post[free_arcs],
        arc_score=arc_score[free_arcs],
        post_cap=post_cap,
        cadre_agency=None if agency_cap is None else cadre_agency,
        agency_cap=agency_cap,
        arc_pair=arc_pair,
        pair_cap=pair_cap,
    )
    return table, free_arcs, reasons


# ---------------------------------------------------------------- medical requirement


def _medical_needs(ix: _Indexed) -> np.ndarray:
    """Indices of posts that require a medically trained cadre and have none among fixed matches."""
    needs = np.array([p.requires_medical for p in ix.problem.posts], dtype=bool)
    fixed_med = ix.fixed_arcs[ix.cadre_medical[ix.arc_cadre[ix.fixed_arcs]]]
    needs[ix.arc_post[fixed_med]] = False
    return np.flatnonzero(needs)


def _medical_feasibility(ix: _Indexed, needy: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Exact feasibility test of the medical requirement as a flow; returns a witness plan or reasons.

    All other constraints are upper bounds, so the requirement is satisfiable iff one distinct medical
    cadre can be routed to every needy post within residual quotas and caps.
    """
    t = ix.table
    is_needy = np.zeros(t.n_posts, dtype=bool)
    is_needy[needy] = True
    candidate = is_needy[t.arc_post] & ix.cadre_medical[t.arc_cadre]
    witness_table = ArcTable(
        n_cadres=t.n_cadres,
        arc_cadre=t.arc_cadre,
        arc_post=t.arc_post,
        arc_score=candidate * (len(needy) * max(1, int(t.arc_score.max(initial=0))) + 1 + np.maximum(t.arc_score, 0)),
        post_cap=np.minimum(t.post_cap, is_needy.astype(np.int64)),
        cadre_agency=t.cadre_agency,
        agency_cap=t.agency_cap,
        arc_pair=t.arc_pair,
        pair_cap=t.pair_cap,
    )
    witness = solve_optional(witness_table)
    served = np.zeros(t.n_posts, dtype=bool)
    served[t.arc_post[witness]] = True
    return witness, [_medical_reason(ix, p, candidate) for p in needy.tolist() if not served[p]]


def _medical_reason(ix: _Indexed, p: int, candidate: np.ndarray) -> str:
    post = ix.problem.posts[p]
    t = ix.table
    names = [ix.problem.cadres[c].cadre_id for c in t.arc_cadre[candidate & (t.arc_post == p)].tolist()]
    if t.post_cap[p] <= 0:
        return f"Post {post.post_id!r} requires a medically trained cadre but fixed matches fill all its places."
    if not names:
        return f"Post {post.post_id!r} requires a medically trained cadre but none is eligible for it."
    return (
        f"Post {post.post_id!r} requires a medically trained cadre; its eligible ones ({_short(names)}) "
        f"are needed by other such posts or blocked by agency quotas/caps."
    )


def _short(ids: list[Id], limit: int = 5) -> str:
    shown = ", ".join(repr(x) for x in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback: ProgressCallback, offset: int, start: float) -> None:
        super().__init__()
        self._callback, self._offset, self._start = callback, offset, start

    def on_solution_callback(self) -> None:
        self._callback(
            ProgressEvent(
                "cp_sat_solution",
                time.perf_counter() - self._start,
                int(self.objective_value) + self._offset,
                self.best_objective_bound + self._offset,
            )
        )


def _solve_cpsat(
    ix: _Indexed,
    needy: np.ndarray,
    hint: np.ndarray,
    time_limit: float,
    seed: int,
    progress: ProgressCallback | None,
    start: float,
    offset: int,
) -> tuple[np.ndarray | None, int, bool]:
    """CP-SAT with the medical requirement; returns (plan or None, bound on free part, proven optimal)."""
    t = ix.table
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{a}") for a in range(len(t.arc_score))]
    for group, cap in _groups(t):
        if cap is None:
            model.add_at_most_one(x[a] for a in group)
        else:
            model.add(sum(x[a] for a in group) <= cap)
    for p in needy.tolist():
        model.add(sum(x[a] for a in np.flatnonzero((t.arc_post == p) & ix.cadre_medical[t.arc_cadre])) >= 1)
    model.maximize(cp_model.LinearExpr.weighted_sum(x, t.arc_score.tolist()))
    for a, v in enumerate(hint.tolist()):
        model.add_hint(x[a], v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # single worker + deterministic time => reproducible plans
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = time_limit
    callback = _Progress(progress, offset, start) if progress else None
    status = solver.solve(model, callback)
    bound = math.floor(solver.best_objective_bound + 1e-6)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, bound, False
    plan = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    return plan, bound, status == cp_model.OPTIMAL


def _groups(t: ArcTable) -> list[tuple[list[int], int | None]]:
    """Capacity groups over table arcs: per cadre (at most one), per post, per agency, per agency x post."""
    groups: list[tuple[list[int], int | None]] = []
    by = defaultdict(list)
    for a, (c, p) in enumerate(zip(t.arc_cadre.tolist(), t.arc_post.tolist(), strict=True)):
        by["c", c].append(a)
        by["p", p].append(a)
        if t.cadre_agency is not None:
            by["g", int(t.cadre_agency[c])].append(a)
        if t.arc_pair is not None:
            by["q", int(t.arc_pair[a])].append(a)
    caps = {"p": t.post_cap, "g": t.agency_cap, "q": t.pair_cap}
    for (kind, i), arcs in by.items():
        groups.append((arcs, None if kind == "c" else int(_present(caps[kind], kind)[i])))
    return groups


# --------------------------------------------------------------------------- driver


def solve(
    problem: MatchingProblem,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    unmet_medical: Literal["infeasible", "vacancy"] = "infeasible",
) -> MatchingResult:
    """Optimal (or bounded, with gap) plan for ``problem``; infeasible side constraints are explained.

    ``time_limit`` is CP-SAT deterministic time (roughly seconds) and only matters with a medical
    requirement; the flow path is exact and has no limit.  Raises ValueError on malformed input only.
    """
    start = time.perf_counter()
    report = _reporter(progress, start)
    ix = _index(problem)
    if ix.infeasibility:
        return _infeasible(ix.infeasibility, "validation", start)
    report("indexed")
    relaxed = solve_optional(ix.table)
    fixed_score = int(ix.arc_score[ix.fixed_arcs].sum())
    relaxed_obj = int(ix.table.arc_score[relaxed].sum())
    report("flow_solved", relaxed_obj + fixed_score, relaxed_obj + fixed_score)
    needy = _medical_needs(ix)
    if len(needy) == 0 or _serves(ix, relaxed, needy):
        return _result(ix, relaxed, "optimal", "min_cost_flow", relaxed_obj, start, report)
    witness, reasons = _medical_feasibility(ix, needy)
    if reasons and unmet_medical == "vacancy":
        return _with_medical_vacancies(ix, needy, witness, time_limit, seed, progress, start)
    if reasons:
        return _infeasible(tuple(reasons), "medical_feasibility_flow", start)
    if ix.table.arc_pair is None:  # no crossing rule: the lower bounds make one exact flow
        lower = solve_table(
            dataclasses.replace(ix.table, need_post=_mask(needy, ix), arc_forced=ix.cadre_medical[ix.table.arc_cadre])
        )
        if lower is None:  # the witness above serves every needy post, so these lower bounds can be met
            raise RuntimeError("medical lower bounds unsatisfiable although a witness plan meets them")
        lower_obj = int(ix.table.arc_score[lower].sum())
        return _result(ix, lower, "optimal", "min_cost_flow_lower_bounds", lower_obj, start, report)
    designated = solve_constrained(ix.table, ix.cadre_medical, _mask(needy, ix))
    flow_obj = int(ix.table.arc_score[designated.plan].sum())
    if designated.optimal:
        return _result(ix, designated.plan, "optimal", "min_cost_flow_designated", flow_obj, start, report)
    report("flow_bound", flow_obj + fixed_score, designated.bound + fixed_score)
    if len(ix.table.arc_score) > CP_SAT_MAX_ARCS:
        return _result(ix, designated.plan, "feasible", "min_cost_flow_designated", designated.bound, start, report)
    plan, bound, optimal = _solve_cpsat(ix, needy, designated.plan, time_limit, seed, progress, start, fixed_score)
    if plan is None or ix.table.arc_score[plan].sum() < flow_obj:
        plan, optimal = designated.plan, False
    objective = int(ix.table.arc_score[plan].sum())
    bound = min(bound, designated.bound)
    status: Status = "optimal" if optimal or objective >= bound else "feasible"
    return _result(ix, plan, status, "cp_sat", bound, start, report)


CP_SAT_MAX_ARCS = 20_000  # above this CP-SAT rarely closes the flow's gap in its time limit (ADR 2131)


MEDICAL_NONE_ELIGIBLE = "no medically trained candidate"
MEDICAL_NEEDED_ELSEWHERE = "medical candidates needed elsewhere"
MEDICAL_FIXED_FULL = "fixed matches fill a medical post"


def _with_medical_vacancies(
    ix: _Indexed,
    needy: np.ndarray,
    witness: np.ndarray,
    time_limit: float,
    seed: int,
    progress: ProgressCallback | None,
    start: float,
) -> MatchingResult:
    """The plan when some posts' medical requirement cannot be met: each such post keeps one place
    empty for the medical cadre it lacks (none when fixed matches already fill it) and the rest of
    the problem is solved as usual. The witness still serves every other needy post, so the relaxed
    problem's medical rule is feasible."""
    t = ix.table
    served = np.zeros(t.n_posts, dtype=bool)
    served[t.arc_post[witness]] = True
    is_needy = np.zeros(t.n_posts, dtype=bool)
    is_needy[needy] = True
    candidate = is_needy[t.arc_post] & ix.cadre_medical[t.arc_cadre]
    posts, places = list(ix.problem.posts), []
    for p in (p for p in needy.tolist() if not served[p]):
        post, open_places = posts[p], int(t.post_cap[p] > 0)
        if not open_places:
            reason = MEDICAL_FIXED_FULL
        elif not (candidate & (t.arc_post == p)).any():
            reason = MEDICAL_NONE_ELIGIBLE
        else:
            reason = MEDICAL_NEEDED_ELSEWHERE
        posts[p] = dataclasses.replace(post, requires_medical=False, headcount=post.headcount - open_places)
        places.append(UnfilledPlace(post.post_id, open_places, reason, _medical_reason(ix, p, candidate)))
    relaxed = solve(
        dataclasses.replace(ix.problem, posts=tuple(posts)), time_limit=time_limit, seed=seed, progress=progress
    )
    if relaxed.status == "infeasible":
        return relaxed
    return dataclasses.replace(
        relaxed, unfilled=relaxed.unfilled + tuple(places), seconds=time.perf_counter() - start
    )


def _mask(indices: np.ndarray, ix: _Indexed) -> np.ndarray:
    mask = np.zeros(ix.table.n_posts, dtype=bool)
    mask[indices] = True
    return mask


def greedy(problem: MatchingProblem) -> MatchingResult:
    """Greedy baseline on the same problem (fixed matches kept; medical requirement not enforced)."""
    start = time.perf_counter()
    ix = _index(problem)
    if ix.infeasibility:
        return _infeasible(ix.infeasibility, "validation", start)
    return _result(ix, greedy_table(ix.table), "heuristic", "greedy", None, start, lambda *a: None)


def _reporter(progress: ProgressCallback | None, start: float) -> Callable[..., None]:
    def report(stage: str, objective: int | None = None, bound: float | None = None) -> None:
        if progress is not None:
            progress(ProgressEvent(stage, time.perf_counter() - start, objective, bound))

    return report


def _serves(ix: _Indexed, plan: np.ndarray, needy: np.ndarray) -> bool:
    t = ix.table
    served = np.zeros(t.n_posts, dtype=bool)
    served[t.arc_post[plan & ix.cadre_medical[t.arc_cadre]]] = True
    return bool(served[needy].all())


def _infeasible(reasons: tuple[str, ...], method: str, start: float) -> MatchingResult:
    return MatchingResult(
        status="infeasible",
        method=method,
        assignments=(),
        explanations=(),
        objective=0,
        bound=None,
        optimal=False,
        gap=None,
        unfilled=(),
        infeasibility=reasons,
        seconds=time.perf_counter() - start,
    )


def _result(
    ix: _Indexed,
    plan: np.ndarray,
    status: Status,
    method: str,
    free_bound: int | None,
    start: float,
    report: Callable[..., None],
) -> MatchingResult:
    """Assemble the plan (fixed matches first, then new ones in arc input order) and its certificate."""
    fixed = set(ix.fixed_arcs.tolist())
    chosen = sorted(fixed | set(ix.free_arcs[plan].tolist()))
    explanations = tuple(_explain(ix.problem.arcs[a], a in fixed) for a in chosen)
    objective = sum(e.score for e in explanations)
    fixed_score = int(ix.arc_score[ix.fixed_arcs].sum())
    bound = None if free_bound is None else free_bound + fixed_score
    gap = None if bound is None else (bound - objective) / max(1, abs(bound))
    report("done", objective, bound)
    return MatchingResult(
        status=status,
        method=method,
        assignments=tuple((e.cadre_id, e.post_id) for e in explanations),
        explanations=explanations,
        objective=objective,
        bound=bound,
        optimal=status == "optimal",
        gap=gap,
        unfilled=_unfilled(ix, np.array(chosen, dtype=np.int64)),
        seconds=time.perf_counter() - start,
    )


def _explain(arc: Arc, fixed: bool) -> MatchExplanation:
    return MatchExplanation(
        arc.cadre_id,
        arc.post_id,
        arc.affinity,
        arc.specialties_met,
        arc.commute_penalty,
        arc.rotation_penalty,
        arc.score,
        fixed,
    )


# ------------------------------------------------------------------------ vacancies


def _unfilled(ix: _Indexed, chosen: np.ndarray) -> tuple[UnfilledPlace, ...]:
    """One entry per post with vacancies, with the most specific reason the data supports."""
    problem = ix.problem
    filled = np.bincount(ix.arc_post[chosen], minlength=len(problem.posts))
    assigned = np.zeros(len(problem.cadres), dtype=bool)
    assigned[ix.arc_cadre[chosen]] = True
    excluded: dict[Id, Counter[str]] = defaultdict(Counter)
    for e in problem.exclusions:
        excluded[e.post_id][e.reason] += 1
    context = _VacancyContext(ix, chosen, assigned, excluded)
    out = []
    for p, post in enumerate(problem.posts):
        vacancies = post.headcount - int(filled[p])
        if vacancies > 0:
            reason, detail = context.reason(p)
            out.append(UnfilledPlace(post.post_id, vacancies, reason, detail))
    return tuple(out)


class _VacancyContext:
    """Precomputed facts used to explain why a post kept vacancies."""

    def __init__(
        self, ix: _Indexed, chosen: np.ndarray, assigned: np.ndarray, excluded: dict[Id, Counter[str]]
    ) -> None:
        self.ix, self.assigned, self.excluded = ix, assigned, excluded
        problem = ix.problem
        n_agency = len(ix.agency_index)
        self.agency_used = np.bincount(ix.cadre_agency[ix.arc_cadre[chosen]], minlength=n_agency)
        self.quota = np.array([problem.agency_quotas.get(a, len(problem.cadres)) for a in ix.agency_index])
        self.pair_used = Counter(
            zip(ix.cadre_agency[ix.arc_cadre[chosen]].tolist(), ix.arc_post[chosen].tolist(), strict=True)
        )
        self.arcs_by_post: dict[int, list[int]] = defaultdict(list)
        for a, p in enumerate(ix.arc_post.tolist()):
            self.arcs_by_post[p].append(a)
        self.all_specialties = frozenset().union(*(c.specialties for c in problem.cadres))

    def reason(self, p: int) -> tuple[str, str]:
        post = self.ix.problem.posts[p]
        arcs = self.arcs_by_post.get(p, [])
        if not arcs:
            return self._no_candidate(post)
        free = [a for a in arcs if not self.assigned[self.ix.arc_cadre[a]]]
        if not free:
            label = "too few eligible candidates" if len(arcs) < post.headcount else "candidates placed elsewhere"
            return (
                label,
                f"all {len(arcs)} eligible candidates are placed (here or at posts where they fit better).",
            )
        return self._blocked(p, free)

    def _no_candidate(self, post: Post) -> tuple[str, str]:
        counts = self.excluded.get(post.post_id)
        if counts:
            top = counts.most_common(1)[0][0]
            return top, "no eligible candidate; excluded: " + ", ".join(f"{n} {r}" for r, n in counts.most_common())
        missing = post.required_specialties - self.all_specialties
        if missing:
            return "specialty missing", f"no cadre has {', '.join(sorted(missing))}."
        return "no eligible candidate", "no cadre is eligible for this post."

    def _blocked(self, p: int, free: list[int]) -> tuple[str, str]:
        ix = self.ix
        positive = [a for a in free if ix.arc_score[a] > 0]
        if not positive:
            return (
                "no candidate with positive fit",
                f"{len(free)} unplaced candidates would lower the total fit.",
            )
        agencies = [int(ix.cadre_agency[ix.arc_cadre[a]]) for a in positive]
        if all(self.agency_used[g] >= self.quota[g] for g in agencies):
            return "agency quota reached", "every unplaced candidate's agency has used its quota."
        k = ix.problem.max_per_agency_per_post
        if k is not None and all(self.pair_used[g, p] >= k for g in agencies):
            return "per-agency cap reached", f"every unplaced candidate's agency already has {k} cadres here."
        return "trade-off with other constraints", (
            "unplaced candidates are blocked by a combination of quotas, caps and the medical requirement."
        )
