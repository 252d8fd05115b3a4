"""Dashboard reads on a real PostgreSQL streaming replica (xiachen/ops/replica.py, issue #21 item 4).

A throwaway primary and a replica made by pg_basebackup run on loopback ports (tests/ops/pg_clusters.py);
tests/ops/replica_probe.py exercises the router and the middleware against them in a subprocess.
These tests need no test database, so they run in the SQLite pass of the suite only.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .pg_clusters import Clusters

PROBE = Path(__file__).with_name("replica_probe.py")


@pytest.fixture(scope="module")
def clusters():
    """The primary and its replica, with the probe's table created and one row replicated."""
    clusters = Clusters()
    try:
        clusters.start()
        clusters.wait_streaming()
        clusters.setup_seen = run_probe(clusters, "setup")
        yield clusters
    finally:
        clusters.stop()


def probe_env(clusters: Clusters) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE")}
    env.update(DATABASE_URL=clusters.primary.url, DATABASE_REPLICA_URL=clusters.replica.url,
               DJANGO_SETTINGS_MODULE="config.settings.test")
    return env


def run_probe(clusters: Clusters, step: str) -> dict:
    result = subprocess.run([sys.executable, str(PROBE), step], env=probe_env(clusters), capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dashboards_read_the_replica_and_a_writer_reads_the_primary(clusters):
    seen = clusters.setup_seen
    assert seen["replica_in_recovery"] is True and seen["available"] is True
    assert seen["outside_a_request"] == "default"  # only marked requests read the replica
    assert seen["dashboard"] == {"db": "replica", "jobs": ["written-on-primary"]}
    assert seen["other_page"]["db"] == "default"
    assert seen["stamped_by_a_write"] is True
    # Read-your-writes: the session that just wrote reads the primary and sees its own row.
    assert seen["dashboard_after_own_write"]["db"] == "default"
    assert "written-by-the-user" in seen["dashboard_after_own_write"]["jobs"]
    assert seen["write_target"] == "default"


def test_a_replica_that_dies_during_a_request_degrades_to_the_primary_without_an_error(clusters):
    probe = subprocess.Popen([sys.executable, str(PROBE), "replica_dies_during_request"], env=probe_env(clusters),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert probe.stdout.readline().strip() == "READY", probe.stderr.read()[-3000:]
        clusters.stop_cluster(clusters.replica, mode="immediate")
        out, err = probe.communicate("go\n", timeout=120)
    finally:
        if probe.poll() is None:
            probe.kill()
    assert probe.returncode == 0, err[-3000:]
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["available_before"] is True
    assert seen["dashboard"]["db"] == "default"
    assert "written-on-primary" in seen["dashboard"]["jobs"]
    assert seen["available_after"] is False
    # A replica found down by the health check is skipped at once.
    assert seen["available_at_next_check"] is False
    assert seen["next_dashboard"]["db"] == "default"
    assert "written-on-primary" in seen["next_dashboard"]["jobs"]
