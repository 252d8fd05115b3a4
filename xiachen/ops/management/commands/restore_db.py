"""`manage.py restore_db --input FILE --database-url URL`: restore a backup and prove it matches its manifest."""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from xiachen.audit import services as audit
from xiachen.ops.backup import BackupError, check_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup_db file into an empty database (or, with --force, over an existing one), then "
        "recompute every table's row count and checksum and fail on any difference from the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True, help="a file written by backup_db")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--database-url", help="e.g. postgres://user@host:5432/scratch or sqlite:////path/file")
        target.add_argument("--database", help="a database alias from the settings")
        parser.add_argument("--force", action="store_true", help="replace the contents of a non-empty database")
        parser.add_argument("--check", action="store_true", help="only read the manifest and check the payload")

    def handle(self, *args, database_url: str | None, database: str | None, force: bool, **options):
        archive: Path = options["input"]
        try:
            if options["check"]:
                self._check(archive)
                return
            target: dict[str, Any]
            if database_url:
                target = dict(dj_database_url.parse(database_url))
            elif database:
                target = dict(connections.settings[database])
            else:
                raise CommandError("name the target: --database-url URL or --database ALIAS")
            if database:
                connections[database].close()  # SQLite replaces the file; PostgreSQL drops the tables
            report = restore_backup(archive=archive, target=target, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if database == DEFAULT_DB_ALIAS:
            audit.record(actor=None, action="ops.backup_restored", fields={"file": archive.name, "rows": report.rows})
        self.stdout.write(
            self.style.SUCCESS(f"restored and verified: {report.tables} tables, {report.rows} rows match the manifest")
        )

    def _check(self, archive: Path) -> None:
        manifest = check_backup(archive)
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup intact: {manifest['vendor']}, made {manifest['created_at']} by xiachen "
                f"{manifest['app_version']}, {len(manifest['tables'])} tables, {rows} rows"
            )
        )
