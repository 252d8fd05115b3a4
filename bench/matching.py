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
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xiachen.solver.constrained import solve_constrained
from xiachen.solver.flow import ArcTable, greedy_table, solve_optional

SUITE_SIZES = (5_000, 20_000, 50_000, 500_000)
KEEP_PER_CADRE = 12  # arcs kept per cadre, besides its medical arcs into needy posts (ADR 2131)
WORKERS = min(2, os.cpu_count() or 1)
# (cadres, per-agency cap (0: none), worker processes), one run each
VARIANTS = ((50_000, 1, WORKERS), (50_000, 3, WORKERS), (50_000, 0, WORKERS), (500_000, 2, 1), (500_000, 2, WORKERS))
REPEATS = 3  # fresh processes per size; the JSON keeps every run and the median
RESULTS = Path(__file__).parent / "results" / "matching.json"

# The instance family (rules, not tuned values; see docs/benchmarks-matching.md):
DISTRICT_CADRES = 4_500  # mean cadres per district; sizes vary log-normally (sigma 0.6), >= 500
DISTRICTS_PER_CITY = (4, 12)  # cities group this many districts (uniform)
POSTS_PER_CADRE = (0.2, 0.4)  # per district, uniform
ARCS_PER_CADRE = (24, 32, 40, 48, 56)  # per district, one of these
MEDICAL_SHARE = (0.04, 0.20)  # medically trained cadres, per district, uniform
NEEDY_SHARE = (0.10, 0.40)  # posts requiring one, per district, uniform
CITY_AGENCY_SHARE = 0.2  # cadres of city-level agencies (their quota can join a city's districts)
QUOTA_SHARE = (0.7, 1.1)  # quota / members, per agency, uniform (below 1 it binds)
WINDOW = 97  # prime, so every step in 1..96 visits distinct posts of the neighbourhood


@dataclass(frozen=True, eq=False)
class Instance:
    """Matching instance: arcs are (cadre index, post index, integer score); side arrays optional."""

    cadre_ids: np.ndarray
    post_ids: np.ndarray
    headcount: np.ndarray
    arc_cadre: np.ndarray
    arc_post: np.ndarray
    arc_score: np.ndarray
    cadre_agency: np.ndarray | None = None
    agency_quota: np.ndarray | None = None
    cap: int | None = None
    cadre_medical: np.ndarray | None = None
    need_post: np.ndarray | None = None

    def table(self) -> ArcTable:
        """The matcher's array view (quotas and the per-agency cap when the instance has them)."""
        arc_pair = pair_cap = None
        if self.cap is not None and self.cadre_agency is not None:
            keys = self.cadre_agency[self.arc_cadre].astype(np.int64) * len(self.post_ids) + self.arc_post
            uniq, arc_pair = np.unique(keys, return_inverse=True)
            pair_cap = np.full(len(uniq), self.cap, dtype=np.int64)
        return ArcTable(
            len(self.cadre_ids),
            self.arc_cadre,
            self.arc_post,
            self.arc_score,
            self.headcount,
            self.cadre_agency if self.agency_quota is not None else None,
            self.agency_quota,
            arc_pair,
            pair_cap,
        )


def generate(n_cadres: int, seed: int, cap: int | None = 2) -> Instance:
    """Synthetic province: cities of districts; a cadre is eligible for posts of its own district only.

    Each district draws its own shape (posts per cadre, arcs per cadre, medical share, share of posts
    requiring a medical cadre). Inside a district posts lie on a ring and a cadre reaches ``degree``
    distinct posts of a 97-post neighbourhood. Agencies: district-level ones (about 80 cadres each) and
    city-level ones (20 % of cadres, about 400 each); every agency's quota is 0.7-1.1 x its members.
    score = 20 + affinity(agency kind, post department) + 10 * specialties met - commute km / 2
    - 15 if the cadre served recently + 5 for a medical cadre at a post requiring one; clipped to >= 1.
    Headcounts 1-5; ``cap`` cadres of one agency per post at most (None: no cap).
    """
    rng = np.random.default_rng(seed)
    n_districts = max(1, round(n_cadres / DISTRICT_CADRES))
    weights = rng.lognormal(0, 0.6, n_districts)
    sizes = np.maximum(500, np.floor(weights / weights.sum() * n_cadres)).astype(np.int64)
    sizes[-1] = max(500, n_cadres - sizes[:-1].sum()) if n_districts > 1 else n_cadres
    district = np.repeat(np.arange(n_districts), sizes)[:n_cadres]
    n_cadres = len(district)
    city_of = np.cumsum(rng.integers(*DISTRICTS_PER_CITY, n_districts + 1, endpoint=True))
    city = np.searchsorted(city_of, np.arange(n_districts), side="right")
    ratio = rng.uniform(*POSTS_PER_CADRE, n_districts)
    posts_in = np.maximum(WINDOW, np.round(ratio * np.bincount(district, minlength=n_districts))).astype(np.int64)
    post0 = np.r_[0, np.cumsum(posts_in)[:-1]]
    n_posts = int(posts_in.sum())
    post_district = np.repeat(np.arange(n_districts), posts_in)
    degree = rng.choice(ARCS_PER_CADRE, n_districts)[district]
    steps = np.array([s for s in range(1, WINDOW) if math.gcd(s, WINDOW) == 1])
    centre = rng.integers(0, posts_in[district])
    start = rng.integers(0, WINDOW, n_cadres)
    step = rng.choice(steps, n_cadres)
    cols = np.arange(max(ARCS_PER_CADRE))
    offset = (start[:, None] + cols[None, :] * step[:, None]) % WINDOW
    keep = (cols[None, :] < degree[:, None]).ravel()
    local = (centre[:, None] + offset - WINDOW // 2) % posts_in[district][:, None]
    arc_post = (post0[district][:, None] + local).ravel()[keep]
    arc_cadre = np.repeat(np.arange(n_cadres), len(cols))[keep]
    commute_km = (3 * np.abs(offset - WINDOW // 2)).ravel()[keep]
    del offset, local
    agency = _agencies(rng, district, city)
    n_agency = int(agency.max()) + 1
    members = np.bincount(agency, minlength=n_agency)
    quota = np.ceil(members * rng.uniform(*QUOTA_SHARE, n_agency)).astype(np.int64)
    kind = rng.integers(0, 60, n_agency)
    department = rng.integers(0, 30, n_posts)
    affinity = rng.integers(0, 41, (60, 30))
    medical = rng.random(n_cadres) < rng.uniform(*MEDICAL_SHARE, n_districts)[district]
    need = rng.random(n_posts) < rng.uniform(*NEEDY_SHARE, n_districts)[post_district]
    specialties = rng.binomial(3, 0.3, len(arc_cadre))
    recent = rng.random(n_cadres) < 0.2
    score = (
        20
        + affinity[kind[agency[arc_cadre]], department[arc_post]]
        + 10 * specialties
        - commute_km // 2
        - 15 * recent[arc_cadre]
        + 5 * (medical[arc_cadre] & need[arc_post])
    )
    return Instance(
        np.arange(n_cadres),
        np.arange(n_posts),
        rng.integers(1, 6, n_posts),
        arc_cadre.astype(np.int32),
        arc_post.astype(np.int32),
        np.maximum(score, 1).astype(np.int64),
        agency,
        quota,
        cap,
        medical,
        need,
    )


def _agencies(rng: np.random.Generator, district: np.ndarray, city: np.ndarray) -> np.ndarray:
    """Agency of every cadre: city-level (about 400 cadres each, any district of the city) for
    ``CITY_AGENCY_SHARE`` of them, else district-level (about 80 each)."""
    n = len(district)
    at_city = rng.random(n) < CITY_AGENCY_SHARE
    n_district = np.bincount(district)
    per_district = np.maximum(1, n_district // 80)
    district_agency = np.r_[0, np.cumsum(per_district)[:-1]][district] + rng.integers(0, per_district[district])
    cadre_city = city[district]
    n_city = np.bincount(cadre_city)
    per_city = np.maximum(1, n_city // (400 / CITY_AGENCY_SHARE)).astype(np.int64)
    city_agency = np.r_[0, np.cumsum(per_city)[:-1]][cadre_city] + rng.integers(0, per_city[cadre_city])
    agency = np.where(at_city, per_district.sum() + city_agency, district_agency)
    return np.unique(agency, return_inverse=True)[1].astype(np.int64)


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
    """Write posts.csv, arcs.csv and plan.csv (the plan found; the CSV files carry no side rules, so
    ``--import`` solves them as pure matching)."""
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


def run(
    n_cadres: int | None,
    seed: int,
    export_dir: Path | None,
    import_dir: Path | None,
    cap: int | None = 2,
    with_greedy: bool = True,
    keep: int | None = KEEP_PER_CADRE,
    workers: int = WORKERS,
    check_unpruned: bool = False,
) -> dict:
    """Build or import one instance, solve it (and greedily), check the plan, return the JSON record."""
    load_start = os.getloadavg()[0]
    sampler = TreeRss()
    t0 = time.perf_counter()
    inst = import_instance(import_dir) if import_dir else generate(n_cadres or 0, seed, cap)
    t1 = time.perf_counter()
    table = inst.table()
    side = inst.cadre_medical is not None
    if side:
        result = solve_constrained(table, inst.cadre_medical, inst.need_post, keep_per_cadre=keep, workers=workers)
        plan, unmet = result.plan, result.unmet
    else:
        plan, unmet = solve_optional(table), np.zeros(0, dtype=np.int64)
    t2 = time.perf_counter()
    greedy_plan = greedy_table(table) if with_greedy else None
    t3 = time.perf_counter()
    if export_dir:
        export(export_dir, inst, plan)
    unpruned = None
    if check_unpruned and side and keep is not None:  # the bound of the whole instance, untimed
        unpruned = solve_constrained(table, inst.cadre_medical, inst.need_post, workers=workers).bound
    objective = int(inst.arc_score[plan].sum())
    bound = result.bound if side else objective
    record = {
        "cadres": len(inst.cadre_ids),
        "posts": len(inst.post_ids),
        "arcs": len(inst.arc_score),
        "cap_per_agency_per_post": inst.cap,
        "agencies": 0 if inst.cadre_agency is None else int(inst.cadre_agency.max()) + 1,
        "medical_cadres": 0 if inst.cadre_medical is None else int(inst.cadre_medical.sum()),
        "posts_requiring_medical": 0 if inst.need_post is None else int(inst.need_post.sum()),
        "unmet_medical_posts": len(unmet),
        "components": result.components if side else 1,
        "batches": result.batches if side else 1,
        "flows": result.flows if side else 1,
        "objective": objective,
        "bound": bound,
        "optimal": objective >= bound,
        "gap_pct": round(100 * (bound - objective) / max(1, bound), 4),
        "violations": violations(inst, plan, unmet),
        "keep_per_cadre": keep,
        "workers": workers,
        "seconds": round(t2 - t1, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tree_peak_mb": round(sampler.stop() / 1024, 1),
        "matched": int(plan.sum()),
        "places": int(inst.headcount.sum()),
        "build_seconds": round(t1 - t0, 3),
        "load_avg_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "seed": seed,
        "source": str(import_dir) if import_dir else "generated",
    }
    if unpruned is not None:  # the loss of pruning and of the restriction together, against all arcs
        record["unpruned_bound"] = unpruned
        record["gap_to_unpruned_pct"] = round(100 * (unpruned - objective) / max(1, unpruned), 4)
    if greedy_plan is not None:  # greedy keeps caps and quotas but ignores the medical rule
        greedy_objective = int(inst.arc_score[greedy_plan].sum())
        record["greedy_objective"] = greedy_objective
        record["gain_pct"] = round(100 * (objective - greedy_objective) / max(1, greedy_objective), 2)
        record["greedy_seconds"] = round(t3 - t2, 3)
    return record


class TreeRss(threading.Thread):
    """Samples every 0.2 s the summed VmRSS (KiB) of this process and its children (the solver's worker
    processes) from /proc; ``stop()`` returns the largest sum seen. ru_maxrss cannot give this: a
    spawned worker's counter starts from the parent's size at fork."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self._done = 0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, _tree_rss(os.getpid()))

    def stop(self) -> int:
        self._done.set()
        self.join()
        return max(self.peak, _tree_rss(os.getpid()))


def _tree_rss(root: int) -> int:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) == root or int(fields.get("PPid", "0").strip() or 0) == root:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def violations(inst: Instance, plan: np.ndarray, unmet: np.ndarray) -> int:
    """Independent check of a plan: broken rules counted (cadre twice, headcount, quota, per-agency
    cap, a needy post without a medical cadre unless reported unmet; an unmet post keeps a place)."""
    cadre, post = inst.arc_cadre[plan], inst.arc_post[plan]
    places = inst.headcount.copy()
    places[unmet] = np.maximum(places[unmet] - 1, 0)
    broken = int((np.bincount(cadre, minlength=len(inst.cadre_ids)) > 1).sum())
    broken += int((np.bincount(post, minlength=len(inst.post_ids)) > places).sum())
    if inst.cadre_agency is not None and inst.agency_quota is not None:
        agency = inst.cadre_agency[cadre]
        broken += int((np.bincount(agency, minlength=len(inst.agency_quota)) > inst.agency_quota).sum())
        if inst.cap is not None:
            pairs = np.unique(agency.astype(np.int64) * len(inst.post_ids) + post, return_counts=True)[1]
            broken += int((pairs > inst.cap).sum())
    if inst.cadre_medical is not None and inst.need_post is not None:
        served = np.zeros(len(inst.post_ids), dtype=bool)
        served[post[inst.cadre_medical[cadre]]] = True
        required = inst.need_post.copy()
        required[unmet] = False
        broken += int((required & ~served).sum())
    return broken


def _fresh(n: int, seed: int, cap: int, workers: int, first: bool) -> dict:
    cmd = [sys.executable, __file__, "--cadres", str(n), "--seed", str(seed), "--cap", str(cap)]
    cmd += ["--workers", str(workers)] + (["--check-unpruned"] if first else ["--no-greedy"])
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}")
    print(out.stdout.strip(), flush=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(n: int, seed: int, cap: int, workers: int, repeats: int, variant: bool) -> dict:
    """``repeats`` fresh runs: the first run's record (it also computes greedy and the unpruned bound)
    with the median time; every run's seconds, peaks and load are kept."""
    runs = [_fresh(n, seed, cap, workers, first=repeat == 0) for repeat in range(repeats)]
    keys = ("seconds", "peak_mb", "tree_peak_mb", "load_avg_1min")
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    record = {**runs[0], **{k: median[k] for k in keys}, "variant": variant}
    record["runs"] = [{k: r[k] for k in keys} for r in runs]
    return record


def add_variant(n: int, seed: int, cap: int, workers: int) -> dict:
    """One fresh run added to (or replacing the same variant in) the committed JSON."""
    data = json.loads(RESULTS.read_text())
    record = _measure(n, seed, cap, workers, 1, True)
    same = ("cadres", "cap_per_agency_per_post", "workers", "variant")
    data["runs"] = [r for r in data["runs"] if any(r.get(k) != record[k] for k in same)] + [record]
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    return record


def suite(seed: int) -> list[dict]:
    """Every size ``REPEATS`` times and every variant once, each run in a fresh interpreter (clean peak
    RSS); see ``_measure``. Writes the JSON."""
    plan = [(n, 2, WORKERS, REPEATS, False) for n in SUITE_SIZES] + [(n, c, w, 1, True) for n, c, w in VARIANTS]
    records = [_measure(n, seed, cap, workers, repeats, variant) for n, cap, workers, repeats, variant in plan]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "cadre-to-post matching with quotas, per-agency caps and the medical rule",
                "seconds": "ArcTable build + solve_constrained (pruning, components, flows, worker processes); "
                "excludes instance generation; the median of the fresh-process runs",
                "peak_mb": "resource.getrusage(RUSAGE_SELF).ru_maxrss of the main process (MiB) of that run, "
                "includes the generated instance and OR-Tools C++ allocations",
                "tree_peak_mb": "largest summed VmRSS (MiB) of the process and its worker processes, sampled "
                "every 0.2 s during the run",
                "load_avg_1min": "os.getloadavg()[0] at the start and end of a run (2 shared cores)",
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
    parser.add_argument("--cap", type=int, default=2, help="cadres of one agency per post (0: no cap)")
    parser.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    parser.add_argument("--keep", type=int, default=KEEP_PER_CADRE, help="arcs kept per cadre (0: all)")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--check-unpruned", action="store_true", help="also compute the unpruned bound (untimed)")
    parser.add_argument("--export", type=Path, dest="export_dir")
    parser.add_argument("--import", type=Path, dest="import_dir")
    parser.add_argument("--suite", action="store_true", help=f"run {SUITE_SIZES} and write {RESULTS.name}")
    parser.add_argument("--add-variant", action="store_true", help=f"one run of --cadres, added to {RESULTS.name}")
    args = parser.parse_args(argv)
    if args.suite:
        suite(args.seed)
        return
    if args.add_variant:
        add_variant(args.cadres, args.seed, args.cap, args.workers)
        return
    if args.cadres is None and args.import_dir is None:
        parser.error("give --cadres N, --import DIR or --suite")
    record = run(
        args.cadres,
        args.seed,
        args.export_dir,
        args.import_dir,
        args.cap or None,
        not args.no_greedy,
        args.keep or None,
        args.workers,
        args.check_unpruned,
    )
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
