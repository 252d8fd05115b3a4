"""Backups that prove themselves: a native dump and a manifest, in one tar file.

    manifest.json   format, time, app and Django versions, migration state, per-table row counts and
                    checksums, the payload's SHA-256, fingerprints of the encryption keys in use
    data.pgdump     `pg_dump --format=custom` (PostgreSQL), or
    data.sqlite3    a copy made with SQLite's online backup API

The manifest's counts and checksums are taken from the same snapshot as the dump (PostgreSQL: an
exported snapshot shared with pg_dump; SQLite: computed on the copy). A restore checks the payload's
SHA-256 before touching the target, restores, recomputes counts and checksums on the target and
fails on any difference. The keys themselves (XIACHEN_FIELD_KEYS, XIACHEN_BLIND_INDEX_KEY,
DJANGO_SECRET_KEY) are never in a backup: they are kept and copied separately (docs/deploy.md).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import django
from django.conf import settings
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .checksums import applied_migrations, database, table_checksums

FORMAT = "xiachen-backup/1"
MANIFEST = "manifest.json"
PAYLOADS = {"postgresql": "data.pgdump", "sqlite": "data.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made, read or trusted, or the restored data does not match it."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    warnings: list[str]


def create_backup(*, connection: BaseDatabaseWrapper, output: Path) -> dict[str, Any]:
    """Write a backup of `connection`'s database to `output` (mode 0600) and return its manifest."""
    if connection.vendor not in PAYLOADS:
        raise BackupError(f"no backup method for {connection.vendor}")
    if connection.in_atomic_block:
        raise BackupError("a backup needs its own transaction; do not run it inside one")
    with tempfile.TemporaryDirectory(prefix="xiachen-backup-") as work:
        payload = Path(work) / PAYLOADS[connection.vendor]
        if connection.vendor == "postgresql":
            tables, migrations = _dump_postgresql(connection, payload)
        else:
            tables, migrations = _copy_sqlite(connection, payload)
        manifest = _manifest(connection.vendor, payload, tables, migrations)
        _write_archive(output, manifest, payload)
    return manifest


def check_backup(archive: Path) -> dict[str, Any]:
    """The manifest of `archive` once its payload's SHA-256 has been checked (nothing is restored)."""
    with tempfile.TemporaryDirectory(prefix="xiachen-check-") as work:
        manifest, _payload = _extract(archive, Path(work))
    return manifest


def restore_backup(*, archive: Path, target: dict[str, Any], force: bool = False) -> RestoreReport:
    """Restore `archive` into the database described by the settings dict `target` and verify it.

    Raises BackupError, before anything is written, when the payload's checksum does not match the
    manifest, the engines differ, or the target already has tables and `force` is false; and, after
    restoring, when any table's row count or checksum differs from the manifest.
    """
    with tempfile.TemporaryDirectory(prefix="xiachen-restore-") as work:
        manifest, payload = _extract(archive, Path(work))
        vendor = manifest["vendor"]
        with database(target) as connection:
            if connection.vendor != vendor:
                raise BackupError(f"a {vendor} backup restores only into {vendor}, not {connection.vendor}")
            existing = _table_count(connection)
            if existing and not force:
                raise BackupError(
                    f"the target database already has {existing} tables: restore into an empty database, "
                    "or pass --force to replace its contents"
                )
            connection.close()
            if vendor == "postgresql":
                _pg_restore(connection.settings_dict, payload, replace=bool(existing))
            else:
                _sqlite_restore(Path(connection.settings_dict["NAME"]), payload)
            found = table_checksums(connection)
        _compare(manifest["tables"], found)
    rows = sum(entry["rows"] for entry in found.values())
    return RestoreReport(tables=len(found), rows=rows, warnings=_key_warnings(manifest))


# --- making a backup -------------------------------------------------------------------------------


def _dump_postgresql(connection: BaseDatabaseWrapper, payload: Path) -> tuple[dict, dict]:
    """pg_dump and the checksums read one exported snapshot, so the manifest describes the dump exactly."""
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={payload}"], connection.settings_dict)
        return table_checksums(connection), applied_migrations(connection)


def _copy_sqlite(connection: BaseDatabaseWrapper, payload: Path) -> tuple[dict, dict]:
    connection.ensure_connection()
    copy = sqlite3.connect(payload)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    with database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(payload)}) as snapshot:
        return table_checksums(snapshot), applied_migrations(snapshot)


def _manifest(vendor: str, payload: Path, tables: dict, migrations: dict) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "django_version": django.get_version(),
        "vendor": vendor,
        "payload": {"name": payload.name, "bytes": payload.stat().st_size, "sha256": _file_sha256(payload)},
        "migrations": migrations,
        "key_fingerprints": _key_fingerprints(),
        "tables": tables,
    }


def _write_archive(output: Path, manifest: dict, payload: Path) -> None:
    """Written beside the target and renamed into place, so a crash never leaves a half backup."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # A custom-format dump is compressed already.
    mode: Literal["w|gz", "w|"] = "w|gz" if manifest["vendor"] == "sqlite" else "w|"
    with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode=mode) as tar:
        body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(body), 0o600
        tar.addfile(info, io.BytesIO(body))
        tar.add(payload, arcname=payload.name, recursive=False)
    partial.replace(output)


# --- reading and restoring ------------------------------------------------------------------------


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive} is not a readable backup: {error}") from error


def _load_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        source = tar.extractfile(MANIFEST)
        if source is None:
            raise BackupError(f"the backup's {MANIFEST} is not a plain file")
        manifest = json.load(source)
    except (KeyError, ValueError, tarfile.TarError) as error:
        raise BackupError(f"the backup has no readable {MANIFEST}: {error}") from error
    if manifest.get("format") != FORMAT or manifest.get("vendor") not in PAYLOADS:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _extract(archive: Path, work: Path) -> tuple[dict[str, Any], Path]:
    """Only the two expected members are read, by name, as plain files (no path from the archive is used)."""
    with _open_archive(archive) as tar:
        manifest = _load_manifest(tar)
        name = manifest["payload"]["name"]
        if name != PAYLOADS[manifest["vendor"]]:
            raise BackupError(f"unexpected payload {name!r}")
        payload = work / name
        try:
            member = tar.getmember(name)
            source = tar.extractfile(member) if member.isfile() else None
            if source is None:
                raise BackupError(f"{name} is not a plain file")
            with source, open(payload, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
        except (KeyError, OSError, EOFError, tarfile.TarError) as error:
            raise BackupError(f"the backup's {name} cannot be read: {error}") from error
    if _file_sha256(payload) != manifest["payload"]["sha256"]:
        raise BackupError(f"the SHA-256 of {name} does not match the manifest: the backup is damaged or altered")
    return manifest, payload


def _table_count(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def _pg_restore(config: dict[str, Any], payload: Path, *, replace: bool) -> None:
    """Restore the dump; with `replace`, the target's tables go first, all in the restore's transaction.

    pg_restore --clean drops object by object, and PostgreSQL refuses to drop a partition's inherited
    constraint on its own (the monthly partitions of scans, ADR 2111): replacing runs pg_restore's
    --clean script through psql in one transaction that first drops every partitioned table whole,
    partitions included, so the script's drops of their pieces find nothing. A failure anywhere rolls
    the target back to what it held.
    """
    options = ["--no-owner", "--no-privileges"]
    if not replace:
        command = ["pg_restore", *options, "--exit-on-error", "--single-transaction", f"--dbname={config['NAME']}"]
        _run([*command, str(payload)], config)
        return
    script = ["pg_restore", *options, "--clean", "--if-exists", "--file=-", str(payload)]
    apply = ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
             f"--command={_DROP_PARTITIONED_TABLES}", "--file=-", f"--dbname={config['NAME']}"]
    _pipe(script, apply, config)


# Partitioned tables of the target, whole, with their partitions (schemas of the application, not the system's).
_DROP_PARTITIONED_TABLES = """
DO $$
DECLARE
    partitioned regclass;
BEGIN
    FOR partitioned IN
        SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'p' AND NOT c.relispartition
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
    LOOP
        EXECUTE format('DROP TABLE %s CASCADE', partitioned);
    END LOOP;
END $$
"""


def _sqlite_restore(target: Path, payload: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)
    source, copy = sqlite3.connect(payload), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def _compare(expected: dict[str, dict], found: dict[str, dict]) -> None:
    problems = [
        f"{table}: backup {expected.get(table, 'absent')}, restored {found.get(table, 'absent')}"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]
    if problems:
        raise BackupError("restored data does not match the manifest:\n  " + "\n  ".join(problems))


# --- helpers ---------------------------------------------------------------------------------------


def _run(command: list[str], config: dict[str, Any]) -> None:
    """Run a PostgreSQL client with the connection in libpq's environment (no password on the command line)."""
    try:
        subprocess.run(command, env=_libpq_env(config), check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} not found: install postgresql-client") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed ({error.returncode}): {error.stderr.strip()[-2000:]}") from error


def _pipe(producer: list[str], consumer: list[str], config: dict[str, Any]) -> None:
    """`producer | consumer`, both PostgreSQL clients; fails naming the first that failed."""
    env = _libpq_env(config)
    try:
        with subprocess.Popen(producer, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as first:  # noqa: S603
            second = subprocess.run(consumer, env=env, stdin=first.stdout, capture_output=True, text=True, check=False)  # noqa: S603
            first.stdout.close()  # type: ignore[union-attr]
            first_error = first.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
            first.wait()
    except FileNotFoundError as error:
        raise BackupError(f"{error.filename} not found: install postgresql-client") from error
    if second.returncode:  # psql first: when it stops, pg_restore fails on the closed pipe
        raise BackupError(f"{consumer[0]} failed ({second.returncode}): {second.stderr.strip()[-2000:]}")
    if first.returncode:
        raise BackupError(f"{producer[0]} failed ({first.returncode}): {first_error.strip()[-2000:]}")


def _libpq_env(config: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    pairs = {"PGDATABASE": "NAME", "PGUSER": "USER", "PGPASSWORD": "PASSWORD", "PGHOST": "HOST", "PGPORT": "PORT"}
    for variable, key in pairs.items():
        if config.get(key):
            env[variable] = str(config[key])
    options = config.get("OPTIONS") or {}
    for variable, key in {"PGSSLMODE": "sslmode", "PGSSLROOTCERT": "sslrootcert"}.items():
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return version("xiachen")
    except PackageNotFoundError:
        return "unknown"


def _fingerprint(secret: str) -> str:
    """A short one-way tag that tells which key a backup needs, without holding any of it."""
    return hashlib.sha256(b"xiachen-key-fingerprint\0" + secret.strip().encode()).hexdigest()[:16]


def _key_fingerprints() -> dict[str, list[str]]:
    field_keys = [key for key in (settings.XIACHEN_FIELD_KEYS or "").split(",") if key.strip()]
    return {
        "field_keys": [_fingerprint(key) for key in field_keys],
        "blind_index_key": [_fingerprint(settings.XIACHEN_BLIND_INDEX_KEY or "")],
    }


def _key_warnings(manifest: dict[str, Any]) -> list[str]:
    current = _key_fingerprints()
    needed = manifest.get("key_fingerprints", {})
    return [
        f"{kind}: the backup was made with key {fingerprint}, which this environment does not hold; "
        "personal data encrypted or indexed with it will not decrypt or match until that key is restored"
        for kind, fingerprints in needed.items()
        for fingerprint in fingerprints
        if fingerprint not in current.get(kind, [])
    ]
