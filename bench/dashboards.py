"""Dashboards and list pages on the Wuhan-scale city with a simulated month (issue #9, part 3).

    .venv/bin/python bench/dashboards.py                                  # SQLite, var/bench/dashboards.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiachen_bench_dash .venv/bin/python bench/dashboards.py
    .venv/bin/python bench/dashboards.py --build month                    # the city exists: add the month only
    .venv/bin/python bench/dashboards.py --reuse                          # both exist: time the pages only

Phases, each in its own `manage.py` subprocess (so its peak RSS is its own): migrate, `demo_city
--scale wuhan`, `demo_activity` (10 M scans, 1 M errands, 300,000 tickets; the month ends yesterday,
so the dashboards' default "last 30 days" covers it), migrate again (apps that landed since), then
`refresh_rollups --full`. Then, in this process, `django.test.Client` logged in as the organization
department's demo login (`zuzhibu`, scope: the city) requests every dashboard (city, three districts,
three communities, three agencies; default range and the last week) and the main list pages: one
warm-up, then N timed requests (20; 5 when the warm-up took over 10 s; none over 30 s, when the
warm-up is the only measurement). Reported: p50, p95, min,
max, status codes, queries and the slowest query of the warm-up, with its plan when p50 > 1 s.
Writes bench/results/dashboards_<vendor>.json (a --reuse run keeps the build section it finds there).
"""

import argparse
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = ROOT / "var" / "bench" / "dashboards.sqlite3"
SLOW_SECONDS = 1.0  # a page slower than this gets its slowest query explained
TOO_SLOW_SECONDS = 30.0  # a warm-up slower than this is not repeated (and not EXPLAIN ANALYZEd)
# (URL name, label, login): community-scoped pages (errands, passes, surveys) are the community
# manager's, whose community is the demo city's first; the organization department gets a 403 there.
LIST_PAGES = [
    ("cadres:list", "干部名册", "zuzhibu"),
    ("households:list", "住户", "zuzhibu"),
    ("org:list", "单位", "zuzhibu"),
    ("deployments:rounds", "派驻轮次", "zuzhibu"),
    ("deployments:demands", "岗位需求", "zuzhibu"),
    ("rosters:index", "排班", "zuzhibu"),
    ("assessments:index", "考核", "zuzhibu"),
    ("hotline:tickets", "热线工单", "zuzhibu"),
    ("hotline:rates", "三率排名", "zuzhibu"),
    ("errands:list", "代办服务", "shequ"),
    ("errands:operations", "代办运行", "shequ"),
    ("passes:list", "通行证", "shequ"),
    ("passes:scans", "出入记录", "shequ"),
    ("passes:fever", "发热预警", "shequ"),
    ("surveys:list", "问卷", "shequ"),
    ("households:list", "住户", "shequ"),
]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a DATABASE_URL (default: $DATABASE_URL, else a SQLite file in var/bench)")
    parser.add_argument(
        "--build",
        choices=["all", "month", "none"],
        default="all",
        help="all: migrate + city + month; month: the city exists; none: reuse everything",
    )
    parser.add_argument("--reuse", action="store_true", help="same as --build none")
    parser.add_argument("--skip-rollups", action="store_true", help="do not run refresh_rollups --full")
    parser.add_argument("--skip-pages", action="store_true", help="build only: record the phases, time no page")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--factor", type=float, default=1.0, help="scale the month's volumes (tests of this script)")
    parser.add_argument("--scale", default="wuhan")
    arguments = parser.parse_args()
    if arguments.reuse:
        arguments.build = "none"
    return arguments


def child_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }


def run_phase(name: str, arguments: list[str], database: str, log: Path) -> dict:
    """One manage.py command; its wall time, peak RSS and the phase times it prints."""
    started = time.perf_counter()
    with log.open("a") as stream:
        stream.write(f"\n### {name}: manage.py {' '.join(arguments)}\n")
        stream.flush()
        process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=child_env(database),
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = round(time.perf_counter() - started, 1)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{name} failed, see {log}")
    text = log.read_text().rsplit(f"### {name}:", 1)[1]
    phases = {key: float(value) for key, value in re.findall(r"^  seconds\.(\w+)\s+([\d.]+)$", text, re.M)}
    counts = {key: int(value.replace(",", "")) for key, value in re.findall(r"^  ([a-z_.]+)\s+([\d,]+)$", text, re.M)}
    print(f"{name}: {seconds} s", flush=True)
    return {"seconds": seconds, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "phases": phases, "counts": counts}


def build(arguments: argparse.Namespace, database: str, log: Path) -> dict:
    anchor = date.today()  # the month ends yesterday: inside the dashboards' default range
    phases = {}
    if arguments.build == "all":
        phases["migrate"] = run_phase("migrate", ["migrate", "-v0"], database, log)
        phases["city"] = run_phase("city", ["demo_city", "--scale", arguments.scale, "--seed", "2020"], database, log)
    if arguments.build in ("all", "month"):
        phases["month"] = run_phase(
            "month",
            ["demo_activity", "--seed", "2020", "--anchor", anchor.isoformat(), "--factor", str(arguments.factor)],
            database,
            log,
        )
    after = "migrate_after" if arguments.build != "none" else "migrate_check"  # keep the real one's time
    phases[after] = run_phase(after, ["migrate", "-v0"], database, log)
    if not arguments.skip_rollups:
        phases["refresh_rollups_full"] = run_phase("refresh_rollups_full", ["refresh_rollups", "--full"], database, log)
    return phases


def setup_django(database: str) -> None:
    os.environ.update(child_env(database))
    import django

    django.setup()


def database_size() -> dict:
    """Total size and the ten largest tables (with their indexes)."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            total = cursor.fetchone()[0]
            cursor.execute(
                "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON "
                "n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC "
                "LIMIT 10"
            )
            tables = cursor.fetchall()
        else:
            name = Path(settings.DATABASES["default"]["NAME"])
            total = sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
            tables = _sqlite_tables(cursor)
    return {"total_mb": round(total / 2**20, 1), "largest_tables_mb": {t: round(s / 2**20, 1) for t, s in tables}}


def _sqlite_tables(cursor) -> list[tuple[str, int]]:
    """Tables with their indexes, from the dbstat virtual table when SQLite has it."""
    try:
        cursor.execute(
            "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_master m ON m.name = s.name "
            "GROUP BY m.tbl_name ORDER BY 2 DESC LIMIT 10"
        )
        return cursor.fetchall()
    except Exception:
        return []


def pages() -> list[tuple[str, str, str]]:
    """(label, URL, login) of every page to time, resolved against the URLconf that is there now."""
    from django.urls import NoReverseMatch, reverse

    from xiachen.org.models import Unit

    yesterday = date.today() - timedelta(days=1)
    week = f"?from={(yesterday - timedelta(days=6)).isoformat()}&to={yesterday.isoformat()}"
    found = []
    city = Unit.objects.get(code="420100")
    targets = [("city", None)]
    for kind, label in (("district", "district"), ("community", "community")):
        units = Unit.objects.subtree_of(city).filter(kind__code=kind).order_by("path")[:3]
        targets += [(label, unit) for unit in units]
    agencies = Unit.objects.filter(parent=city, kind__code="agency").order_by("path")[:3]
    targets += [("agency", unit) for unit in agencies]
    for level, unit in targets:
        try:
            url = reverse(f"dashboards:{level}", args=[unit.public_id] if unit else [])
        except NoReverseMatch:
            continue
        name = f"dashboard {level}" + (f" {unit.code}" if unit else "")
        found += [(f"{name} (default range)", url, "zuzhibu"), (f"{name} (last week)", url + week, "zuzhibu")]
    for url_name, label, login in LIST_PAGES:
        try:
            found.append((f"list {url_name} ({label}) as {login}", reverse(url_name), login))
        except NoReverseMatch:
            continue
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_page(client, label: str, url: str, requests: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the request_started signal empties the log too: start the capture from zero
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        warm_up = time.perf_counter() - started
    queries = list(captured.captured_queries)  # a view of connection.queries: copy before the next request
    count = requests if warm_up <= 10 else min(requests, 5) if warm_up <= TOO_SLOW_SECONDS else 0
    durations, statuses = [], {response.status_code}
    for _ in range(count):
        started = time.perf_counter()
        statuses.add(client.get(url).status_code)
        durations.append(time.perf_counter() - started)
    durations = durations or [warm_up]  # too slow to repeat: the warm-up is the only measurement
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    result = {
        "url": url,
        "requests": count,
        "status": sorted(statuses),
        "warm_up_s": round(warm_up, 3),
        "p50_s": round(statistics.median(durations), 3),
        "p95_s": round(percentile(durations, 0.95), 3),
        "min_s": round(min(durations), 3),
        "max_s": round(max(durations), 3),
        "queries": len(queries),
        "slowest_query_s": float(slowest["time"]) if slowest else None,
        "slowest_query": slowest["sql"][:2000] if slowest else None,
    }
    if result["p50_s"] > SLOW_SECONDS and slowest:
        result["slowest_query_plan"] = explain(slowest["sql"], analyze=warm_up <= TOO_SLOW_SECONDS)
    print(
        f"{label:<60} p50 {result['p50_s']:7.3f}  p95 {result['p95_s']:7.3f}  {result['status']}  "
        f"{result['queries']} queries",
        flush=True,
    )
    return result


def explain(sql: str, *, analyze: bool) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN "
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return [" | ".join(str(cell) for cell in row) for row in cursor.fetchall()]
    except Exception as error:
        return [f"could not explain: {error}"]


def time_pages(requests: int) -> dict:
    from django.test import Client
    from django.test.utils import override_settings

    from xiachen.accounts.models import User

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 403s are recorded, not printed
    clients = {}
    # The demo logins have no TOTP device; the bench measures pages, not the second factor.
    with override_settings(ALLOWED_HOSTS=["*"], XIACHEN_REQUIRE_TOTP=False):
        results = {}
        for label, url, login in pages():
            if login not in clients:
                clients[login] = Client(raise_request_exception=False)  # a 500 is a result, not a crash
                clients[login].force_login(User.objects.get(username=login))
            results[label] = {"login": login, **time_page(clients[login], label, url, requests)}
        return results


def main() -> None:
    arguments = parse_arguments()
    database = arguments.database or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
    vendor = "postgresql" if database.startswith("postgres") else "sqlite"
    results_path = ROOT / "bench" / "results" / f"dashboards_{vendor}.json"
    previous = json.loads(results_path.read_text()) if results_path.exists() else {}
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    log = ROOT / "var" / "bench" / f"dashboards_{vendor}.log"
    phases = build(arguments, database, log)
    setup_django(database)
    results = {
        "database": vendor,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "2 vCPUs shared with other sessions' jobs: absolute times are noisy",
        },
        "date": date.today().isoformat(),
        "build": {**previous.get("build", {}), **phases} if arguments.build != "all" else phases,
        "database_size": database_size(),
        "pages": previous.get("pages", {}) if arguments.skip_pages else time_pages(arguments.requests),
    }
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {results_path}")


if __name__ == "__main__":
    main()
