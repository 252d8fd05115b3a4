"""Benchmark of the import reader on hostile and bloated files: time, peak memory, cells read.

Usage::

    .venv/bin/python bench/hostile_imports.py [--rows 100000]

Each case runs in its own process (so its peak resident memory is its own) and reads the file the
way an import's preview does (`xiachen.core.excel.open_table`, rows typed by the cadre columns'
parsers and consumed in chunks of `table_import.CHUNK_ROWS`, the first PREVIEW_ROWS kept; no
database). Cases:

- xfd_empty_cells: 20,000 rows whose only cell is an empty cell at column XFD (≈110 KB file);
- shared_strings_flood: 11.5 million empty shared strings in a ≈0.5 MB file (refused before parsing);
- blank_rows: 200,000 empty rows (refused at the row limit; blank rows count);
- max_rows: the allowed maximum of valid 13-column rows (default 100,000).

Goal: any accepted file reads in under 10 s per 10,000 rows, every case under 300 MB peak.
Writes bench/results/hostile_imports.json.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "hostile_imports.json"
HEADERS = ["姓名", "性别", "身份证号", "手机号", "派出单位代码", "内设机构", "职级", "职务", "专长",
           "家庭住址", "住址纬度", "住址经度", "健康限制"]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def base_workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.active["A2"] = "x"  # makes openpyxl write a sharedStrings part we can replace
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_parts(parts: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.get(info.filename, source.read(info.filename)))
        for name in set(parts) - set(source.namelist()):
            target.writestr(name, parts[name])
    return buffer.getvalue()


def header_row() -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    return f'<row r="1">{cells}</row>'


def sheet(rows: str) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{header_row()}'
    return f"{head}{rows}</sheetData></worksheet>".encode()


def xfd_empty_cells(count: int = 20_000) -> bytes:
    rows = "".join(f'<row r="{n}"><c r="XFD{n}"/></row>' for n in range(2, count + 2))
    return with_parts({"xl/worksheets/sheet1.xml": sheet(rows)})


def shared_strings_flood(count: int = 11_500_000) -> bytes:
    table = f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{count}">' + "<si/>" * count + "</sst>"
    return with_parts({"xl/sharedStrings.xml": table.encode()})


def blank_rows(count: int = 200_000) -> bytes:
    return with_parts({"xl/worksheets/sheet1.xml": sheet("".join(f'<row r="{n}"/>' for n in range(2, count + 2)))})


def max_rows(count: int) -> bytes:
    from datetime import date

    from xiachen.core.idnumbers import make_id_number

    def row(n: int) -> str:
        values = [f"干部{n}", "男", make_id_number("420102", date(1980, 1, 1), 2 * (n % 400) + 1),
                  f"137{n:08d}", "A-AUDIT", "财政审计科", "科员", "科员", "审计", "江岸区沿江大道1号",
                  "30.59", "114.3", ""]
        cells = "".join(f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
                        for i, v in enumerate(values) if v)
        return f'<row r="{n}">{cells}</row>'

    return with_parts({"xl/worksheets/sheet1.xml": sheet("".join(row(n) for n in range(2, count + 2)))})


def run_case(name: str, path: str, queue) -> None:
    setup_django()
    from itertools import islice

    from xiachen.core import excel_cells as cells
    from xiachen.core.excel import Column, open_table
    from xiachen.core.spreadsheets import Budget, ExcelRejected
    from xiachen.core.table_import import CHUNK_ROWS, PREVIEW_ROWS

    data = Path(path).read_bytes()
    columns = [Column(HEADERS[0], "name", True, cells.person_name(60)),
               Column(HEADERS[2], "identity", True, cells.id_number),
               Column(HEADERS[3], "phone", True, cells.mobile),
               *[Column(header, f"c{index}", False, cells.text(200)) for index, header in enumerate(HEADERS)
                 if index not in (0, 2, 3)]]
    budget = Budget()
    started = time.perf_counter()
    try:
        with open_table(data, filename="bench.xlsx", columns=columns, budget=budget) as table:
            kept, count, most_held = [], 0, 0
            while chunk := list(islice(table.stream, CHUNK_ROWS)):
                count += len(chunk)
                most_held = max(most_held, len(chunk))
                kept += chunk[:max(PREVIEW_ROWS - len(kept), 0)]
            errors = len(table.errors) + (0 if count or table.errors else 1)  # "no data rows"
        outcome = f"read {count} rows ({most_held} held at most), {errors} file errors"
    except ExcelRejected as rejected:
        outcome = f"refused: {rejected}"
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_mb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
    queue.put({"case": name, "file_bytes": len(data), "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb),
               "cells_read": budget.cells, "rows_read": budget.rows, "outcome": outcome})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    results = []
    context = multiprocessing.get_context("spawn")
    setup_django()  # the generators use the ID helper; the files are made here, read in a fresh process
    makers = {"xfd_empty_cells": xfd_empty_cells, "shared_strings_flood": shared_strings_flood,
              "blank_rows": blank_rows, "max_rows": lambda: max_rows(args.rows)}
    for name, make in makers.items():
        path = Path(tempfile.gettempdir()) / f"xiachen-bench-{name}.xlsx"
        path.write_bytes(make())
        queue = context.Queue()
        process = context.Process(target=run_case, args=(name, str(path), queue))
        process.start()
        result = queue.get()
        process.join()
        path.unlink()
        print(json.dumps(result, ensure_ascii=False))
        results.append(result)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "cases": results},
                                  ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
