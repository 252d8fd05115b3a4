"""The field-form expression language (ADR 2021): the Python evaluator and the browser's JavaScript
evaluator (under node) give every result of the shared vectors, and refuse the same expressions."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xiachen.surveys import expressions

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).with_name("expression_vectors.json")
CASES = json.loads(VECTORS.read_text())["cases"]
NODE = shutil.which("node") or shutil.which("nodejs")


def python_outcome(case: dict) -> dict:
    try:
        return {"result": expressions.run(case["expr"], case.get("env", {}))}
    except expressions.ExpressionError as problem:
        return {"error": str(problem)}


def same(outcome: dict, case: dict) -> bool:
    if case.get("error"):
        return "error" in outcome and bool(outcome["error"])
    return "result" in outcome and outcome["result"] == case["result"] and type(outcome["result"]) is not bool \
        if not isinstance(case["result"], bool) else outcome.get("result") is case["result"]


@pytest.mark.parametrize("case", CASES, ids=[case["expr"][:40] for case in CASES])
def test_python_evaluator_gives_the_vector(case):
    assert same(python_outcome(case), case), python_outcome(case)


def test_javascript_evaluator_gives_every_vector_under_node():
    assert NODE, "node is required (bin/test and .ci/run install it: Debian package nodejs)"
    result = subprocess.run(
        [NODE, str(Path(__file__).with_name("run_expression_vectors.js")),
         str(ROOT / "xiachen" / "static" / "surveys" / "expressions.js"), str(VECTORS)],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    wrong = [(case["expr"], outcome) for case, outcome in zip(CASES, outcomes, strict=True) if not same(outcome, case)]
    assert wrong == []
    # The two engines word parse errors alike, so the builder and the phone show the same message.
    assert [o.get("error") for o in outcomes] == [python_outcome(case).get("error") for case in CASES]


def test_no_eval_in_either_engine():
    python = (ROOT / "xiachen" / "surveys" / "expressions.py").read_text()
    script = (ROOT / "xiachen" / "static" / "surveys" / "expressions.js").read_text()
    for source in (python, script):
        assert not re.search(r"(?<![A-Za-z_])(eval|exec|compile|Function)\s*\(", source)


def test_references_lists_the_questions_read():
    assert expressions.references(expressions.parse("if(q1 > 2, sum(q4), .) + round(q12, 1)")) == {
        "q1", "q4", ".", "q12",
    }
