"""Backup and restore drill (docs/security.md): back up the test database, restore it into a scratch
database of the same engine (a SQLite file, or a new PostgreSQL database when the suite runs on
PostgreSQL), and compare row counts and checksums; a damaged or altered backup is refused."""

import io
import json
import tarfile
import uuid
from datetime import timedelta

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from xiachen.accounts.models import Membership, User
from xiachen.audit.models import AuditEvent
from xiachen.audit.services import record
from xiachen.households.models import Household, Resident
from xiachen.ops.backup import check_backup
from xiachen.ops.checksums import database, table_checksums
from xiachen.org.models import Unit
from xiachen.passes import services as passes
from xiachen.passes.models import Pass, SigningKey

pytestmark = pytest.mark.django_db(transaction=True)

CHECKED_MODELS = [Unit, User, Membership, Household, Resident, Pass, SigningKey, AuditEvent]


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the suite's engine, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"xiachen_restore_{uuid.uuid4().hex[:12]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    config = connection.settings_dict
    auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    yield f"postgres://{auth}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{name}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def city_data(people, resident1):
    """Rows in many tables: the unit tree, users and roles, households, encrypted personal data,
    a signing key (encrypted seed), a pass, and audit events."""
    now = timezone.now()
    passes.issue_pass(by=people.manager1, resident=resident1, valid_from=now, valid_until=now + timedelta(days=1))
    record(actor=people.manager1, action="test.drill", fields={"n": 1})
    return people


def _counts_in(target) -> dict[str, int]:
    with target.cursor() as cursor:
        counts = {}
        for model in CHECKED_MODELS:
            cursor.execute(f"SELECT COUNT(*) FROM {target.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            counts[model._meta.db_table] = cursor.fetchone()[0]
        return counts


def _backup(tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("backup_db", output=archive, verbosity=0)
    return archive


def _rewrite(archive, *, manifest_change=None, payload_change=None):
    """Re-pack the backup with a changed manifest or payload, as someone editing the file would."""
    with tarfile.open(archive, "r:*") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members["manifest.json"])
    if manifest_change:
        manifest_change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    payload_name = manifest["payload"]["name"]
    if payload_change:
        members[payload_name] = payload_change(members[payload_name])
    with tarfile.open(archive, "w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))


def test_backup_restores_into_a_scratch_database_with_equal_counts_and_checksums(city_data, tmp_path, scratch_url):
    source_counts = {model._meta.db_table: model.objects.count() for model in CHECKED_MODELS}
    archive = _backup(tmp_path)
    manifest = check_backup(archive)
    assert {table: manifest["tables"][table]["rows"] for table in source_counts} == source_counts

    call_command("restore_db", input=str(archive), database_url=scratch_url, verbosity=0)

    with database(dj_database_url.parse(scratch_url)) as restored:
        assert _counts_in(restored) == source_counts
        assert table_checksums(restored) == manifest["tables"]
    live = table_checksums(connection)  # the live database changed only by the backup's own audit row
    changed = {table for table in live if live[table] != manifest["tables"].get(table)}
    assert changed == {"audit_auditevent", "audit_auditchainhead"}
    # The manifest names the migrations the backed-up database had (ops as the example).
    applied = MigrationRecorder(connection).applied_migrations()
    assert manifest["migrations"]["ops"] == sorted(name for app, name in applied if app == "ops")
    assert "0001_job_state" in manifest["migrations"]["ops"]


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(city_data, tmp_path, scratch_url):
    archive = _backup(tmp_path)
    call_command("restore_db", input=str(archive), database_url=scratch_url, verbosity=0)
    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore_db", input=str(archive), database_url=scratch_url, verbosity=0)
    with database(dj_database_url.parse(scratch_url)) as target, target.cursor() as cursor:
        cursor.execute("UPDATE org_unit SET name = 'changed after the restore'")  # to be replaced
    call_command("restore_db", input=str(archive), database_url=scratch_url, force=True, verbosity=0)
    with database(dj_database_url.parse(scratch_url)) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM org_unit WHERE name = 'changed after the restore'")
        assert cursor.fetchone()[0] == 0
        if restored.vendor == "postgresql":  # the monthly partitions came back as they were (ADR 2111)
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'passes_scan'")
            assert cursor.fetchone()[0] == "p"


def test_a_damaged_payload_is_refused_before_anything_is_restored(city_data, tmp_path, scratch_url):
    archive = _backup(tmp_path)

    def flip_a_byte(body: bytes) -> bytes:
        middle = len(body) // 2
        return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]

    _rewrite(archive, payload_change=flip_a_byte)
    with pytest.raises(CommandError, match=r"SHA-256 of data\.\w+ does not match the manifest"):
        call_command("restore_db", input=str(archive), database_url=scratch_url, verbosity=0)
    with pytest.raises(CommandError, match="does not match"):
        call_command("restore_db", input=str(archive), check=True, verbosity=0)
    with database(dj_database_url.parse(scratch_url)) as target, target.cursor() as cursor:
        assert target.introspection.table_names(cursor) == []


def test_an_altered_manifest_fails_the_verification_after_restoring(city_data, tmp_path, scratch_url):
    archive = _backup(tmp_path)

    def one_more_unit(manifest):
        manifest["tables"]["org_unit"]["rows"] += 1

    _rewrite(archive, manifest_change=one_more_unit)
    with pytest.raises(CommandError, match=r"does not match the manifest:\n  org_unit: backup"):
        call_command("restore_db", input=str(archive), database_url=scratch_url, verbosity=0)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, scratch_url):
    garbage = tmp_path / "backup.tar"
    garbage.write_bytes(b"not a tar file at all")
    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore_db", input=str(garbage), database_url=scratch_url, verbosity=0)


def test_a_backup_restores_only_into_the_same_engine(city_data, tmp_path):
    archive = _backup(tmp_path)
    other = "sqlite:///" + str(tmp_path / "x.sqlite3") if connection.vendor == "postgresql" else "postgres://u@h/db"
    with pytest.raises(CommandError, match="restores only into"):
        call_command("restore_db", input=str(archive), database_url=other, verbosity=0)


def test_the_backup_holds_no_key_material_only_fingerprints(city_data, tmp_path):
    archive = _backup(tmp_path)
    with tarfile.open(archive, "r:*") as tar:
        manifest_text = tar.extractfile("manifest.json").read().decode()
    for secret in (*settings.XIACHEN_FIELD_KEYS.split(","), settings.XIACHEN_BLIND_INDEX_KEY, settings.SECRET_KEY):
        assert secret not in manifest_text
    fingerprints = json.loads(manifest_text)["key_fingerprints"]
    assert len(fingerprints["field_keys"]) == len(settings.XIACHEN_FIELD_KEYS.split(","))


def test_backup_to_a_directory_keeps_the_newest(city_data, tmp_path):
    for _ in range(3):
        call_command("backup_db", output_dir=tmp_path / "backups", keep=2, verbosity=0)
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert 1 <= len(kept) <= 2
    assert all(name.startswith("xiachen-default-") for name in kept)
    assert AuditEvent.objects.filter(action="ops.backup_created").count() == 3
