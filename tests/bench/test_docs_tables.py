"""The benchmark tables of the docs are the committed result files, not a copy that drifts.

``bench/docs_tables.py`` writes every table between ``generated`` markers from ``bench/results/``;
these tests fail when a doc was not regenerated after a result changed, or a table was edited by
hand, and show that the check notices a changed number.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "docs_tables.py"


def _module():
    spec = importlib.util.spec_from_file_location("docs_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_hold_the_tables_of_the_result_files() -> None:
    completed = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_every_table_has_its_block_and_every_block_its_table() -> None:
    tables = _module()
    names = [match["name"] for path in tables.DOCS for match in tables.BLOCK.finditer(path.read_text(encoding="utf-8"))]
    assert sorted(names) == sorted(tables.TABLES)  # each exactly once


def test_a_changed_result_makes_the_docs_stale(tmp_path, monkeypatch) -> None:
    tables = _module()
    results = tmp_path / "results"
    results.mkdir()
    for path in tables.RESULTS.glob("*.json"):
        (results / path.name).write_bytes(path.read_bytes())
    matching = json.loads((results / "matching.json").read_text(encoding="utf-8"))
    matching["runs"][0]["seconds"] += 1.0
    (results / "matching.json").write_text(json.dumps(matching), encoding="utf-8")
    monkeypatch.setattr(tables, "RESULTS", results)
    stale = tables.stale_blocks()
    assert stale == ["docs/benchmarks.md: matching", "docs/benchmarks-matching.md: matching-suite"]
