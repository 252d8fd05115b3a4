"""Fault tests with a real worker process (issue #16 item 16): `manage.py db_worker` killed with -9
in the middle of a matching run, and a worker whose database connections are cut (PostgreSQL).

The worker runs tests/ops/fault_worker.py: the real command, whose solver waits at a gate file, so
the run is held at "matching 40 %" deterministically. Each test starts one worker process (a couple
of seconds); the waits below only bound how long a broken fix may hang the test.

A PostgreSQL restart is simulated by terminating the worker's backends with pg_terminate_backend
(what a restart does to every client), not by restarting the server, which other sessions share.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.deployments.conftest import make_demand
from xiachen.deployments.enums import RoundStatus
from xiachen.deployments.models import Round
from xiachen.deployments.services import create_round, set_round_scope
from xiachen.ops.models import TaskLease

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 60  # seconds before a wait gives up (a hang is a failure, not a timing assertion)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks(settings):
    """Tasks go to the database queue, as in production, instead of running inline."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def round_(tree, people, cadre1):
    by = people.org_department
    demand = make_demand(tree.community1, "finance_audit_support", by)
    made = create_round(by=by, name="故障演练", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    set_round_scope(by=by, round_=made, demands=[demand], quotas={tree.agency1: 1})
    return made


class Worker:
    def __init__(self, tmp_path: Path, *options: str) -> None:
        self.gate = tmp_path / "gate"
        self.log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.ops.fault_settings",
            "XIACHEN_FAULT_DB_NAME": str(connection.settings_dict["NAME"]),
            "XIACHEN_FAULT_GATE": str(self.gate),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.ops.fault_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.05", *options],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def open_gate(self) -> None:
        self.gate.touch()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=PATIENCE)
        self.log.close()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(*options: str) -> Worker:
        started.append(Worker(tmp_path, *options))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _round(pk: int) -> Round:
    return Round.objects.get(pk=pk)


def _held_at_the_solver(pk: int) -> bool:
    return _round(pk).progress == 40 and TaskLease.objects.filter(state=TaskLease.RUNNING).exists()


def _run(client, round_) -> None:
    response = client.post(reverse("deployments:round_run", args=[round_.public_id]))
    assert response.status_code == 302


def test_a_worker_killed_mid_run_leaves_a_round_the_user_can_run_again(
    client, people, round_, queued_tasks, workers
):
    client.force_login(people.org_department)
    worker = workers()
    _run(client, round_)
    wait_for(lambda: _held_at_the_solver(round_.pk), "the run to reach the solver")
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=PATIENCE)
    stuck = _round(round_.pk)
    assert (stuck.status, stuck.progress) == (RoundStatus.MATCHING, 40)  # the state the issue reported

    progress = client.get(reverse("deployments:round_progress", args=[round_.public_id]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    handed_back = _round(round_.pk)
    assert handed_back.status == RoundStatus.DRAFT
    assert handed_back.run_error == "匹配未完成（后台处理进程已停止），可以重新运行匹配。"
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED  # no worker will start it again
    assert not TaskLease.objects.exists()

    _run(client, round_)  # the re-run button works; a worker (this time in process) finishes the run
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    done = _round(round_.pk)
    assert (done.status, done.progress, done.run_error) == (RoundStatus.REVIEW, 100, "")
    assert done.matches.count() == 1


@pytest.mark.postgresql_only
def test_a_worker_that_loses_its_database_connection_fails_the_run_cleanly_and_keeps_working(
    client, people, round_, queued_tasks, workers
):
    client.force_login(people.org_department)
    worker = workers()
    _run(client, round_)
    wait_for(lambda: _held_at_the_solver(round_.pk), "the run to reach the solver")
    with connection.cursor() as cursor:  # what a PostgreSQL restart does to the worker's connections
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    worker.open_gate()
    failed = wait_for(lambda: (r := _round(round_.pk)).status != RoundStatus.MATCHING and r, "the run to end")
    assert failed.status == RoundStatus.DRAFT
    assert failed.run_error == "匹配未完成（数据库连接中断或数据库繁忙），可以重新运行匹配。"
    assert wait_for(lambda: DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists(), "the task failed")
    assert worker.process.poll() is None  # the worker survived the lost connection

    _run(client, round_)  # the same worker takes the re-run
    done = wait_for(lambda: (r := _round(round_.pk)).status == RoundStatus.REVIEW and r, "the re-run to finish")
    assert (done.progress, done.run_error) == (100, "")
    assert worker.process.poll() is None
