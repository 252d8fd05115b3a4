"""`manage.py verify_pass` as an operator runs it: real argv, real stdin, a separate process (issue 15, item 11)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)  # the rows must be committed for the subprocess


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    return subprocess.run(
        [sys.executable, "manage.py", "verify_pass", "--skip-checks", *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )


def _verdict(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_standard_input_is_length_checked_before_stripping(pass1):
    assert _verdict(_run(stdin=pass1.token + "\n"))["reason"] == "valid"
    assert _verdict(_run(stdin=pass1.token + " " * 5000))["reason"] == "oversize"


def test_a_token_beginning_with_a_dash_gets_a_verdict_not_a_usage_error(db):
    assert _verdict(_run("--direction", "out", "-XC1:AAAA"))["reason"] == "malformed"


def test_gate_applies_that_gates_audience_and_policy(pass1, tree, policy1):
    assert _verdict(_run("--gate", str(tree.compound1.public_id), pass1.token))["reason"] == "valid"
    elsewhere = _verdict(_run("--gate", str(tree.compound2.public_id), pass1.token))
    assert elsewhere["reason"] in {"wrong_audience", "unknown_key"}
    assert elsewhere["valid"] is False
    with pytest.raises(CommandError, match="no gate"):  # in-process: one subprocess fewer
        call_command("verify_pass", "--gate", "00000000-0000-4000-8000-000000000000", pass1.token)
