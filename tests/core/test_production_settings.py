"""Production settings pass Django's deployment checks at WARNING level (a subprocess: fresh settings)."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment must not.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "XIACHEN_FIELD_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "XIACHEN_AUDIT_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_AUDIT_ANCHOR_FILE": str(tmp_path / "audit-anchors.jsonl"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "XIACHEN_LOGIN_CODE_SENDER": "tests.fixtures.stand_ins.remember_login_code",
        "XIACHEN_NOTICE_TRANSPORT": "tests.fixtures.stand_ins.RememberingTransport",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SECRET", "XIACHEN_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_api_docs_load_no_script_from_another_host(client, people):
    assert client.get("/api/docs").status_code == 302  # not public
    client.force_login(people.org_department)
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_no_template_loads_anything_from_another_host():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "xiachen").rglob("*.html")
        if any(marker in path.read_text() for marker in ('src="http', "src='http", 'href="http', "//cdn"))
    ]
    assert offenders == []


def _production(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIACHEN_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "XIACHEN_FIELD_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "XIACHEN_AUDIT_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_AUDIT_ANCHOR_FILE": str(tmp_path / "audit-anchors.jsonl"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    return {k: v for k, v in (env | overrides).items() if v is not None}


def test_production_refuses_to_start_with_a_demo_sender_or_none(tmp_path):
    cases = {
        "unset": _production(tmp_path),
        "demo": _production(
            tmp_path,
            XIACHEN_LOGIN_CODE_SENDER="xiachen.resident.services.log_login_code",
            XIACHEN_NOTICE_TRANSPORT="xiachen.notices.services.ConsoleTransport",
            # and single sign-on over plain http, a directory without TLS (xiachen/identity/checks.py)
            OIDC_RP_CLIENT_ID="xiachen", XIACHEN_OIDC_ISSUER="http://idp.example.gov.cn",
            XIACHEN_LDAP_URL="ldap://ad.example.gov.cn",
        ),
        "missing module": _production(
            tmp_path,
            XIACHEN_LOGIN_CODE_SENDER="tests.fixtures.stand_ins.remember_login_code",
            XIACHEN_NOTICE_TRANSPORT="nowhere.Transport",
        ),
    }
    for case, env in cases.items():
        result = subprocess.run(  # a worker, the scheduled jobs, migrate: every command runs the checks
            [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode != 0, case
        expected = "xiachen.E002" if case == "missing module" else "xiachen.E001"
        assert expected in result.stderr, (case, result.stderr)
        if case != "missing module":
            assert "XIACHEN_LOGIN_CODE_SENDER" in result.stderr and "XIACHEN_NOTICE_TRANSPORT" in result.stderr
        if case == "demo":
            assert "xiachen.E101" in result.stderr and "XIACHEN_OIDC_ISSUER" in result.stderr
            assert "xiachen.E111" in result.stderr


def test_gunicorn_refuses_to_start_with_a_demo_sender(tmp_path):
    env = _production(tmp_path, XIACHEN_NOTICE_TRANSPORT="xiachen.notices.services.ConsoleTransport",
                      XIACHEN_LOGIN_CODE_SENDER="tests.fixtures.stand_ins.remember_login_code",
                      GUNICORN_BIND="127.0.0.1:0", GUNICORN_ACCESSLOG="", GUNICORN_ERRORLOG="-")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "xiachen.E001" in result.stderr and "XIACHEN_NOTICE_TRANSPORT" in result.stderr
