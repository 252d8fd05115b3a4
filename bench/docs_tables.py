"""Writes the benchmark tables of the docs from the committed result files, so the two cannot drift.

    python bench/docs_tables.py          rewrite every generated table in place
    python bench/docs_tables.py --check  exit 1 (and name the tables) when a doc is out of date

A generated table sits between two marker comments in a Markdown file:

    <!-- generated: NAME from bench/results/FILE.json by bench/docs_tables.py; do not edit -->
    ...
    <!-- end generated: NAME -->

Everything between them is replaced by ``TABLES[NAME]()``. Numbers in the docs outside such blocks
either come from a result file in prose (and say which) or say that they have none.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOCS = [ROOT / "docs" / name for name in ("benchmarks.md", "benchmarks-rostering.md", "benchmarks-matching.md")]
BLOCK = re.compile(
    r"(?P<start><!-- generated: (?P<name>[\w-]+) from (?P<source>[^ ]+) by bench/docs_tables\.py; do not edit -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- end generated: (?P=name) -->)",
    re.DOTALL,
)


def _load(name: str) -> Any:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def _table(header: list[str], align: str, rows: list[list[str]]) -> str:
    """A Markdown table; ``align`` has one letter per column, l or r."""
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|\n"
    lines = ["| " + " | ".join(cells) + " |\n" for cells in [header, *rows]]
    return lines[0] + rule + "".join(lines[1:])


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000):,}"


def _bold_if(text: str, condition: bool) -> str:
    return f"**{text}**" if condition else text


# ------------------------------------------------------------------------------------------ tables


def foundation() -> str:
    imports = _load("import_cadres.json")
    demo = _load("demo_city.json")["scales"]
    totals = [run["total_s"] for run in imports["runs"]]
    previews = [run["preview_s"] for run in imports["runs"]]
    commits = [run["commit_s"] for run in imports["runs"]]
    small, wuhan = demo["small"], demo["wuhan"]
    counts = wuhan["counts"]
    rows = [
        [
            f"import of {imports['rows']:,} valid cadre rows (preview + commit, median of {len(totals)})",
            f"**{imports['median_s']:.1f} s** (preview {min(previews):.1f}–{max(previews):.1f} s, commit "
            f"{min(commits):.1f}–{max(commits):.1f} s; ≈ {imports['rows_per_s']:,} rows/s)",
            f"< {imports['goal_s']} s",
            "`bench/import_cadres.py` → `import_cadres.json`",
        ],
        [
            f"demo city, small ({small['counts']['cadres']:,} cadres, {small['counts']['residents']:,} residents; "
            f"median of {small['runs']})",
            f"**{small['seconds']:.1f} s** ({min(small['seconds_all']):.1f}–{max(small['seconds_all']):.1f} s), "
            f"peak RSS {small['peak_rss_mb']:.0f} MB",
            "< 30 s",
            "`bench/demo_city.py` → `demo_city.json`",
        ],
        [
            f"demo city, wuhan ({counts['residents']:,} residents, {counts['households']:,} households, "
            f"{counts['cadres']:,} cadres, {counts['units.community']:,} communities, "
            f"{counts['units.compound']:,} compounds; {wuhan['runs']} run)",
            f"**{wuhan['seconds']:.0f} s**, peak RSS {wuhan['peak_rss_mb']:.0f} MB, SQLite file "
            f"{wuhan['database_mb']:.0f} MB",
            "report",
            "same",
        ],
    ]
    return _table(["measure", "result", "goal", "source"], "llll", rows)


def _matching_runs() -> list[dict]:
    runs = _load("matching.json")["runs"]
    return sorted(
        runs, key=lambda run: (run["variant"], run["cadres"], run["cap_per_agency_per_post"] or 0, run["workers"])
    )


def _load_range(run: dict) -> str:
    loads = [x for r in run["runs"] for x in r["load_avg_1min"]]
    return f"{min(loads):.1f}–{max(loads):.1f}"


def _peak(run: dict) -> float:
    return max(max(r["peak_mb"], r["tree_peak_mb"]) for r in run["runs"])


def matching() -> str:
    rows = [
        [
            f"{run['cadres']:,}",
            f"{run['posts']:,}",
            f"{run['arcs'] / 1e6:.1f} M",
            _bold_if(f"{run['seconds']:.1f} s", run["cadres"] in (50_000, 500_000)),
            f"{_peak(run):,.0f} MiB",
            f"{run['gap_to_unpruned_pct']:.4f} %",
            f"+{run['gain_pct']:.1f} %",
            _load_range(run),
        ]
        for run in _matching_runs()
        if not run["variant"]
    ]
    header = ["cadres", "posts", "arcs", "solve (median of 3)", "peak RSS", "gap", "vs greedy", "load avg"]
    return _table(header, "rrrrrrrr", rows)


def matching_suite() -> str:
    rows = [
        [
            f"{run['cadres']:,}",
            str(run["cap_per_agency_per_post"] or "none"),
            str(run["workers"]),
            f"{run['arcs']:,}",
            str(run["components"]),
            f"**{run['seconds']:.1f}**"
            + (" (" + " / ".join(f"{r['seconds']:.1f}" for r in run["runs"]) + ")" if len(run["runs"]) > 1 else ""),
            f"{_peak(run):,.0f}",
            f"{run['objective']:,}",
            f"{run['bound']:,}",
            f"{run['unpruned_bound']:,}",
            f"{run['gap_to_unpruned_pct']:.4f} %",
            f"{run['unmet_medical_posts']:,} / {run['posts_requiring_medical']:,}",
            str(run["violations"]),
            _load_range(run),
        ]
        for run in _matching_runs()
    ]
    header = [
        "cadres",
        "cap",
        "workers",
        "arcs",
        "parts",
        "solve s: median (each run)",
        "peak MiB",
        "objective",
        "bound (pruned)",
        "bound (all arcs)",
        "gap",
        "unmet / needy posts",
        "violations",
        "load avg",
    ]
    return _table(header, "rlrrrrrrrrrrrr", rows)


def _rostering() -> dict:
    return _load("rostering.json")


def rostering() -> str:
    data = _rostering()
    rows = []
    singles = []
    for item in data["instances"]:
        bound = item["bound"]
        rows.append(
            [
                item["instance"],
                str(item["best_known"]),
                str(item["objective_median"]),
                str(item["objective_best"]),
                f"{item['gap_median_pct']:.1f} %",
                f"{item['gap_best_pct']:.1f} %",
                "—" if bound is None else f"{bound:g}",
                f"{item['seconds_median']:.1f}",
                "/".join(status[:3] for status in item["statuses"]),
                "yes" if item["validator_agrees"] else "**no**",
            ]
        )
        if any(status != "OPTIMAL" for status in item["statuses"]):
            singles.append(f"{item['instance']} " + "/".join(str(run["objective"]) for run in item["runs"]))
    header = [
        "instance", "best known", "objective median", "objective best", "gap median", "gap best", "bound",
        "time median (s)", "statuses", "validator agrees",
    ]
    text = _table(header, "llllllllll", rows)
    if singles:
        text += "\nSingle runs (seeds in order): " + "; ".join(singles) + ".\n"
    return text


def rostering_summary() -> str:
    data = _rostering()
    rows = [
        [
            item["instance"],
            str(item["best_known"]),
            str(item["objective_median"]),
            f"+{item['gap_median_pct']:.1f} %",
            f"{item['seconds_median']:.1f} s",
            "/".join(status[:3] for status in item["statuses"]),
        ]
        for item in data["instances"]
    ]
    text = (
        f"{data['time_limit_seconds']:g} s, {data['workers']} workers, {data['runs_per_instance']} seeds from "
        f"{data['first_seed']}; medians:\n\n"
    )
    return text + _table(["instance", "best known", "objective", "gap", "time", "statuses"], "lrrrrl", rows)


def _family_rows(data: dict) -> list[list[str]]:
    rows = []
    for item in data["shapes"]:
        loads = [run["load_average"] for run in item["runs"]]
        rows.append([
            item["shape"], f"{item['staff']} × {item['weeks']} wk × {item['shift_types']}",
            str(item["reference_objective"]), str(item["best_found"]),
            "/".join(str(run["objective"]) for run in item["runs"]),
            _bold_if(f"{item['gap_median_pct']:.1f} %", item["gap_median_pct"] <= 5.0),
            f"{item['gap_worst_pct']:.1f} %", f"{min(loads):.1f}–{max(loads):.1f}",
            "yes" if item["validator_agrees"] else "**no**",
        ])
    return rows


def rostering_family(name: str) -> Callable[[], str]:
    """The generated-instance study (bench/rostering_family.py), from one result file."""

    def table() -> str:
        data = _load(name)
        head = (f"{data['time_limit_seconds']:g} s, {data['workers']} workers, seeds 1–{data['runs']}; reference: one "
                f"{data['reference_seconds']:g} s run of the same solver; "
                f"{'one busy process beside every run' if data['loaded'] else 'nothing else running'}. "
                "Gaps against the best objective any run found; bold: within 5 %.\n\n")
        header = ["shape", "size", "reference", "best found", "runs", "gap median", "gap worst", "load", "validator"]
        return head + _table(header, "llrrlrrll", _family_rows(data))

    return table


def passes_table() -> str:
    data = _load("passes.json")
    verification = data["verification"]
    end_to_end = sorted(run[2] for run in verification["runs"]["end_to_end"])
    sqlite, postgres = data["ingest_sqlite"], data["ingest_postgresql"]

    def runs(values: list[int]) -> str:
        return " / ".join(f"{value:,}" for value in values)

    two, four = postgres["concurrent_uploaders"]["2"], postgres["concurrent_uploaders"]["4"]
    rows = [
        [
            "raw Ed25519 verify (PyNaCl/libsodium), 2,000 distinct signatures",
            f"{verification['raw_ed25519_verify_per_s']:,} /s",
            "—",
        ],
        [
            "server verifier end to end: decode, key, signature, window, audience, revocation list, policy, "
            "2,000 distinct tokens, snapshot read once",
            f"{verification['end_to_end_verify_per_s']:,} /s = **{verification['ratio']:.3f}** of raw (median of "
            f"{len(end_to_end)} rounds, {end_to_end[0]:.3f}–{end_to_end[-1]:.3f})",
            "≥ 0.80 (met)" if verification["ratio"] >= 0.8 else "≥ 0.80 (**not met**)",
        ],
        [
            "the batch API `verify_tokens`, which also reads the snapshot (3 queries) for every 500 tokens",
            f"{verification['server_batch_ratio']:.2f} of raw",
            "—",
        ],
        [
            f"HTTP ingest, batches of {sqlite['batch']}, SQLite, one uploader",
            f"{sqlite['scans_per_s']:,} scans/s (runs {runs(sqlite['runs'])}; "
            f"{sqlite['distinct_tokens_scans_per_s']:,} with every token distinct)",
            "≥ 5,000 (met)" if sqlite["scans_per_s"] >= 5000 else "≥ 5,000 (**not met**)",
        ],
        [
            f"HTTP ingest, batches of {postgres['batch']}, PostgreSQL, one uploader",
            f"{postgres['scans_per_s']:,} scans/s (runs {runs(postgres['runs'])}; "
            f"{postgres['distinct_tokens_scans_per_s']:,} distinct)",
            "—",
        ],
        [
            f"HTTP ingest, batches of {postgres['batch']}, PostgreSQL, **two uploaders at once** (separate "
            "processes and connections)",
            f"**{two['scans_per_s']:,} scans/s** (runs {runs(two['runs'])})",
            "≥ 20,000 (met)" if min(two["runs"]) >= 20_000 else "≥ 20,000 (**not met** in every run)",
        ],
        ["same, four uploaders", f"{four['scans_per_s']:,} scans/s (runs {runs(four['runs'])})", "—"],
    ]
    plain = data.get("ingest_postgresql_plain_tables")
    if plain:  # the same session, a fresh database without the partitioning migration (ADR 2111)
        two_plain, four_plain = plain["concurrent_uploaders"]["2"], plain["concurrent_uploaders"]["4"]
        rows.append([
            "PostgreSQL, scans in monthly partitions (the layout migrate builds) against a plain table, "
            "one / two / four uploaders",
            f"{postgres['scans_per_s']:,} / {two['scans_per_s']:,} / {four['scans_per_s']:,} against "
            f"{plain['scans_per_s']:,} / {two_plain['scans_per_s']:,} / {four_plain['scans_per_s']:,} scans/s "
            f"(load average {', '.join(postgres['load_average'])} and {', '.join(plain['load_average'])})",
            "keep the numbers",
        ])
    return _table(["measure", "result", "goal"], "lll", rows)


def _p50_p95_max(values: dict[str, float]) -> str:
    """Milliseconds as the docs print them: one decimal below 100, none above."""
    picked = [values[key] for key in ("p50", "p95", "max")]
    return " / ".join(f"{value:.1f}" if value < 100 else f"{value:.0f}" for value in picked)


def gate_latency() -> str:
    data = _load("passes.json")["gate_latency"]
    labels = {
        "webcrypto_cpu1x": ("WebCrypto Ed25519", "this machine"),
        "webcrypto_cpu4x": ("WebCrypto Ed25519", "4× throttled (low-end phone)"),
        "tweetnacl_cpu1x": ("tweetnacl fallback", "this machine"),
        "tweetnacl_cpu4x": ("tweetnacl fallback", "4× throttled"),
    }
    rows = []
    for key, (verifier, cpu) in labels.items():
        shown, painted = data[key]["shown_ms"], data[key]["painted_ms"]
        rows.append(
            [
                verifier,
                cpu,
                f"{_p50_p95_max(shown)} ms",
                f"{_p50_p95_max(painted)} ms",
                "≤ 300 ms (p95 met)" if painted["p95"] <= 300 and shown["p95"] <= 300 else "≤ 300 ms (**not met**)",
            ]
        )
    header = ["verifier", "CPU", "verdict shown p50 / p95 / max", "next frame painted p50 / p95 / max", "goal"]
    return _table(header, "lllll", rows)


def load_gate() -> str:
    rows = []
    for database, label in (("postgresql", "PostgreSQL"), ("sqlite", "SQLite (WAL)")):
        data = _load(f"load_gate_{database}.json")
        total = data["total"]
        errors = str(total["failures"])
        if data["errors"]:
            kinds = [f"{error['error']} on `{error['name']}` ×{error['occurrences']}" for error in data["errors"]]
            errors += " (" + "; ".join(kinds) + ")"
        _low, mean, high = data["load_average"]["during_1min_min_mean_max"]
        rows.append(
            [
                label,
                f"{total['requests']:,}",
                errors,
                f"{total['p50_ms']:,} ms",
                f"{total['p95_ms'] / 1000:g} s" if total["p95_ms"] >= 1000 else f"{total['p95_ms']} ms",
                f"{total['p99_ms'] / 1000:g} s" if total["p99_ms"] >= 1000 else f"{total['p99_ms']} ms",
                f"{total['requests_per_s']:g} req/s",
                f"{mean:.1f} / {high:.1f}",
            ]
        )
    header = ["database", "requests", "errors", "p50", "p95", "p99", "throughput"]
    header.append("load avg during (1 min: mean / max)")
    return _table(header, "llllllll", rows)


def partitions_insert() -> str:
    """Database side of the ingest: partitioned (claims by the writer, and the first version's row
    trigger) against the plain table, interleaved in one process (bench/partitions_insert.py)."""
    data = _load("partitions_insert.json")

    def cell(measure: dict, name: str) -> str:
        values = measure[name]
        text = f"{values['median_ms']:.1f} ms ({values['q1_ms']:.1f}–{values['q3_ms']:.1f})"
        return text if name == "plain" else f"{text}, ×{measure[f'ratio_{name}_to_plain']:.2f}"

    rows = []
    labels = (("copy_new_batch", "a new 500-scan batch"), ("resend_half_stored", "a re-send, half of it stored"))
    for key, label in labels:
        measure = data[key]
        rows.append([label, cell(measure, "plain"), cell(measure, "partitioned"), cell(measure, "row_trigger")])
    before = data["load_average"]["before_1_5_15min"]
    rows.append(["load average before (1 / 5 / 15 min)", " / ".join(f"{x:g}" for x in before), "", ""])
    header = ["per batch, median (quartiles)", "plain table (before ADR 2111)",
              "monthly partitions, the writer claims (now)", "monthly partitions, row trigger claims (first version)"]
    return _table(header, "llll", rows)


def load_gate_nginx() -> str:
    """The same load through nginx to two gunicorn instances (bench/load_gate_nginx.py)."""
    data = _load("load_gate_nginx_postgresql.json")
    total = data["total"]
    errors = str(total["failures"])
    if data["errors"]:
        kinds = [f"{error['error']} on `{error['name']}` ×{error['occurrences']}" for error in data["errors"]]
        errors += " (" + "; ".join(kinds) + ")"
    _low, mean, high = data["load_average"]["during_1min_min_mean_max"]
    split = data["nginx"]["requests_per_upstream"]
    shares = " / ".join(f"{count:,}" for _upstream, count in sorted(split.items()))
    checked = data["scans_check"]
    rows = [
        [
            "nginx → 2 × gunicorn, PostgreSQL (partitioned scans)",
            f"{total['requests']:,}",
            errors,
            f"{total['p50_ms']:,} ms",
            f"{total['p95_ms'] / 1000:g} s" if total["p95_ms"] >= 1000 else f"{total['p95_ms']} ms",
            f"{total['p99_ms'] / 1000:g} s" if total["p99_ms"] >= 1000 else f"{total['p99_ms']} ms",
            f"{total['requests_per_s']:g} req/s",
            shares,
            f"{checked['lost']} / {checked['duplicated']}",
            f"{mean:.1f} / {high:.1f}",
        ]
    ]
    header = ["setup", "requests", "errors", "p50", "p95", "p99", "throughput", "per gunicorn (nginx log)",
              "scans lost / duplicated", "load avg during (1 min: mean / max)"]
    return _table(header, "llllllllll", rows)


def dashboard_pages() -> str:
    sqlite = _load("dashboards_sqlite.json")["pages"]
    postgres = _load("dashboards_postgresql.json")["pages"]

    def cell(page: dict | None) -> str:
        if page is None:
            return "—"
        text = f"{_ms(page['p50_s'])} / {_ms(page['p95_s'])}"
        failed = [code for code in page["status"] if code >= 400]
        if failed:
            text += " (" + ", ".join(str(code) for code in failed) + ")"
        return _bold_if(text, page["p50_s"] > 1.0)

    rows = []
    for name in list(dict.fromkeys([*sqlite, *postgres])):
        one, two = sqlite.get(name), postgres.get(name)
        queries = "/".join(str(page["queries"]) if page else "—" for page in (one, two))
        rows.append([name, queries, cell(one), cell(two)])
    return _table(["page", "queries", "SQLite p50 / p95 (ms)", "PostgreSQL p50 / p95 (ms)"], "lrrr", rows)


def pages() -> str:
    by_database = {database: _load(f"pages_{database}.json") for database in ("postgresql", "sqlite")}
    goal = by_database["postgresql"]["goal_p95_s"]

    def cell(page: dict | None) -> str:
        if page is None:
            return "—"
        text = f"{_ms(page['p50_s'])} / {_ms(page['p95_s'])} ({page['queries']}, {_ms(page['query_s'])})"
        return _bold_if(text, page["p95_s"] > goal)

    rows = []
    logins = list(dict.fromkeys([*by_database["postgresql"]["roles"], *by_database["sqlite"]["roles"]]))
    for login in logins:
        roles = [by_database[db]["roles"].get(login, {}).get("pages", {}) for db in ("postgresql", "sqlite")]
        for name in dict.fromkeys([*roles[0], *roles[1]]):
            rows.append([login, f"`{name}`", cell(roles[0].get(name)), cell(roles[1].get(name))])
    header = ["login", "page", "postgresql p50 / p95 ms (queries, SQL ms)", "sqlite p50 / p95 ms (queries, SQL ms)"]
    return _table(header, "llrr", rows)


def pages_summary() -> str:
    """Counts and extremes quoted in the prose around the pages table."""
    lines = []
    for database in ("sqlite", "postgresql"):
        data = _load(f"pages_{database}.json")
        every = [page for role in data["roles"].values() for page in role["pages"].values()]
        over = [page for page in every if page["p95_s"] > data["goal_p95_s"]]
        lines.append(
            f"- {database}: {len(every)} page visits over {len(data['roles'])} logins; p50 at most "
            f"{_ms(max(page['p50_s'] for page in every))} ms "
            f"(median {_ms(statistics.median(page['p50_s'] for page in every))} ms); "
            f"SQL per page at most {_ms(max(page['query_s'] for page in every))} ms; at most "
            f"{max(page['queries'] for page in every)} queries; {len(over)} pages with p95 over "
            f"{_ms(data['goal_p95_s'])} ms.\n"
        )
    return "".join(lines)


def callouts() -> str:
    data = _load("callouts.json")
    rows = [
        ["rank and select (candidates, matcher, order)", f"{data['rank_seconds']:.2f} s",
         f"< {data['targets']['rank_seconds']:.0f} s"],
        ["send (草稿 → 已发出: rank again, write the invitations)", f"{data['send_seconds']:.2f} s", "—"],
        ["enqueue (notification with signed link + SMS outbox row each)", f"{data['enqueue_seconds']:.2f} s",
         f"< {data['targets']['enqueue_seconds']:.0f} s"],
    ]
    caption = (f"{data['members']:,} members in a district, {data['invited']:,} invited, "
               f"{data['outbox_rows']:,} outbox rows; {data['database']}, best of "
               f"{len(data['rank_runs'])} runs\n\n")
    return caption + _table(["step", "time", "target"], "lrr", rows)


def offline() -> str:
    data = _load("offline.json")
    sync, load, load50 = data["sync_500"], data["offline_load_cpu4x"], data["offline_load_cpu4x_round_50"]
    rows = [
        [f"sync of {sync['changes']} queued changes (page: call to round re-rendered)", f"{sync['ms']:,} ms",
         f"{sync['post_ms']:,} ms", f"< {sync['goal_ms']:,} ms"],
        [f"app opening offline, CPU 4× slower, {load['errands_rendered']}-errand round (median of "
         f"{len(load['runs'])})", f"{load['median_ms']:,} ms", "—", f"< {load['goal_ms']:,} ms"],
        [f"app opening offline, CPU 4× slower, {load50['errands_rendered']}-errand round (median of "
         f"{len(load50['runs'])})", f"{load50['median_ms']:,} ms", "—", f"< {load50['goal_ms']:,} ms"],
    ]
    caption = (f"{data['database']}, loopback, headless Chromium; load average "
               f"{' / '.join(data['load_average'])} (1 / 5 / 15 min) when it ran\n\n")
    return caption + _table(["measure", "time", "of which the server", "goal"], "lrrr", rows)


def tracing() -> str:
    rows = []
    for vendor in ("sqlite", "postgresql"):
        data = _load(f"tracing_{vendor}.json")
        rows.append([vendor, f"{data['scans']:,}", f"{data['gates']:,}", str(data["persons_traced"]),
                     f"{data['trace_s_median']:.2f} s", f"{data['trace_s_p95']:.2f} s", f"{data['trace_s_max']:.2f} s",
                     f"< {data['goal_s']:.0f} s", f"{data['machine']['load_average']:.1f}"])
    return _table(["database", "scans", "gates", "people traced", "median", "p95", "worst", "goal", "load average"],
                  "lrrrrrrrr", rows)


TABLES: dict[str, Callable[[], str]] = {
    "callouts": callouts,
    "tracing": tracing,
    "offline": offline,
    "foundation": foundation,
    "matching": matching,
    "matching-suite": matching_suite,
    "rostering": rostering,
    "rostering-summary": rostering_summary,
    "rostering-family": rostering_family("rostering_family.json"),
    "rostering-family-loaded": rostering_family("rostering_family_loaded.json"),
    "passes": passes_table,
    "gate-latency": gate_latency,
    "load-gate": load_gate,
    "load-gate-nginx": load_gate_nginx,
    "partitions-insert": partitions_insert,
    "dashboard-pages": dashboard_pages,
    "pages": pages,
    "pages-summary": pages_summary,
}


# ------------------------------------------------------------------------------------------ rewriting


def rendered(text: str) -> str:
    """``text`` with every generated block rewritten from the result files."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in TABLES:
            raise KeyError(f"no generator for the block {name!r}")
        return match["start"] + TABLES[name]() + match["end"]

    return BLOCK.sub(replace, text)


def stale_blocks() -> list[str]:
    """``file: block`` for every generated block that differs from what the result files give."""
    stale = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for old, new in zip(BLOCK.finditer(text), BLOCK.finditer(rendered(text)), strict=True):
            if old.group(0) != new.group(0):
                stale.append(f"{path.relative_to(ROOT)}: {old['name']}")
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date tables (exit 1)")
    args = parser.parse_args()
    if args.check:
        stale = stale_blocks()
        for line in stale:
            print(f"out of date: {line} (run python bench/docs_tables.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = rendered(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
