"""Independent parts of a matching instance (pure numpy, no Django).

Two cadres or posts are in the same *component* when a chain of eligible arcs joins them, or when they
belong to one agency whose quota binds (fewer places than members who can be matched). Constraints
never cross components, so the optimum of the whole is the union of the components' optima; solving
them apart avoids the super-linear growth of one big min-cost flow.
"""

from __future__ import annotations

import numpy as np


def connected(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Component label of every node (the smallest node index in its component) of the undirected
    graph with edges ``u[i] - v[i]``.

    Union-find in whole-array steps: each round hooks the larger root of every edge whose ends differ
    onto the smaller one, then compresses paths until every node points at its root. Roots only ever
    point at smaller indices, so there are no cycles, and each round merges at least two components.
    """
    parent = np.arange(n_nodes, dtype=np.int64)
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    while len(u):
        ru, rv = parent[u], parent[v]
        differ = ru != rv
        u, v, ru, rv = u[differ], v[differ], ru[differ], rv[differ]  # joined ends stay joined
        if not len(u):
            break
        np.minimum.at(parent, np.maximum(ru, rv), np.minimum(ru, rv))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def batches(component_arcs: np.ndarray, min_arcs: int) -> np.ndarray:
    """Batch number of every component: components in label order are packed into one batch until it
    holds at least ``min_arcs`` arcs (a batch is never split; a large component is a batch of its own).

    Many tiny components are cheaper to solve as one flow than one by one (a flow has a fixed set-up
    cost); the batches stay small enough that the solve time grows about linearly.
    """
    out = np.zeros(len(component_arcs), dtype=np.int64)
    batch, filled = 0, 0
    for i, arcs in enumerate(component_arcs.tolist()):
        if filled >= min_arcs:
            batch, filled = batch + 1, 0
        out[i] = batch
        filled += arcs
    return out
