"""Measure the rostering optimizer on generated instances it was never tuned on (bench/roster_instances.py).

For each shape of the family: one long reference run of the same solver (``--reference-seconds``,
default 20 min), then ``--runs`` runs at the product budget (60 s, 2 workers, seeds 1…); with ``--load``
one other CPU-bound process runs beside every run, as on a busy server. The gap of a run is measured
against the best objective any run found for that instance (the reference normally). Writes
bench/results/rostering_family.json (``--output``); docs/benchmarks-rostering.md's family table is
generated from it by bench/docs_tables.py.

    python bench/rostering_family.py                       # the whole family, quiet
    python bench/rostering_family.py --load --output bench/results/rostering_family_loaded.json
    python bench/rostering_family.py --shapes s12-w2-t2-r15 --reference-seconds 120 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from roster_instances import FAMILY, generate  # noqa: E402
from rostering import run_instance  # noqa: E402

RESULTS_FILE = REPO_ROOT / "bench" / "results" / "rostering_family.json"


@contextmanager
def cpu_load(enabled: bool):
    """One busy process beside the solver while the block runs (the issue's "one other CPU-bound process")."""
    if not enabled:
        yield
        return
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        busy.kill()
        busy.wait()


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def measure_shape(shape, args: argparse.Namespace, workdir: Path) -> dict:
    path = workdir / f"{shape.name}-{args.instance_seed}.txt"
    path.write_text(generate(shape, args.instance_seed), encoding="utf-8")
    with cpu_load(args.load):
        reference, _ = run_instance(path, args.reference_seconds, args.workers, seed=1000)
        reference["load_average"] = _load_average()
        print(json.dumps({"shape": shape.name, "reference": reference}), flush=True)
        runs = []
        for seed in range(1, args.runs + 1):
            record, _ = run_instance(path, args.time_limit, args.workers, seed)
            record["load_average"] = _load_average()
            print(json.dumps({"shape": shape.name, "run": record}), flush=True)
            runs.append(record)
    found = [r["objective"] for r in [reference, *runs] if r["objective"] is not None]
    best = min(found) if found else None
    objectives = [r["objective"] for r in runs if r["objective"] is not None]
    median = statistics.median(objectives) if objectives else None

    def gap(value):
        return None if value is None or not best else round(100.0 * (value - best) / best, 2)

    return {
        "shape": shape.name, "staff": shape.staff, "weeks": shape.weeks, "shift_types": shape.shift_types,
        "requests": shape.requests, "instance_seed": args.instance_seed,
        "reference_objective": reference["objective"], "reference_seconds": args.reference_seconds,
        "best_found": best, "objective_median": median, "gap_median_pct": gap(median),
        "gap_worst_pct": gap(max(objectives)) if objectives else None,
        "bound": max((r["bound"] for r in [reference, *runs] if r["bound"] is not None), default=None),
        "validator_agrees": all(r["validator_objective"] == r["objective"] and not r["violations"]
                                for r in [reference, *runs] if r["objective"] is not None),
        "reference": reference, "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", nargs="*", help="shape names to run (default: the whole family)")
    parser.add_argument("--reference-seconds", type=float, default=1200.0)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instance-seed", type=int, default=1)
    parser.add_argument("--load", action="store_true", help="one busy process beside every run")
    parser.add_argument("--output", default=str(RESULTS_FILE))
    args = parser.parse_args(argv)
    shapes = [s for s in FAMILY if not args.shapes or s.name in args.shapes]
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for shape in shapes:
            results.append(measure_shape(shape, args, Path(workdir)))
            payload = {"time_limit_seconds": args.time_limit, "workers": args.workers, "runs": args.runs,
                       "reference_seconds": args.reference_seconds, "loaded": args.load,
                       "cpus": os.cpu_count(), "shapes": results}
            Path(args.output).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
