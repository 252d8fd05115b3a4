"""Province-scale matching with every side constraint (pure numpy + OR-Tools, no Django).

``solve_constrained(table, cadre_medical, need_post)`` returns a plan that keeps every headcount,
agency quota and per-agency cap of ``table`` and gives every needy post at least one medically trained
cadre (a needy post that *no* plan can serve keeps one place empty instead and is listed in
``unmet``), together with an upper bound on the best such plan. Method (ADR 2131):

1. Optionally keep each cadre's ``keep_per_cadre`` best arcs (plus every medical arc into a needy
   post). Split the instance into independent components (``components.connected``) and pack them
   into batches of at least ``min_batch_arcs`` arcs; batches are solved apart (``workers`` processes).
2. Per batch, an exact coverage flow finds the needy posts no plan can serve (``unmet``).
3. The *relaxation*: every needy post gets exactly one designated medical match through an entry node
   beside the pair nodes, so the designated match escapes its per-agency cap. Every valid plan fits
   it, so its optimum is an upper bound; if its plan overfills no pair it is optimal.
4. Otherwise the *restriction*: each designated match must come from the pair that gave it in the
   relaxation, whose cap drops by one. Its plans keep every rule, and one exists (the relaxation's plan
   less one ordinary match at each overfilled pair); its optimum is the plan returned.

Per-agency caps enter every flow lazily (``_lazy_caps``). ``optimal`` is True when the plan's score
equals the bound.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from xiachen.solver.components import batches, connected
from xiachen.solver.flow import ArcTable, present, solve_designated, solve_optional

MIN_BATCH_ARCS = 200_000


@dataclass(frozen=True, eq=False)
class Constrained:
    """A feasible plan (mask over the table's arcs), an upper bound on its problem and the work done.

    ``unmet``: needy posts no plan can serve; one of their places is withheld (kept vacant for the
    medically trained cadre they lack) and their requirement dropped. ``bound`` is for that problem.
    """

    plan: np.ndarray
    bound: int
    optimal: bool
    unmet: np.ndarray
    components: int
    batches: int
    flows: int


def solve_constrained(
    table: ArcTable,
    cadre_medical: np.ndarray | None = None,
    need_post: np.ndarray | None = None,
    *,
    min_batch_arcs: int = MIN_BATCH_ARCS,
    keep_per_cadre: int | None = None,
    workers: int = 1,
) -> Constrained:
    """See the module docstring. ``table`` must carry no lower bounds of its own (``need_post``)."""
    if table.need_post is not None:
        raise ValueError("give the medical rule as cadre_medical / need_post, not in the table")
    medical = np.zeros(table.n_cadres, dtype=bool) if cadre_medical is None else np.asarray(cadre_medical, bool)
    need = np.zeros(table.n_posts, dtype=bool) if need_post is None else np.asarray(need_post, bool).copy()
    med_arc = medical[table.arc_cadre] & need[table.arc_post]
    usable = np.flatnonzero((table.arc_score > 0) | med_arc)  # other arcs never help any plan
    if keep_per_cadre is not None:
        usable = usable[_best_per_cadre(table, usable, keep_per_cadre) | med_arc[usable]]
    reachable = np.zeros(table.n_posts, dtype=bool)
    reachable[table.arc_post[usable[med_arc[usable]]]] = True
    unmet = [np.flatnonzero(need & ~reachable)]  # needy posts without a single medical candidate
    need &= reachable
    post_cap = np.maximum(table.post_cap, 0)
    post_cap[unmet[0]] = np.maximum(post_cap[unmet[0]] - 1, 0)
    arc_batch, n_components = _batch_of_arcs(table, usable, min_batch_arcs)
    order = np.argsort(arc_batch, kind="stable")
    bounds = np.searchsorted(arc_batch[order], np.arange(int(arc_batch.max(initial=-1)) + 2))
    parts, arcs_of = [], []
    for b in range(len(bounds) - 1):
        arcs = usable[order[bounds[b] : bounds[b + 1]]]
        parts.append(_Part.of(table, arcs, post_cap, medical, need))
        arcs_of.append(arcs)
    plan = np.zeros(len(table.arc_score), dtype=bool)
    bound, optimal, flows = 0, True, 0
    for part, arcs, local in zip(parts, arcs_of, _solve_parts(parts, workers), strict=True):
        plan[arcs[local.plan]] = True
        bound += local.bound
        optimal &= local.optimal
        flows += local.flows
        unmet.append(part.posts[local.unmet])
    return Constrained(
        plan=plan,
        bound=bound,
        optimal=optimal,
        unmet=np.sort(np.concatenate(unmet)),
        components=n_components,
        batches=len(bounds) - 1,
        flows=flows,
    )


def _best_per_cadre(table: ArcTable, arcs: np.ndarray, k: int) -> np.ndarray:
    """Mask over ``arcs``: each cadre's ``k`` best-scoring ones (ties: input order)."""
    cadre, score = table.arc_cadre[arcs].astype(np.int64), table.arc_score[arcs]
    low, high = int(score.min(initial=0)), int(score.max(initial=0))
    order = np.argsort(cadre * (high - low + 1) + (high - score), kind="stable")  # cadre, then best first
    sorted_cadre = cadre[order]
    first = np.searchsorted(sorted_cadre, sorted_cadre)  # index of the cadre's first arc in the order
    keep = np.zeros(len(arcs), dtype=bool)
    keep[order[np.arange(len(order)) - first < k]] = True
    return keep


def _batch_of_arcs(table: ArcTable, usable: np.ndarray, min_batch_arcs: int) -> tuple[np.ndarray, int]:
    """Batch number of every usable arc (aligned with ``usable``) and the number of components.

    An agency's quota joins its members only where it binds: a quota at least the number of members
    with a usable arc can never be reached, so it constrains nothing and joins nothing.
    """
    n_cad, n_post = table.n_cadres, table.n_posts
    u = [table.arc_cadre[usable]]
    v = [n_cad + table.arc_post[usable]]
    if table.agency_cap is not None:
        agency = present(table.cadre_agency, "cadre_agency")
        active = np.zeros(n_cad, dtype=bool)
        active[table.arc_cadre[usable]] = True
        members = np.bincount(agency[active], minlength=len(table.agency_cap))
        joined = np.flatnonzero(active & (table.agency_cap < members)[agency])
        u.append(joined)
        v.append(n_cad + n_post + agency[joined])
    n_nodes = n_cad + n_post + (0 if table.agency_cap is None else len(table.agency_cap))
    label = connected(n_nodes, np.concatenate(u), np.concatenate(v))
    components, arc_component = np.unique(label[table.arc_cadre[usable]], return_inverse=True)
    batch = batches(np.bincount(arc_component), min_batch_arcs)
    return batch[arc_component], len(components)


@dataclass(frozen=True, eq=False)
class _Part:
    """One batch re-indexed: ``table`` over its own cadres/posts/agencies/pairs; ``posts`` maps back."""

    table: ArcTable
    posts: np.ndarray
    medical: np.ndarray  # per local cadre
    need: np.ndarray  # per local post

    @classmethod
    def of(
        cls, t: ArcTable, arcs: np.ndarray, post_cap: np.ndarray, medical: np.ndarray, need: np.ndarray
    ) -> _Part:
        cadres, arc_cadre = np.unique(t.arc_cadre[arcs], return_inverse=True)
        posts, arc_post = np.unique(t.arc_post[arcs], return_inverse=True)
        cadre_agency = agency_cap = arc_pair = pair_cap = None
        if t.agency_cap is not None:
            agencies, cadre_agency = np.unique(present(t.cadre_agency, "cadre_agency")[cadres], return_inverse=True)
            agency_cap = t.agency_cap[agencies]  # a quota that binds has all its members here
        if t.pair_cap is not None:
            pairs, arc_pair = np.unique(present(t.arc_pair, "arc_pair")[arcs], return_inverse=True)
            pair_cap = t.pair_cap[pairs]
        table = ArcTable(
            n_cadres=len(cadres),
            arc_cadre=arc_cadre,
            arc_post=arc_post,
            arc_score=t.arc_score[arcs],
            post_cap=post_cap[posts],
            cadre_agency=cadre_agency,
            agency_cap=agency_cap,
            arc_pair=arc_pair,
            pair_cap=pair_cap,
        )
        return cls(table, posts, medical[cadres], need[posts])


@dataclass(frozen=True, eq=False)
class _Solved:
    plan: np.ndarray
    bound: int
    optimal: bool
    unmet: np.ndarray
    flows: int


def _solve_parts(parts: list[_Part], workers: int) -> list[_Solved]:
    """Solve every part, in ``workers`` fresh (spawned) processes when more than one (largest parts first, so
    the processes finish together). Parts are independent and each solve is deterministic, so the
    answer does not depend on ``workers``."""
    if workers <= 1 or len(parts) <= 1:
        return [_solve_part(part) for part in parts]
    largest_first = sorted(range(len(parts)), key=lambda i: -len(parts[i].table.arc_score))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(_solve_part, parts[i]) for i in largest_first}
        return [futures[i].result() for i in range(len(parts))]


def _solve_part(part: _Part) -> _Solved:
    t, need = part.table, part.need.copy()
    med_arc = part.medical[t.arc_cadre]
    no_unmet = np.zeros(0, dtype=np.int64)
    if not need.any():
        plan, flows = _lazy_optional(t)
        return _Solved(plan, _score(t, plan), True, no_unmet, flows)
    witness, flows = _cover(t, med_arc, need)
    unmet = np.flatnonzero(need & ~_served(t, witness, med_arc))
    if len(unmet):  # keep one place of each for the medical cadre it lacks; the witness still fits
        need[unmet] = False
        post_cap = t.post_cap.copy()
        post_cap[unmet] = np.maximum(post_cap[unmet] - 1, 0)
        t = dataclasses.replace(t, post_cap=post_cap)
    active = None if t.pair_cap is None else np.zeros(len(t.pair_cap), dtype=bool)
    solved, more = _lazy_caps(t, lambda table: solve_designated(table, med_arc, need), active)
    flows += more
    if solved is None:  # the witness routes through the entries, so a plan exists
        raise RuntimeError("medical designation infeasible although a witness meets it")
    relaxed, designated = solved
    bound = _score(t, relaxed)
    if t.pair_cap is None:
        return _Solved(relaxed, bound, True, unmet, flows)
    over = np.bincount(present(t.arc_pair, "arc_pair")[relaxed], minlength=len(t.pair_cap)) > t.pair_cap
    if not over.any():
        return _Solved(relaxed, bound, True, unmet, flows)
    plan, more = _restricted(t, med_arc, need, designated, active)
    return _Solved(plan, bound, _score(t, plan) >= bound, unmet, flows + more)


Solver = Callable[[ArcTable], "tuple[np.ndarray, np.ndarray] | None"]


def _optional(table: ArcTable) -> tuple[np.ndarray, np.ndarray]:
    plan = solve_optional(table)
    return plan, np.zeros_like(plan)


def _lazy_optional(t: ArcTable) -> tuple[np.ndarray, int]:
    solved, flows = _lazy_caps(t, _optional)
    if solved is None:  # without lower bounds the empty plan is always there
        raise RuntimeError("a flow without lower bounds found no plan")
    return solved[0], flows


def _lazy_caps(
    t: ArcTable, solve: Solver, active: np.ndarray | None = None
) -> tuple[tuple[np.ndarray, np.ndarray] | None, int]:
    """``solve(t)`` with the per-agency caps added lazily; returns its answer and the flows solved.

    A flow with a node per agency x post pair is several times slower than one without, and few caps
    bind. So: solve with caps on the *active* pairs only (none at first), activate every pair whose
    cap the plan's ordinary matches exceed (and every full one), repeat. Each round is a relaxation of ``t``, so a plan
    that exceeds no cap is optimal for ``t``; an infeasible round means ``t`` is infeasible. Every
    round activates at least one pair, so it ends. ``active`` (updated in place) starts the set, e.g.
    with the pairs a similar earlier solve needed.
    """
    if t.pair_cap is None:
        return solve(t), 1
    pair, cap = present(t.arc_pair, "arc_pair"), t.pair_cap
    active = np.zeros(len(cap), dtype=bool) if active is None else active
    for flows in itertools.count(1):
        index = np.cumsum(active) - 1
        solved = solve(dataclasses.replace(t, arc_pair=np.where(active[pair], index[pair], -1), pair_cap=cap[active]))
        if solved is None:
            return None, flows
        plan, designated = solved
        count = np.bincount(pair[plan & ~designated], minlength=len(cap))
        if not (count > cap).any():
            return solved, flows
        active[count >= cap] = True  # full pairs too: the next plan tends to overfill them
    raise AssertionError("unreachable")


def _restricted(
    t: ArcTable, med_arc: np.ndarray, need: np.ndarray, designated: np.ndarray, active: np.ndarray | None
) -> tuple[np.ndarray, int]:
    """The best plan when each needy post's designated match must come through the pair (agency x
    post) of its ``designated`` match in the relaxation, whose cap is lowered by one for it: exact for
    every cap. The relaxation minus one ordinary match at each pair it overfills is such a plan.
    """
    pair = present(t.arc_pair, "arc_pair")
    chosen = np.flatnonzero(designated)  # exactly one per needy post
    designated_pair = np.full(t.n_posts, -1, dtype=np.int64)
    designated_pair[t.arc_post[chosen]] = pair[chosen]
    pair_cap = present(t.pair_cap, "pair_cap").copy()
    pair_cap[pair[chosen]] -= 1
    allowed = med_arc & (pair == designated_pair[t.arc_post])
    restricted = dataclasses.replace(t, pair_cap=pair_cap)
    if active is not None:
        active[pair[chosen]] = True  # their caps just dropped
    solved, flows = _lazy_caps(restricted, lambda table: solve_designated(table, allowed, need), active)
    if solved is None:
        raise RuntimeError("restricted designation infeasible although the relaxation gives a plan")
    return solved[0], flows


def _cover(t: ArcTable, med_arc: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, int]:
    """Exact: a plan giving as many ``need`` posts as possible one medical cadre each (and, among
    those, the best score), within every quota and cap. Covering one more post is worth more than
    any score difference, so the flow maximises coverage first."""
    candidate = med_arc & need[t.arc_post]
    top = max(1, int(np.abs(t.arc_score).max(initial=0)))
    weight = int(need.sum()) * 2 * top + 1  # one more covered post outweighs any score difference
    scores = np.where(candidate, weight + t.arc_score, 0)
    covering = dataclasses.replace(t, arc_score=scores, post_cap=np.minimum(t.post_cap, need))
    return _lazy_optional(covering)


def _served(t: ArcTable, plan: np.ndarray, med_arc: np.ndarray) -> np.ndarray:
    served = np.zeros(t.n_posts, dtype=bool)
    served[t.arc_post[plan & med_arc]] = True
    return served


def _serves(t: ArcTable, plan: np.ndarray, med_arc: np.ndarray, need: np.ndarray) -> bool:
    return bool(_served(t, plan, med_arc)[need].all())


def _score(t: ArcTable, plan: np.ndarray) -> int:
    return int(t.arc_score[plan].sum())
