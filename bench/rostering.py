"""Benchmark the rostering optimizer on the Curtois & Qu shift-scheduling instances.

One instance:  python bench/rostering.py INSTANCE_FILE --time-limit 60 --workers 2 --seed 1
               [--write-roster OUT]   → prints one JSON line.
All instances: python bench/rostering.py --all --runs 3   → writes bench/results/rostering.json and
               the best roster of each instance to bench/results/rosters/<Instance>.roster.

Every roster is re-checked by the independent validator; its objective and violations are reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from xiachen.solver.benchmark_format import format_roster, read_benchmark  # noqa: E402
from xiachen.solver.rostering import SolveOptions, solve  # noqa: E402
from xiachen.solver.validate import validate  # noqa: E402

# The instances copied into the repository; pass --instances-dir for the full public set.
DEFAULT_INSTANCE_DIR = REPO_ROOT / "tests" / "solver" / "instances"
RESULTS_FILE = REPO_ROOT / "bench" / "results" / "rostering.json"
ROSTERS_DIR = REPO_ROOT / "bench" / "results" / "rosters"
BEST_KNOWN = {
    "Instance1": 607,
    "Instance2": 828,
    "Instance3": 1001,
    "Instance6": 1950,
    "Instance9": 439,
    "Instance10": 4631,
    "Instance14": 1278,
}


def run_instance(path: Path, time_limit: float, workers: int, seed: int) -> tuple[dict, str]:
    """Solve and validate one instance; returns the JSON record and the roster file text."""
    problem = read_benchmark(path)
    result = solve(problem, SolveOptions(time_limit_seconds=time_limit, workers=workers, seed=seed))
    record = {
        "instance": problem.name,
        "objective": result.objective,
        "bound": result.best_bound,
        "seconds": round(result.seconds, 2),
        "status": result.status,
        "seed": seed,
        "lns_iterations": result.lns_iterations,
        "validator_objective": None,
        "violations": list(result.reasons),
    }
    roster_text = ""
    if result.roster:
        check = validate(problem, result.roster)
        record["validator_objective"] = check.objective
        record["violations"] = list(check.violations)
        roster_text = format_roster(problem, result.roster)
    return record, roster_text


def _gap(objective: float | None, best_known: int) -> float | None:
    if objective is None:
        return None
    return round(100.0 * (objective - best_known) / best_known, 2)


def summarize(name: str, runs: list[dict]) -> dict:
    objectives = [r["objective"] for r in runs if r["objective"] is not None]
    best_known = BEST_KNOWN.get(name)
    median = statistics.median(objectives) if objectives else None
    best = min(objectives) if objectives else None
    bounds = [r["bound"] for r in runs if r["bound"] is not None]
    agree = all(r["validator_objective"] == r["objective"] and not r["violations"] for r in runs)
    return {
        "instance": name,
        "objective_median": median,
        "objective_best": best,
        "best_known": best_known,
        "gap_median_pct": _gap(median, best_known) if best_known else None,
        "gap_best_pct": _gap(best, best_known) if best_known else None,
        "bound": max(bounds) if bounds else None,
        "seconds_median": statistics.median(r["seconds"] for r in runs),
        "validator_agrees": agree,
        "statuses": [r["status"] for r in runs],
        "runs": runs,
    }


def run_all(args: argparse.Namespace) -> int:
    instance_dir = Path(args.instances_dir)
    ROSTERS_DIR.mkdir(parents=True, exist_ok=True)
    summaries = []
    for name in BEST_KNOWN:
        runs, best_roster, best_objective = [], "", None
        for run in range(args.runs):
            record, roster = run_instance(instance_dir / f"{name}.txt", args.time_limit, args.workers, args.seed + run)
            print(json.dumps(record), flush=True)
            runs.append(record)
            if record["objective"] is not None and (best_objective is None or record["objective"] < best_objective):
                best_objective, best_roster = record["objective"], roster
        if best_roster:
            (ROSTERS_DIR / f"{name}.roster").write_text(best_roster, encoding="utf-8")
        summaries.append(summarize(name, runs))
        _write_results(args, summaries)
    return 0


def _write_results(args: argparse.Namespace, summaries: list[dict]) -> None:
    payload = {
        "time_limit_seconds": args.time_limit,
        "workers": args.workers,
        "runs_per_instance": args.runs,
        "first_seed": args.seed,
        "instances": summaries,
    }
    Path(args.output).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", nargs="?", help="instance file in the benchmark text format")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write-roster", help="write the roster file (ID tok_0 … tok_{h-1}) here")
    parser.add_argument("--all", action="store_true", help="solve every benchmark instance")
    parser.add_argument("--runs", type=int, default=3, help="runs per instance with --all")
    parser.add_argument("--instances-dir", default=str(DEFAULT_INSTANCE_DIR))
    parser.add_argument("--output", default=str(RESULTS_FILE), help="results JSON with --all")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.all:
        return run_all(args)
    if not args.instance:
        print("give an INSTANCE_FILE or --all", file=sys.stderr)
        return 2
    record, roster = run_instance(Path(args.instance), args.time_limit, args.workers, args.seed)
    print(json.dumps(record))
    if args.write_roster and roster:
        Path(args.write_roster).write_text(roster, encoding="utf-8")
    return 0 if not record["violations"] else 1


if __name__ == "__main__":
    sys.exit(main())
