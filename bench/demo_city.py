"""Benchmark of the demo city generator (`manage.py demo_city`) on fresh SQLite databases.

Usage::

    python bench/demo_city.py                 # small ×3 (median) and wuhan ×1
    python bench/demo_city.py --scale small   # small only; a wuhan result already in the file is kept

Each run migrates a new temporary database, then runs the command in its own subprocess, so that
``peak_rss_mb`` (``ru_maxrss`` of that child, from ``os.wait4``) belongs to that run alone.
``seconds`` is the generation time the command reports (one transaction: units, cadres, residents,
logins, audit); ``wall_seconds`` adds interpreter and Django start-up. Results go to
bench/results/demo_city.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "demo_city.json"
RUNS = {"small": 3, "wuhan": 1}
SEED = 2020


def child_env(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }


def run_child(arguments: list[str], env: dict[str, str], output: Path) -> tuple[int, float]:
    """Run manage.py with `arguments`; return (exit status, peak RSS in MB) of that process alone."""
    with output.open("w") as stream:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def parse_output(text: str) -> tuple[float, dict[str, int]]:
    """The command's own timing and its table of counts."""
    seconds = float(re.search(r"用时 ([\d.]+) 秒", text).group(1))
    counts = {name: int(count.replace(",", "")) for name, count in re.findall(r"^  ([a-z_.]+)\s+([\d,]+)$", text, re.M)}
    return seconds, counts


def run_once(scale: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="xiachen-bench-") as directory:
        env = child_env(Path(directory) / "demo.sqlite3")
        log = Path(directory) / "out.txt"
        status, _rss = run_child(["migrate", "-v0"], env, log)
        if status:
            raise SystemExit(f"migrate failed:\n{log.read_text()}")
        started = time.perf_counter()
        status, peak_mb = run_child(["demo_city", "--scale", scale, "--seed", str(SEED)], env, log)
        wall = time.perf_counter() - started
        text = log.read_text()
        if status:
            raise SystemExit(f"demo_city failed:\n{text}")
        database_mb = sum(path.stat().st_size for path in Path(directory).glob("demo.sqlite3*")) / 2**20
    seconds, counts = parse_output(text)
    return {
        "scale": scale,
        "seed": SEED,
        "seconds": seconds,
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "database_mb": round(database_mb, 1),
        "counts": counts,
    }


def summarize(scale: str, runs: list[dict]) -> dict:
    median = statistics.median(run["seconds"] for run in runs)
    return {
        "scale": scale,
        "runs": len(runs),
        "seconds": median,
        "seconds_all": [run["seconds"] for run in runs],
        "wall_seconds": statistics.median(run["wall_seconds"] for run in runs),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "database_mb": runs[0]["database_mb"],
        "counts": runs[0]["counts"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(RUNS), action="append", help="repeatable; default: all")
    scales = parser.parse_args().scale or list(RUNS)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"scales": {}}
    for scale in scales:
        runs = [run_once(scale) for _ in range(RUNS[scale])]
        results["scales"][scale] = summarize(scale, runs)
        print(json.dumps(results["scales"][scale], ensure_ascii=False), flush=True)
    results["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": "sqlite",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
