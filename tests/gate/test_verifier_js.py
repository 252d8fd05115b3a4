"""The gate's JavaScript verifier gives the corpus verdicts under node, with WebCrypto and with the
vendored tweetnacl — the same corpus tests/passes/test_tokens.py runs through the Python verifier.
(tests/browser/test_gate.py runs it once more inside Chromium, on the gate page itself.)"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.passes.vector_builder import PATH

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "xiachen" / "static"
RUNNER = Path(__file__).with_name("run_vectors.js")
NODE = shutil.which("node") or shutil.which("nodejs")


def run_corpus(engine: str) -> dict:
    assert NODE, "node is required (bin/test and .ci/run install it: Debian package nodejs)"
    result = subprocess.run(
        [NODE, str(RUNNER), str(STATIC / "gate" / "verifier.js"),
         str(STATIC / "vendor" / "tweetnacl-1.0.3" / "nacl-fast.min.js"), str(PATH), engine],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("engine", ["webcrypto", "tweetnacl"])
def test_js_verifier_gives_every_corpus_verdict(engine):
    corpus = json.loads(PATH.read_text())
    actual = run_corpus(engine)
    assert actual.pop("#engine") == engine
    assert actual == {case["name"]: case["expected"] for case in corpus["cases"]}
