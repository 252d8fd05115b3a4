"""The example deployment (deploy/, docs/deploy.md) refers only to what exists, and its configs parse."""

import base64
import configparser
import os
import re
import secrets
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
RUNBOOK = ROOT / "docs" / "deploy.md"
UNITS = sorted((DEPLOY / "systemd").iterdir())
ENV_EXAMPLE = (DEPLOY / "xiachen.env.example").read_text()


def _deploy_texts() -> dict[str, str]:
    files = [p for p in DEPLOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts] + [RUNBOOK]
    return {str(p.relative_to(ROOT)): p.read_text() for p in files}


def _production_env(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIACHEN_", "DATABASE_URL"))}
    return keep | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "XIACHEN_FIELD_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "XIACHEN_AUDIT_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "XIACHEN_AUDIT_ANCHOR_FILE": str(tmp_path / "audit-anchors.jsonl"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "XIACHEN_LOGIN_CODE_SENDER": "tests.fixtures.stand_ins.remember_login_code",
        "XIACHEN_NOTICE_TRANSPORT": "tests.fixtures.stand_ins.RememberingTransport",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }


def test_every_manage_py_command_named_in_the_deployment_exists():
    named = {
        (path, command)
        for path, text in _deploy_texts().items()
        for command in re.findall(r"manage\.py\s+([a-z_]+)", text)
    }
    assert named, "the runbook and the units name management commands"
    commands = set(get_commands())
    assert sorted((path, command) for path, command in named if command not in commands) == []


def test_every_environment_variable_the_settings_read_is_in_the_env_file_and_the_runbook():
    settings_code = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    read = set(re.findall(r'env(?:_bool)?\("([A-Z_]+)"', settings_code))
    read |= set(re.findall(r'"([A-Z_]+)"', settings_code.split("for required in", 1)[1].split(":", 1)[0]))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()))
    for text in _deploy_texts().values():
        read |= set(re.findall(r"\$\{([A-Z_]+)", text)) - {"MAINPID"}
    declared = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert read - declared == set()
    assert {"DJANGO_SECRET_KEY", "XIACHEN_FIELD_KEYS", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"} <= read
    runbook = RUNBOOK.read_text()
    assert sorted(name for name in declared if name not in runbook) == []


def test_systemd_units_pair_timers_with_services_and_run_files_that_exist():
    names = {unit.name for unit in UNITS}
    for timer in (u for u in UNITS if u.suffix == ".timer"):
        assert timer.with_suffix(".service").name in names
    for unit in (u for u in UNITS if u.suffix == ".service" and "@" not in u.name):
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.read_string(unit.read_text())
        service = parsed["Service"]
        assert service["User"] == "xiachen"
        assert service["EnvironmentFile"] == "/etc/xiachen/xiachen.env"
        executable, *arguments = service["ExecStart"].split()
        assert executable.startswith("/srv/xiachen/")
        local = ROOT / executable.removeprefix("/srv/xiachen/")
        assert local.exists() or (ROOT / ".venv" / "bin" / local.name).exists(), executable
        for argument in arguments:
            if argument.startswith("/srv/xiachen/"):
                assert (ROOT / argument.removeprefix("/srv/xiachen/")).exists(), argument
        if "OnFailure" in parsed["Unit"]:
            assert parsed["Unit"]["OnFailure"].split("@")[0] + "@.service" in names


def test_restore_drill_script_is_valid_bash():
    script = DEPLOY / "bin" / "restore-drill"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)


def _tool(name: str) -> str:
    """A system tool the deploy files are checked with; missing is a failure (bin/test lists them)."""
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if Path(p).exists()), None)
    if found is None:
        pytest.fail(f"{name} is needed to check deploy/ (apt-get install {name})", pytrace=False)
    return found


def test_logrotate_config_parses(tmp_path):
    config = tmp_path / "xiachen"
    config.write_text((DEPLOY / "logrotate" / "xiachen").read_text().replace("xiachen adm", "root root"))
    command = [_tool("logrotate"), "-d", "-s", str(tmp_path / "state"), str(config)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "error:" not in result.stderr


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xiachen.example.gov.cn")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "fullchain.pem", directory / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


def test_nginx_site_config_parses(tmp_path):
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "xiachen.conf").read_text()
    site = site.replace("/etc/ssl/xiachen/fullchain.pem", str(cert)).replace("/etc/ssl/xiachen/privkey.pem", str(key))
    site = site.replace("/etc/nginx/snippets/xiachen-proxy.conf", str(DEPLOY / "nginx" / "xiachen-proxy.conf"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    nginx = _tool("nginx")
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_gunicorn_config_loads_the_application_with_production_settings(tmp_path):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = subprocess.run(
        [gunicorn, "--check-config", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_succeeds_with_production_storage(tmp_path):
    """ManifestStaticFilesStorage used to fail on the vendored libraries' missing source maps."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "gate/gate.js" in manifest
