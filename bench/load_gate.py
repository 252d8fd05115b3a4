"""Load test of the gate page's server side: sync (scan upload) and verification, under gunicorn.

    .venv/bin/python bench/load_gate.py                          # PostgreSQL and SQLite
    .venv/bin/python bench/load_gate.py --db postgresql --users 50 --duration 120

For each database: a scratch database (PostgreSQL: CREATE DATABASE on 127.0.0.1:5432, dropped after;
SQLite: a WAL file in a temporary directory), production settings (config.settings.production with
throwaway secrets, TOTP required, ManifestStaticFilesStorage after collectstatic), the tiny demo
city plus one gate account (community worker, password + confirmed TOTP device) per simulated
device, a pass policy and 20 signed passes per compound. Then gunicorn with deploy/gunicorn.conf.py
on 127.0.0.1, and locust headless (bench/load/locustfile.py) with N users for the given time.

Loopback only, bounded in time (locust --run-time, plus a hard subprocess timeout) and in count
(each user stops after LOAD_MAX_ITERATIONS loops). Writes bench/results/load_gate_<db>.json with
requests, p50/p95/p99 latency, errors and throughput, the load average sampled during the run, and
the check that every acknowledged scan is in the database exactly once.
"""

import argparse
import base64
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
VENV = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "gate-load-" + "x" * 10  # hashed once; the load accounts live only in the scratch database
PASSES_PER_GATE = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes (gthread, 4 threads each)")
    parser.add_argument("--max-iterations", type=int, default=5000, help="per user, a hard cap on the loop count")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # internal: run inside the settings
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, users=args.users)
        return
    for vendor in ("postgresql", "sqlite") if args.db == "both" else (args.db,):
        result = run(vendor, args)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"load_gate_{vendor}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        headline = ("database", "steady_state_seconds", "gate_endpoints", "scans_check", "load_average")
        print(json.dumps({key: result[key] for key in headline}))


def run(vendor: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="xiachen-load-") as work:
        work = Path(work)
        database_url, drop = _scratch_database(vendor, work)
        env = _production_env(database_url, work)
        try:
            _manage(env, "migrate", "--noinput", "-v", "0")
            _manage(env, "collectstatic", "--noinput", "-v", "0")
            fixture = work / "fixture.json"
            _python(env, str(Path(__file__)), "--prepare", str(fixture), "--users", str(args.users))
            port = _free_port()
            with Gunicorn(env, port, args.workers, work) as server:
                measured = _locust(env, port, args, fixture, work)
            scans_in_database = int(_manage(env, "shell", "-c", _COUNT_SCANS).strip().splitlines()[-1])
        finally:
            drop()
    acknowledged = measured["summary"]["scans"]["scans_acknowledged"]
    return {
        "database": vendor,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": {
            "server": f"gunicorn {_version('gunicorn')} gthread, {args.workers} workers x 4 threads "
            "(deploy/gunicorn.conf.py)",
            "settings": "config.settings.production (DEBUG off, TOTP on, HTTPS via X-Forwarded-Proto)",
            "client": f"locust {_version('locust')}, {args.users} users, spawn {args.spawn_rate}/s, "
            f"measured for {args.duration} s once every user has signed in, wait 0.5-1.5 s between tasks",
            "mix": "sync 3 (upload 1-3 scans + trust-list, revocations, policy), verify 2, catch-up 1 (50 scans, "
            "1 in 4 re-sent)",
            "data": f"tiny demo city, {args.users} gate accounts, {PASSES_PER_GATE} passes per compound",
        },
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "note": "one shared 2-core box: gunicorn, the database and locust itself compete for the cores, "
            "with other sessions' jobs running",
        },
        "load_average": measured["load_average"],
        "steady_state_seconds": measured["summary"]["steady_seconds"],
        "gate_endpoints": measured["summary"]["gate_endpoints"],
        "total": measured["summary"]["total"],
        "endpoints": measured["summary"]["endpoints"],
        "errors": measured["summary"]["errors"],
        "server_errors": server.errors,
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


_COUNT_SCANS = "from xiachen.passes.models import Scan; print(Scan.objects.count())"


def prepare(output: Path, *, users: int) -> None:
    """Inside the production settings: the tiny demo city, gate accounts with TOTP, policies and passes."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xiachen.accounts.models import Membership, User
    from xiachen.households.models import Resident
    from xiachen.org.models import Unit
    from xiachen.passes import services

    call_command("demo_city", scale="tiny", seed=2020, verbosity=0)
    compounds = list(Unit.objects.filter(kind__code="compound", households__isnull=False).distinct().order_by("path"))
    password, now, tokens, accounts = make_password(PASSWORD), timezone.now(), {}, []
    for index, compound in enumerate(compounds):
        community = services.community_of(compound)
        manager = User.objects.create(username=f"load-manager-{index}", display_name="门岗负责人", password=password)
        Membership.objects.create(user=manager, role="unit_manager", unit=community)
        services.publish_policy(
            by=manager,
            community=community,
            rules={"hours": ["00:00", "24:00"], "out_every_days": 0},
            effective_at=now - timedelta(days=1),
            change_note="load test",
        )
        residents = Resident.objects.filter(household__compound=compound).order_by("pk")[:PASSES_PER_GATE]
        tokens[str(compound.public_id)] = [
            services.issue_pass(
                by=manager, resident=r, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=2)
            ).token
            for r in residents
        ]
    for index in range(users):
        compound = compounds[index % len(compounds)]
        user = User.objects.create(username=f"load-gate-{index}", display_name="门岗", password=password)
        Membership.objects.create(user=user, role="community_worker", unit=services.community_of(compound))
        device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
        accounts.append({"username": user.username, "totp_key": device.key, "gate": str(compound.public_id)})
    output.write_text(json.dumps({"password": PASSWORD, "accounts": accounts, "tokens": tokens}))


def _scratch_database(vendor: str, work: Path):
    if vendor == "sqlite":
        return f"sqlite:///{work / 'load.sqlite3'}", lambda: None
    name = f"xiachen_load_{os.getpid()}_{int(time.time())}"
    _psql(f"CREATE DATABASE {name}")
    return f"{PG}/{name}", lambda: _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def _production_env(database_url: str, work: Path) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIACHEN_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "XIACHEN_FIELD_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "XIACHEN_AUDIT_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_AUDIT_ANCHOR_FILE": str(work / "audit-anchors.jsonl"),
        "DATABASE_URL": database_url,
        "XIACHEN_LOGIN_CODE_SENDER": "tests.fixtures.stand_ins.remember_login_code",
        "XIACHEN_NOTICE_TRANSPORT": "tests.fixtures.stand_ins.RememberingTransport",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
        "PYTHONPATH": str(ROOT),
    }


def _manage(env: dict, *command: str) -> str:
    return _python(env, str(ROOT / "manage.py"), *command)


def _python(env: dict, *command: str) -> str:
    done = subprocess.run(
        [str(VENV / "python"), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict, port: int, workers: int, work: Path):
        self.env = env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
        self.port, self.log = port, work / "gunicorn.log"

    def __enter__(self):
        command = [str(VENV / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "config.wsgi"]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(240):
            if self._ready():
                return self
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def _ready(self) -> bool:
        """Every worker has answered a page (the sign-in page needs templates, static manifest, database)."""
        try:
            for _ in range(12):
                with urllib.request.urlopen(  # loopback, our own server
                    urllib.request.Request(
                        f"http://127.0.0.1:{self.port}/login/", headers={"X-Forwarded-Proto": "https"}
                    ),
                    timeout=30,
                ) as response:
                    if response.status != 200:
                        return False
            return True
        except OSError:
            return False

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.errors = server_errors(self.log.read_text())
        if self.errors:
            print(f"gunicorn logged errors: {self.errors}", file=sys.stderr)


def server_errors(log: str) -> dict[str, int]:
    """The last line of every traceback (the exception) and every other error line, with counts."""
    found: dict[str, int] = {}
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = index + 1
            while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
                end += 1
            message = lines[end][:300] if end < len(lines) else "traceback"
        elif "[ERROR]" in line or line.startswith(("Internal Server Error", "Bad Request", "Forbidden")):
            message = line.split("] ", 1)[-1][:300]
        else:
            continue
        found[message] = found.get(message, 0) + 1
    return found


def _locust(env: dict, port: int, args, fixture: Path, work: Path) -> dict:
    summary = work / "summary.json"
    locust_env = env | {
        "LOAD_FIXTURE": str(fixture),
        "LOAD_SUMMARY": str(summary),
        "LOAD_MAX_ITERATIONS": str(args.max_iterations),
        "LOAD_USERS": str(args.users),
        "LOAD_STEADY_SECONDS": str(args.duration),
    }
    command = [
        str(VENV / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",  # an upper bound: the locustfile ends the run `duration` s after the last sign-in
        f"{args.duration + 300}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--loglevel",
        "WARNING",
    ]
    samples, stop = [], threading.Event()

    def sample():
        while not stop.wait(5):
            samples.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    before = os.getloadavg()
    sampler.start()
    done = subprocess.run(
        command, cwd=ROOT, env=locust_env, capture_output=True, text=True, timeout=args.duration + 420
    )
    stop.set()
    after = os.getloadavg()
    print(done.stderr[-3000:], file=sys.stderr)
    if not summary.exists():
        raise SystemExit(f"locust wrote no summary:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {
        "summary": json.loads(summary.read_text()),
        "exit_code": done.returncode,
        "load_average": {
            "before_1_5_15min": [round(x, 2) for x in before],
            "during_1min_min_mean_max": [
                round(min(samples), 2),
                round(sum(samples) / len(samples), 2),
                round(max(samples), 2),
            ]
            if samples
            else [],
            "after_1_5_15min": [round(x, 2) for x in after],
        },
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
