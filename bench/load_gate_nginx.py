"""The gate load test (bench/load_gate.py) against two gunicorn instances behind nginx (issue #21 item 4).

    .venv/bin/python bench/load_gate_nginx.py                      # PostgreSQL, 50 users, 120 s
    .venv/bin/python bench/load_gate_nginx.py --users 50 --duration 120 --workers 2

Same scratch PostgreSQL database, production settings, fixture and locust mix as bench/load_gate.py
(migrations included, so scans and checkpoint registrations are in monthly partitions, ADR 2111).
Then two gunicorn instances (deploy/gunicorn.conf.py, `--workers` processes each) on two loopback
ports, and nginx started as a foreground process with a generated configuration: the proxying of
deploy/nginx/xiachen.conf (upstream keepalive shorter than gunicorn's, the same proxy headers), plain
HTTP on a loopback port instead of TLS, X-Forwarded-Proto passed on from the client as TLS would set
it, no login rate limit (every simulated gate phone comes from 127.0.0.1). Locust runs against
nginx; nginx logs which upstream answered each request, so the result shows the split, and its error
log is summarized. Everything is torn down at the end. Writes
bench/results/load_gate_nginx_postgresql.json, with the load average (os.getloadavg) before, during
and after the run: the machine has 2 cores shared with other work.
"""

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_gate import (
    _COUNT_SCANS,
    RESULTS,
    ROOT,
    Gunicorn,
    _free_port,
    _locust,
    _manage,
    _production_env,
    _python,
    _scratch_database,
    _version,
)

NGINX = "/usr/sbin/nginx"
CONFIG = """
{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx.error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '$status $request_time $upstream_addr';
    access_log {work}/nginx.access.log upstreams;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    client_max_body_size 25m;
    upstream xiachen_app {{
        server 127.0.0.1:{first} fail_timeout=0;
        server 127.0.0.1:{second} fail_timeout=0;
        keepalive 32;
        keepalive_timeout 4s;  # below gunicorn's keepalive (5 s): never reuse a connection it is closing
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://xiachen_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;  # with the port: Django checks Origin against it
            proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;  # TLS terminates here in production
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_redirect off;
            proxy_read_timeout 75s;
            proxy_buffering on;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, work: Path, port: int, upstreams: tuple[int, int]):
        self.work, self.port = work, port
        self.config = work / "nginx.conf"
        # as root, workers would drop to nobody, who cannot enter the private work directory
        user = "user root;" if os.geteuid() == 0 else ""
        self.config.write_text(
            CONFIG.format(user=user, work=work, port=port, first=upstreams[0], second=upstreams[1])
        )

    def __enter__(self):
        done = subprocess.run([NGINX, "-t", "-c", str(self.config), "-p", str(self.work)], capture_output=True,
                              text=True)
        if done.returncode:
            raise SystemExit(f"nginx -t failed:\n{done.stderr}")
        self.process = subprocess.Popen([NGINX, "-c", str(self.config), "-p", str(self.work)])
        for _ in range(60):
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{self.port}/login/",
                                                 headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback, ours
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise SystemExit("nginx did not answer")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def split(self) -> dict:
        """Requests per upstream and status, from nginx's log."""
        by_upstream, statuses = Counter(), Counter()
        log = self.work / "nginx.access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            status, _seconds, upstream = line.split(" ", 2)  # upstream: "a" or "a, b" when nginx tried two
            by_upstream[upstream] += 1
            statuses[status] += 1
        errors = Counter()
        error_log = self.work / "nginx.error.log"
        for line in error_log.read_text().splitlines() if error_log.exists() else []:
            message = line.split("] ", 1)[-1].split(", client:", 1)[0]  # no time, no client/request
            message = re.sub(r"^\d+#\d+: \*\d+ ", "", message)
            errors[re.sub(r" /\S+", " <file>", message)[:200]] += 1  # one line per kind, not per temp file
        return {"requests_per_upstream": dict(by_upstream), "statuses": dict(statuses), "error_log": dict(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per instance (gthread, 4 threads)")
    parser.add_argument("--max-iterations", type=int, default=5000)
    args = parser.parse_args()
    result = run(args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_gate_nginx_postgresql.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    headline = ("steady_state_seconds", "gate_endpoints", "nginx", "scans_check", "load_average")
    print(json.dumps({key: result[key] for key in headline}))


def run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="xiachen-nginx-") as work:
        work = Path(work)
        database_url, drop = _scratch_database("postgresql", work)
        env = _production_env(database_url, work)
        try:
            _manage(env, "migrate", "--noinput", "-v", "0")
            _manage(env, "collectstatic", "--noinput", "-v", "0")
            fixture = work / "fixture.json"
            _python(env, str(ROOT / "bench" / "load_gate.py"), "--prepare", str(fixture), "--users", str(args.users))
            ports = (_free_port(), _free_port())
            (work / "a").mkdir()
            (work / "b").mkdir()
            with Gunicorn(env, ports[0], args.workers, work / "a") as first, \
                    Gunicorn(env, ports[1], args.workers, work / "b") as second:
                with Nginx(work, _free_port(), ports) as nginx:
                    measured = _locust(env, nginx.port, args, fixture, work)
                split = nginx.split()
            scans_in_database = int(_manage(env, "shell", "-c", _COUNT_SCANS).strip().splitlines()[-1])
            partitions = _manage(env, "shell", "-c", _PARTITIONS).strip().splitlines()[-1]
        finally:
            drop()
    acknowledged = measured["summary"]["scans"]["scans_acknowledged"]
    return {
        "database": "postgresql",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "server": f"nginx {_nginx_version()} on a loopback port, upstream of 2 gunicorn {_version('gunicorn')} "
            f"instances, gthread, {args.workers} workers x 4 threads each (deploy/gunicorn.conf.py)",
            "settings": "config.settings.production (DEBUG off, TOTP on, HTTPS via X-Forwarded-Proto)",
            "client": f"locust {_version('locust')}, {args.users} users, spawn {args.spawn_rate}/s, "
            f"measured for {args.duration} s once every user has signed in, wait 0.5-1.5 s between tasks",
            "mix": "sync 3 (upload 1-3 scans + trust-list, revocations, policy), verify 2, catch-up 1 (50 scans, "
            "1 in 4 re-sent)",
            "data": f"tiny demo city, {args.users} gate accounts; scans in monthly partitions ({partitions})",
        },
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "note": "one shared 2-core box: nginx, both gunicorns, PostgreSQL and locust compete for the cores, "
            "with other sessions' jobs running (see load_average)",
        },
        "load_average": measured["load_average"],
        "steady_state_seconds": measured["summary"]["steady_seconds"],
        "gate_endpoints": measured["summary"]["gate_endpoints"],
        "total": measured["summary"]["total"],
        "endpoints": measured["summary"]["endpoints"],
        "errors": measured["summary"]["errors"],
        "server_errors": {"first": first.errors, "second": second.errors},
        "nginx": split,
        "sign_in_phase": measured["summary"]["sign_in_phase"],
        "scans_check": {
            "acknowledged_stored": acknowledged,
            "in_database": scans_in_database,
            "lost": max(acknowledged - scans_in_database, 0),
            "duplicated": max(scans_in_database - acknowledged, 0),
            "resent": measured["summary"]["scans"]["resent"],
            "resent_answered_duplicate": measured["summary"]["scans"]["resent_duplicates"],
        },
        "locust_exit_code": measured["exit_code"],
    }


_PARTITIONS = (
    "from django.db import connection; c = connection.cursor(); "
    "c.execute(\"SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c "
    "ON c.oid = i.inhrelid WHERE i.inhparent = 'passes_scan'::regclass\"); print(c.fetchone()[0])"
)


def _nginx_version() -> str:
    done = subprocess.run([NGINX, "-v"], capture_output=True, text=True)
    return done.stderr.strip().rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()
