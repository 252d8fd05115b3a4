"""The repository explains itself: no document, comment or script points outside it.

References to files of the machine the code was written on (a sibling ``shared`` folder, home or
work directories) or to the design documents by their old top-level names fail; every
``docs/….md`` named anywhere exists, and every relative link in the Markdown files resolves.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("README.md", "docs", "xiachen", "config", "bench", "deploy", "bin", ".ci", "tests", "pyproject.toml")
SUFFIXES = {"", ".md", ".py", ".html", ".txt", ".toml", ".sh", ".conf", ".service", ".timer", ".js", ".css", ".example"}
SKIPPED_PARTS = {"locale", "vendor", "__pycache__", "screenshots", "node_modules"}
# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./" + "shared",
            r"(?<![\w.])/" + "work/",
            r"(?<![\w.])/" + r"home/\w",
            r"(?<![\w.])/" + "Users/",
            r"(?<![\w/])(?:" + "DESIGN|SECURITY|STYLE|VOCABULARY" + r")\.md",
        ]
    )
)
DOCS_PATH = re.compile(r"\bdocs/[\w./-]+\.md")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _files() -> list[Path]:
    found = []
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else path.rglob("*")
        for file in candidates:
            if file.is_file() and file.suffix in SUFFIXES and not SKIPPED_PARTS & set(file.parts):
                found.append(file)
    return found


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def test_nothing_points_outside_the_repository() -> None:
    files = _files()
    assert any(path.name == "architecture.md" for path in files)  # the scan reaches the docs
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(_text(path).splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


def test_every_named_document_exists() -> None:
    missing = sorted(
        {
            f"{path.relative_to(ROOT)} → {name}"
            for path in _files()
            for name in DOCS_PATH.findall(_text(path))
            if not (ROOT / name).is_file() and "NNNN" not in name  # style.md names the ADR pattern
        }
    )
    assert missing == []


def test_relative_markdown_links_resolve() -> None:
    broken = [
        f"{path.relative_to(ROOT)} → {target}"
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        for target in MARKDOWN_LINK.findall(_text(path))
        if "://" not in target and not target.startswith("mailto:") and not (path.parent / target).exists()
    ]
    assert broken == []
