"""bin/demo keeps its worker and scheduled jobs going (issue #16 item 16): the worker is restarted
whenever it exits (kill -9, a lost database), and one failing scheduled run does not end the loop.
The bash helpers of bin/_supervise are run for real with no delays (well under a second)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "bin" / "_supervise"



def _bash(script: str, tmp_path: Path, **env: str) -> str:
    log = tmp_path / "log"
    log.touch()
    subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source {HELPERS}; {script}"],
        check=True, timeout=20, env={"PATH": "/usr/bin:/bin", "LOG": str(log), **env},
    )
    return log.read_text()


def test_a_worker_that_dies_is_started_again(tmp_path):
    log = _bash('supervise worker "$LOG" sh -c "echo run; exit 3"', tmp_path,
                SUPERVISE_MIN_DELAY="0", SUPERVISE_MAX_RESTARTS="2")
    assert log.count("run\n") == 3
    assert log.count("worker: exited with status 3") == 3
    assert log.count("worker: restarting") == 2


def test_a_failing_scheduled_run_does_not_end_the_loop(tmp_path):
    log = _bash('every 0 "$LOG" sh -c "echo tick; exit 1"', tmp_path, EVERY_MAX_RUNS="3")
    assert log.count("tick\n") == 3
    assert log.count("failed with status 1") == 3


def test_stopping_the_supervisor_stops_its_command(tmp_path):
    pid_file = tmp_path / "child.pid"
    _bash(
        f'supervise worker "$LOG" sh -c "echo \\$\\$ > {pid_file}; exec sleep 30" & sup=$!; '
        f'while [ ! -s {pid_file} ]; do sleep 0.01; done; kill "$sup"; wait "$sup" || true',
        tmp_path,
    )
    child = int(pid_file.read_text())
    assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text().lower()


def test_bin_demo_supervises_the_worker_and_the_scheduled_jobs():
    demo = (ROOT / "bin" / "demo").read_text()
    assert "supervise worker var/worker.log" in demo and "manage.py db_worker" in demo
    assert "every 60 var/scheduled-jobs.log" in demo
