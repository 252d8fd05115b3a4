"""Benchmark of the cadre-to-post matcher (pure matching, min-cost flow) against the greedy baseline.

Usage::

    python bench/matching.py --cadres N --seed S [--export DIR] [--import DIR]
    python bench/matching.py --suite [--seed S]

Prints one JSON line per run.  ``seconds`` covers graph building + flow solve + plan extraction only;
instance generation / CSV import and the greedy baseline are timed separately.  ``peak_mb`` is the
process's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (it includes OR-Tools' C++ memory, which
tracemalloc cannot see, and the instance itself); the suite runs every size in a fresh subprocess.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xiachen.solver.matching import ArcTable, greedy_table, solve_table

ARCS_PER_CADRE = 40
POSTS_PER_CADRE = 0.3
WINDOW = 97  # prime, so every step in 1..96 visits distinct posts of the neighbourhood
SUITE_SIZES = (5_000, 20_000, 50_000, 500_000)
RESULTS = Path(__file__).parent / "results" / "matching.json"


@dataclass(frozen=True, eq=False)
class Instance:
    """Pure-matching instance: arcs are (cadre index, post index, integer score)."""

    cadre_ids: np.ndarray
    post_ids: np.ndarray
    headcount: np.ndarray
    arc_cadre: np.ndarray
    arc_post: np.ndarray
    arc_score: np.ndarray

    def table(self) -> ArcTable:
        """The matcher's array view (no quotas, no per-agency cap)."""
        return ArcTable(len(self.cadre_ids), self.arc_cadre, self.arc_post, self.arc_score, self.headcount)


def generate(n_cadres: int, seed: int) -> Instance:
    """Synthetic province: posts on a ring, each cadre eligible for ~40 posts in its neighbourhood.

    score = 20 + affinity(agency, post department) + 10 * specialties met - commute km / 2
    - 15 if the cadre served recently; clipped to >= 1.  Headcounts are 1-5.
    """
    rng = np.random.default_rng(seed)
    n_posts = max(1, round(POSTS_PER_CADRE * n_cadres))
    window = min(WINDOW, n_posts)
    degree = min(ARCS_PER_CADRE, window)
    steps = np.array([s for s in range(1, max(window, 2)) if math.gcd(s, window) == 1] or [1])
    centre = rng.integers(0, n_posts, n_cadres)
    start = rng.integers(0, window, n_cadres)
    step = rng.choice(steps, n_cadres)
    offset = (start[:, None] + np.arange(degree)[None, :] * step[:, None]) % window
    arc_post = ((centre[:, None] + offset - window // 2) % n_posts).ravel()
    arc_cadre = np.repeat(np.arange(n_cadres), degree)
    commute_km = 3 * np.abs(offset - window // 2).ravel()
    agency = rng.integers(0, 60, n_cadres)
    department = rng.integers(0, 30, n_posts)
    affinity = rng.integers(0, 41, (60, 30))
    specialties = rng.binomial(3, 0.3, len(arc_cadre))
    recent = rng.random(n_cadres) < 0.2
    score = (
        20
        + affinity[agency[arc_cadre], department[arc_post]]
        + 10 * specialties
        - commute_km // 2
        - 15 * recent[arc_cadre]
    )
    return Instance(
        np.arange(n_cadres),
        np.arange(n_posts),
        rng.integers(1, 6, n_posts),
        arc_cadre.astype(np.int32),
        arc_post.astype(np.int32),
        np.maximum(score, 1).astype(np.int64),
    )


def _read_csv(path: Path, header: str) -> np.ndarray:
    """Columns of an integer CSV with the given header line (2-D array, one column per field)."""
    with path.open() as f:
        first = f.readline().strip()
    if first != header:
        raise SystemExit(f"{path}: expected header {header!r}, got {first!r}")
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)


def import_instance(directory: Path) -> Instance:
    """Read posts.csv and arcs.csv (integer ids); cadres are the distinct cadre ids of arcs.csv."""
    posts = _read_csv(directory / "posts.csv", "post_id,headcount")
    arcs = _read_csv(directory / "arcs.csv", "cadre_id,post_id,score")
    post_ids, headcount = posts[:, 0], posts[:, 1]
    order = np.argsort(post_ids, kind="stable")
    pos = np.minimum(np.searchsorted(post_ids[order], arcs[:, 1]), len(order) - 1)
    if len(np.unique(post_ids)) != len(post_ids) or (post_ids[order][pos] != arcs[:, 1]).any():
        raise SystemExit("posts.csv has duplicate ids or arcs.csv refers to an unknown post")
    cadre_ids, arc_cadre = np.unique(arcs[:, 0], return_inverse=True)
    arc_post = order[pos]
    if len(np.unique(arc_cadre.astype(np.int64) * len(post_ids) + arc_post)) != len(arcs):
        raise SystemExit("arcs.csv has duplicate cadre/post pairs")
    return Instance(cadre_ids, post_ids, headcount, arc_cadre.astype(np.int32), arc_post.astype(np.int32), arcs[:, 2])


def export(directory: Path, inst: Instance, plan: np.ndarray) -> None:
    """Write posts.csv, arcs.csv and plan.csv (the optimal pure-matching plan)."""
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "posts.csv", "post_id,headcount", inst.post_ids, inst.headcount)
    _write(
        directory / "arcs.csv",
        "cadre_id,post_id,score",
        inst.cadre_ids[inst.arc_cadre],
        inst.post_ids[inst.arc_post],
        inst.arc_score,
    )
    _write(
        directory / "plan.csv",
        "cadre_id,post_id",
        inst.cadre_ids[inst.arc_cadre[plan]],
        inst.post_ids[inst.arc_post[plan]],
    )


def _write(path: Path, header: str, *columns: np.ndarray) -> None:
    np.savetxt(path, np.column_stack(columns), fmt="%d", delimiter=",", header=header, comments="")


def run(n_cadres: int | None, seed: int, export_dir: Path | None, import_dir: Path | None) -> dict:
    """Build or import one instance, solve it exactly and greedily, return the JSON record."""
    t0 = time.perf_counter()
    inst = import_instance(import_dir) if import_dir else generate(n_cadres or 0, seed)
    t1 = time.perf_counter()
    plan = solve_table(inst.table())
    t2 = time.perf_counter()
    greedy_plan = greedy_table(inst.table())
    t3 = time.perf_counter()
    if export_dir:
        export(export_dir, inst, plan)
    objective = int(inst.arc_score[plan].sum())
    greedy_objective = int(inst.arc_score[greedy_plan].sum())
    return {
        "cadres": len(inst.cadre_ids),
        "posts": len(inst.post_ids),
        "arcs": len(inst.arc_score),
        "objective": objective,
        "bound": "optimal",
        "seconds": round(t2 - t1, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "greedy_objective": greedy_objective,
        "gain_pct": round(100 * (objective - greedy_objective) / max(1, greedy_objective), 2),
        "matched": int(plan.sum()),
        "places": int(inst.headcount.sum()),
        "build_seconds": round(t1 - t0, 3),
        "greedy_seconds": round(t3 - t2, 3),
        "seed": seed,
        "source": str(import_dir) if import_dir else "generated",
    }


def suite(seed: int) -> list[dict]:
    """Every suite size in a fresh interpreter (clean peak RSS); writes bench/results/matching.json."""
    records = []
    for n in SUITE_SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--cadres", str(n), "--seed", str(seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        records.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(out.stdout.strip(), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "pure cadre-to-post matching, min-cost flow vs greedy",
                "seconds": "graph build + SimpleMinCostFlow.solve + plan extraction; excludes instance build",
                "peak_mb": "resource.getrusage(RUSAGE_SELF).ru_maxrss of a fresh process per size (MiB), "
                "includes the generated instance and OR-Tools C++ allocations",
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "runs": records,
            },
            indent=2,
        )
        + "\n"
    )
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--export", type=Path, dest="export_dir")
    parser.add_argument("--import", type=Path, dest="import_dir")
    parser.add_argument("--suite", action="store_true", help=f"run {SUITE_SIZES} and write {RESULTS.name}")
    args = parser.parse_args(argv)
    if args.suite:
        suite(args.seed)
        return
    if args.cadres is None and args.import_dir is None:
        parser.error("give --cadres N, --import DIR or --suite")
    print(json.dumps(run(args.cadres, args.seed, args.export_dir, args.import_dir)), flush=True)


if __name__ == "__main__":
    main()
