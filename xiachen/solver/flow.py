"""Array layer of the cadre-to-post matcher: an index-based instance (``ArcTable``), its exact min-cost
flow (``solve_table``) and the greedy baseline (``greedy_table``). Pure numpy + OR-Tools, no Django.

Province-scale instances (millions of arcs) are solved here without one Python object per arc;
``xiachen.solver.constrained`` splits them into independent parts and adds the medical rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow


@dataclass(frozen=True, eq=False)
class ArcTable:
    """Index-based instance for the solvers; arrays are parallel over arcs unless noted.

    ``cadre_agency`` / ``agency_cap`` (per agency) are None when there are no quotas;
    ``arc_pair`` / ``pair_cap`` (per agency x post pair) are None when there is no per-agency cap; an
    ``arc_pair`` of -1 leaves that arc uncapped (``xiachen.solver.constrained`` adds caps lazily).
    ``need_post`` (per post) / ``arc_forced`` (per arc), when given, require every needy post to get at
    least one forced arc (the medical rule).  Capacities here are residual ones, i.e. after fixed matches.
    """

    n_cadres: int
    arc_cadre: np.ndarray
    arc_post: np.ndarray
    arc_score: np.ndarray
    post_cap: np.ndarray
    cadre_agency: np.ndarray | None = None
    agency_cap: np.ndarray | None = None
    arc_pair: np.ndarray | None = None
    pair_cap: np.ndarray | None = None
    need_post: np.ndarray | None = None
    arc_forced: np.ndarray | None = None

    @property
    def n_posts(self) -> int:
        """Number of posts."""
        return len(self.post_cap)


def present(array: np.ndarray | None, name: str) -> np.ndarray:
    """An optional array of an :class:`ArcTable` where its partner says it is there (``cadre_agency``
    with ``agency_cap``, ``arc_pair`` with ``pair_cap``, ``arc_forced`` with ``need_post``)."""
    if array is None:
        raise ValueError(f"ArcTable.{name} is missing although its partner array is set")
    return array


def solve_optional(table: ArcTable) -> np.ndarray:
    """:func:`solve_table` of a table without lower bounds (``need_post``): every match is optional,
    so there is always a plan."""
    if table.need_post is not None:
        raise ValueError("a table with lower bounds may have no plan; use solve_table")
    plan = solve_table(table)
    if plan is None:
        raise RuntimeError("min-cost flow found no plan without lower bounds")  # the bypass arc prevents it
    return plan


def solve_table(table: ArcTable) -> np.ndarray | None:
    """Boolean mask of arcs forming a maximum-score plan, or None if the lower bounds are unsatisfiable.

    Exact: min-cost flow with a zero-cost source->sink bypass so that matches are optional.  Only
    positive-score arcs are used, except forced arcs into needy posts.  ``need_post`` cannot be
    combined with the per-agency cap (the two constraint families cross; use CP-SAT for that).
    """
    if table.need_post is not None and table.arc_pair is not None:
        raise ValueError("lower bounds and per-agency caps cannot share one flow network")
    usable_mask = table.arc_score > 0
    if table.need_post is not None:
        usable_mask |= table.arc_forced & table.need_post[table.arc_post]
    usable = np.flatnonzero(usable_mask)
    used = np.zeros(len(table.arc_score), dtype=bool)
    if len(usable) == 0:
        return used if table.need_post is None or not table.need_post.any() else None
    smcf, first_match_arc = _build_flow(table, usable)
    status = smcf.solve()
    if status == smcf.INFEASIBLE and table.need_post is not None:
        return None
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow returned status {status}")  # bypass arc makes this unreachable
    flows = smcf.flows(np.arange(first_match_arc, first_match_arc + len(usable), dtype=np.int32))
    used[usable[flows > 0]] = True
    return used


def _offsets(table: ArcTable) -> tuple[int, int, int, int, int]:
    """First node of each layer after source (0) and sink (1): agencies, cadres, pairs, posts, entries."""
    agency0 = 2
    cadre0 = agency0 + (0 if table.agency_cap is None else len(table.agency_cap))
    pair0 = cadre0 + table.n_cadres
    post0 = pair0 + (0 if table.pair_cap is None else len(table.pair_cap))
    return agency0, cadre0, pair0, post0, post0 + table.n_posts


def solve_designated(
    table: ArcTable, designated: np.ndarray, need: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Best plan in which every ``need`` post gets exactly one *designated* match, or None if impossible.

    Returns (plan, the designated matches among it), both masks over the arcs.
    ``designated`` (per arc) marks the arcs that may carry a post's designated match. A designated
    match counts against its cadre, agency quota and the post's headcount but **not** against the
    per-agency cap: it enters the post through an entry node of capacity 1 beside the pair nodes. The
    same cadre may instead take the arc as an ordinary match (through its pair node). Callers make the
    cap exact by lowering the designated pair's cap by one (see ``xiachen.solver.constrained``).
    """
    if table.need_post is not None:
        raise ValueError("give the lower bounds as designated/need, not in the table")
    usable = np.flatnonzero(table.arc_score > 0)
    extra = np.flatnonzero(designated & need[table.arc_post])
    needy = np.flatnonzero(need)
    if len(usable) + len(extra) == 0:
        return None if len(needy) else (np.zeros(len(table.arc_score), dtype=bool),) * 2
    smcf, first = _build_flow(table, usable)
    _, cadre0, _, post0, entry0 = _offsets(table)  # the table has no need_post: entry ids are free
    entry = np.full(table.n_posts, -1, dtype=np.int64)
    entry[needy] = entry0 + np.arange(len(needy))
    first_extra = smcf.num_arcs()
    smcf.add_arcs_with_capacity_and_unit_cost(
        (cadre0 + table.arc_cadre[extra]).astype(np.int32),
        entry[table.arc_post[extra]].astype(np.int32),
        np.ones(len(extra), dtype=np.int64),
        (-table.arc_score[extra]).astype(np.int64),
    )
    # The entry -> post arc has lower bound = upper bound = 1: moved into the supplies entirely.
    smcf.set_nodes_supplies(
        np.concatenate([entry0 + np.arange(len(needy)), post0 + needy]).astype(np.int32),
        np.concatenate([np.full(len(needy), -1), np.ones(len(needy))]).astype(np.int64),
    )
    status = smcf.solve()
    if status == smcf.INFEASIBLE:
        return None
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow returned status {status}")
    used = np.zeros(len(table.arc_score), dtype=bool)
    used[usable[smcf.flows(np.arange(first, first + len(usable), dtype=np.int32)) > 0]] = True
    through_entry = np.zeros(len(table.arc_score), dtype=bool)
    through_entry[extra[smcf.flows(np.arange(first_extra, first_extra + len(extra), dtype=np.int32)) > 0]] = True
    return used | through_entry, through_entry


def _build_flow(table: ArcTable, usable: np.ndarray) -> tuple[min_cost_flow.SimpleMinCostFlow, int]:
    """Build the flow network vectorised; returns it and the index of the first cadre->post arc.

    Nodes: source, sink, agencies, cadres, agency x post pairs, posts, then one "forced entry" node
    per needy post whose arc into the post carries a lower bound of 1 (moved into node supplies).
    """
    n_cad, n_post = table.n_cadres, table.n_posts
    n_agency = 0 if table.agency_cap is None else len(table.agency_cap)
    n_pair = 0 if table.pair_cap is None else len(table.pair_cap)
    source, sink = 0, 1
    agency0, cadre0, pair0, post0, entry0 = _offsets(table)
    post_cap = np.maximum(table.post_cap, 0)
    tails, heads, caps, costs = [], [], [], []

    def add(t: np.ndarray, h: np.ndarray, c: np.ndarray, w: np.ndarray | int = 0) -> None:
        tails.append(np.asarray(t, dtype=np.int32))
        heads.append(np.asarray(h, dtype=np.int32))
        caps.append(np.asarray(c, dtype=np.int64))
        costs.append(np.broadcast_to(np.asarray(w, dtype=np.int64), np.shape(t)))

    cadres = np.arange(n_cad)
    if table.cadre_agency is None:
        add(np.full(n_cad, source), cadre0 + cadres, np.ones(n_cad))
    else:
        members = np.bincount(table.cadre_agency, minlength=n_agency)
        agency_cap = present(table.agency_cap, "agency_cap")
        add(np.full(n_agency, source), agency0 + np.arange(n_agency), np.clip(agency_cap, 0, members))
        add(agency0 + table.cadre_agency, cadre0 + cadres, np.ones(n_cad))
    first_match_arc = sum(len(t) for t in tails)
    head = post0 + table.arc_post[usable]
    if table.arc_pair is not None:  # arcs of pair -1 have no cap and go straight to their post
        head = np.where(table.arc_pair[usable] >= 0, pair0 + table.arc_pair[usable], head)
    needy = np.zeros(0, dtype=np.int64)
    if table.need_post is not None:
        needy = np.flatnonzero(table.need_post)
        entry = np.full(n_post, -1, dtype=np.int64)
        entry[needy] = entry0 + np.arange(len(needy))
        forced = present(table.arc_forced, "arc_forced")[usable] & table.need_post[table.arc_post[usable]]
        head = np.where(forced, entry[table.arc_post[usable]], head)
    add(cadre0 + table.arc_cadre[usable], head, np.ones(len(usable)), -table.arc_score[usable])
    if table.arc_pair is not None:
        pair_post = np.zeros(n_pair, dtype=np.int64)
        capped = table.arc_pair >= 0
        pair_post[table.arc_pair[capped]] = table.arc_post[capped]
        add(pair0 + np.arange(n_pair), post0 + pair_post, np.maximum(present(table.pair_cap, "pair_cap"), 0))
    add(entry0 + np.arange(len(needy)), post0 + needy, np.maximum(post_cap[needy] - 1, 0))
    add(post0 + np.arange(n_post), np.full(n_post, sink), post_cap)
    supply = int(min(n_cad, post_cap.sum()))
    add(np.array([source]), np.array([sink]), np.array([supply]))
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    nodes = np.concatenate([[source, sink], entry0 + np.arange(len(needy)), post0 + needy])
    supplies = np.concatenate([[supply, -supply], np.full(len(needy), -1), np.ones(len(needy))])
    smcf.set_nodes_supplies(nodes.astype(np.int32), supplies.astype(np.int64))
    return smcf, first_match_arc


def greedy_table(table: ArcTable, preassigned: np.ndarray | None = None) -> np.ndarray:
    """Baseline: cadres in index order each take their best remaining positive-score place.

    Ties go to the lower post index.  Respects headcounts, quotas and per-agency caps, ignores the
    medical requirement.  ``preassigned`` arcs are kept and consume capacity first.
    """
    used = np.zeros(len(table.arc_score), dtype=bool) if preassigned is None else preassigned.copy()
    post_left = table.post_cap.astype(np.int64).copy()
    agency_left = None if table.agency_cap is None else table.agency_cap.astype(np.int64).copy()
    pair_left = None if table.pair_cap is None else table.pair_cap.astype(np.int64).copy()
    taken = np.zeros(table.n_cadres, dtype=bool)
    for a in np.flatnonzero(used).tolist():
        _consume(table, a, post_left, agency_left, pair_left)
        taken[table.arc_cadre[a]] = True
    order = np.lexsort((table.arc_post, -table.arc_score, table.arc_cadre))
    bounds = np.searchsorted(table.arc_cadre[order], np.arange(table.n_cadres + 1))
    scores = table.arc_score
    for cadre in np.flatnonzero(~taken).tolist():
        if agency_left is not None and agency_left[present(table.cadre_agency, "cadre_agency")[cadre]] <= 0:
            continue
        for a in order[bounds[cadre] : bounds[cadre + 1]].tolist():
            if scores[a] <= 0:
                break
            if post_left[table.arc_post[a]] > 0 and (
                pair_left is None or pair_left[present(table.arc_pair, "arc_pair")[a]] > 0
            ):
                used[a] = True
                _consume(table, a, post_left, agency_left, pair_left)
                break
    return used


def _consume(
    table: ArcTable,
    a: int,
    post_left: np.ndarray,
    agency_left: np.ndarray | None,
    pair_left: np.ndarray | None,
) -> None:
    post_left[table.arc_post[a]] -= 1
    if agency_left is not None:
        agency_left[present(table.cadre_agency, "cadre_agency")[table.arc_cadre[a]]] -= 1
    if pair_left is not None:
        pair_left[present(table.arc_pair, "arc_pair")[a]] -= 1
