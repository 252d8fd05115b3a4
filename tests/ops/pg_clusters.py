"""A throwaway PostgreSQL primary and its streaming replica, on loopback ports, for the replica tests.

The clusters are the real thing (initdb, pg_basebackup -R, pg_ctl) in a temporary directory, run as
the `postgres` system user when the tests run as root (PostgreSQL refuses to run as root).
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are needed")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


class Clusters:
    """`start()` builds and starts a primary and a replica streaming from it; `stop()` removes both."""

    def __init__(self):
        # Its own directory under the system temp dir: pytest's tmp_path is private to root, and the
        # clusters run as the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="xiachen-replica-"))
        self.bin = _bindir()
        self.as_postgres = os.geteuid() == 0
        self.primary = Cluster(self.root / "primary", free_port())
        self.replica = Cluster(self.root / "replica", free_port())

    def run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr.strip()[-2000:]}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.run("initdb", "-D", str(self.primary.directory), "-A", "trust", "-U", "postgres", "--no-sync",
                 "-E", "UTF8", "--locale=C")
        settings = (f"port = {self.primary.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.root}'\nwal_level = replica\nmax_wal_senders = 4\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n")
        with open(self.primary.directory / "postgresql.conf", "a") as conf:
            conf.write(settings)
        self.start_cluster(self.primary)
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
                 "-D", str(self.replica.directory), "-R", "-X", "stream", "--no-sync", "-c", "fast")
        with open(self.replica.directory / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.replica.port}\nhot_standby = on\n")
        self.start_cluster(self.replica)

    def start_cluster(self, cluster: Cluster) -> None:
        self.run("pg_ctl", "-D", str(cluster.directory), "-l", str(self.root / f"{cluster.directory.name}.log"),
                 "-w", "-t", "60", "start")

    def stop_cluster(self, cluster: Cluster, *, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(cluster.directory), "-m", mode, "-w", "stop")

    def stop(self) -> None:
        for cluster in (self.replica, self.primary):
            if (cluster.directory / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):
                    self.stop_cluster(cluster, mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_streaming(self, seconds: float = 30) -> None:
        """Until the primary reports the replica streaming (the replica connected and caught up)."""
        import psycopg

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with psycopg.connect(self.primary.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
                row = conn.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()
            if row[0]:
                return
            time.sleep(0.2)
        raise RuntimeError("the replica did not start streaming")
