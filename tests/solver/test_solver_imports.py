"""The solvers are plain Python on OR-Tools: usable from a script or a worker without Django set up."""

from __future__ import annotations

import ast
from pathlib import Path

SOLVER = Path(__file__).resolve().parents[2] / "xiachen" / "solver"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_no_solver_module_imports_django_or_the_apps() -> None:
    files = sorted(SOLVER.rglob("*.py"))
    assert len(files) > 10  # the rostering package is found too
    offending = {
        str(path.relative_to(SOLVER)): sorted(
            name for name in _imported_modules(path)
            if name.split(".")[0] == "django" or (name.startswith("xiachen.") and not name.startswith("xiachen.solver"))
        )
        for path in files
    }
    assert {name: found for name, found in offending.items() if found} == {}
