"""Benchmark of the cadre Excel import: preview + commit of 10,000 rows on a fresh SQLite database.

Usage::

    .venv/bin/python bench/import_cadres.py [--rows 10000] [--runs 3]

Migrates a temporary SQLite file once, then for each run copies it afresh, creates the agencies and
an organization-department user, and times `CADRE_IMPORTER.preview` + `CADRE_IMPORTER.commit` on
the same generated workbook. Writes bench/results/import_cadres.json (goal: median under 20 s).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "import_cadres.json"
AGENCIES = [
    ("B-AUDIT", "审计局", "audit", "财政审计科"),
    ("B-HEALTH", "卫健委", "health", "疾控科"),
    ("B-JUSTICE", "司法局", "justice", "人民调解科"),
    ("B-DATA", "大数据局", "bigdata", "数据科"),
]
RANKS = ["科员", "副科级", "正科级", "副处级"]
SPECIALTIES = ["审计", "财务会计、数据分析", "法律；人民调解", "", "信息技术"]


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()


def workbook(rows: int) -> bytes:
    """A roster of `rows` valid cadres spread over the benchmark agencies.

    Written in openpyxl's normal mode, which (like Excel, WPS and LibreOffice) puts <dimension> at the
    top of the sheet; write-only output lacks it, making openpyxl scan the whole sheet once more on load.
    """
    import openpyxl

    from xiachen.core.idnumbers import make_id_number

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "导入数据"
    sheet.append(
        [
            "姓名",
            "性别",
            "身份证号",
            "手机号",
            "派出单位代码",
            "内设机构",
            "职级",
            "职务",
            "专长",
            "家庭住址",
            "住址纬度",
            "住址经度",
            "健康限制",
        ]
    )
    for index in range(rows):
        birth = date(1965, 1, 1) + timedelta(days=index // 400)
        male = index % 2 == 0
        number = make_id_number("420102", birth, (index % 400) * 2 + (1 if male else 0))
        code, _name, _kind, department = AGENCIES[index % len(AGENCIES)]
        sheet.append(
            [
                f"干部{index}",
                "男" if male else "女",
                number,
                f"139{index:08d}",
                code,
                department if index % 3 else "",
                RANKS[index % len(RANKS)],
                "科员",
                SPECIALTIES[index % len(SPECIALTIES)],
                f"江岸区某路{index}号",
                30.5 + index / 1e5,
                114.2 + index / 1e5,
                "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prepare_database():
    """The city, the agencies with one department each, and an organization-department user."""
    from xiachen.accounts.enums import Role
    from xiachen.accounts.models import Membership, User
    from xiachen.org.models import AgencyKind, Unit, UnitKind

    def unit(code, name, kind, parent=None, agency_kind=None):
        created = Unit(
            code=code,
            name=name,
            kind=UnitKind.objects.get(code=kind),
            parent=parent,
            agency_kind=AgencyKind.objects.get(code=agency_kind) if agency_kind else None,
        )
        created.build_path()
        created.save()
        return created

    city = unit("420100", "武汉市", "city")
    for code, name, kind, department in AGENCIES:
        unit(f"{code}-01", department, "department", unit(code, name, "agency", city, kind))
    user = User.objects.create(username="bench-org")
    Membership.objects.create(user=user, role=Role.ORG_DEPARTMENT, unit=city)
    return user


def run_once(template: Path, database: Path, data: bytes) -> dict:
    from django.db import connections

    from xiachen.cadres.importers import CADRE_IMPORTER
    from xiachen.cadres.models import Cadre

    connections.close_all()
    shutil.copy(template, database)
    user = prepare_database()
    started, cpu_started = time.perf_counter(), time.process_time()
    preview = CADRE_IMPORTER.preview(by=user, data=data, filename="bench.xlsx")
    previewed = time.perf_counter()
    assert preview.ok, preview.errors[:5]
    created = CADRE_IMPORTER.commit(by=user, data=data, filename="bench.xlsx")
    finished, cpu_finished = time.perf_counter(), time.process_time()
    assert created == Cadre.objects.count() == preview.total_rows
    return {
        "preview_s": round(previewed - started, 3),
        "commit_s": round(finished - previewed, 3),
        "total_s": round(finished - started, 3),
        "cpu_s": round(cpu_finished - cpu_started, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        template, database = Path(directory) / "template.sqlite3", Path(directory) / "run.sqlite3"
        setup_django(database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.db import connections

        connections.close_all()
        shutil.copy(database, template)
        data = workbook(args.rows)
        runs = [run_once(template, database, data) for _ in range(args.runs)]
    median = statistics.median(run["total_s"] for run in runs)
    result = {
        "benchmark": "cadre import preview+commit",
        "rows": args.rows,
        "file_bytes": len(data),
        "runs": runs,
        "median_s": median,
        "rows_per_s": round(args.rows / median),
        "goal_s": 20,
        "meets_goal": median < 20,
        "machine": f"{platform.platform()}; Python {platform.python_version()}; {os.cpu_count()} CPUs; "
        "SQLite file in a temp dir; shared machine (other jobs running), so wall > cpu time",
        "note": "workbook written by openpyxl (inline strings, slower to parse than Excel's shared strings)",
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
