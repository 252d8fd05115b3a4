"""`manage.py backup_db --output FILE` or `--output-dir DIR --keep N`: a self-verifying backup (xiachen.ops.backup)."""

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from xiachen.audit import services as audit
from xiachen.ops.backup import BackupError, create_backup

PREFIX = "xiachen-"


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) with a manifest of row counts and checksums."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--output", type=Path, help="the backup file to write")
        target.add_argument("--output-dir", type=Path, help="write xiachen-<alias>-<UTC time>.tar[.gz] here")
        parser.add_argument("--keep", type=int, default=0, help="with --output-dir: keep only the newest N backups")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output: Path | None, output_dir: Path | None, keep: int, database: str, **options):
        connection = connections[database]
        if output is None:
            assert output_dir is not None, "--output and --output-dir are one required choice"
            output = output_dir / self._file_name(database, connection.vendor)
        try:
            manifest = create_backup(connection=connection, output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        audit.record(
            actor=None,
            action="ops.backup_created",
            fields={"file": output.name, "tables": len(manifest["tables"]), "rows": rows},
        )
        if output_dir and keep > 0:
            self._prune(output_dir, database, keep)
        self.stdout.write(
            self.style.SUCCESS(f"backup written: {output} ({len(manifest['tables'])} tables, {rows} rows, ")
            + f"sha256 {manifest['payload']['sha256'][:16]}…)"
        )

    @staticmethod
    def _file_name(alias: str, vendor: str) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"{PREFIX}{alias}-{stamp}.tar" + (".gz" if vendor == "sqlite" else "")

    def _prune(self, directory: Path, alias: str, keep: int) -> None:
        backups = sorted(p for p in directory.glob(f"{PREFIX}{alias}-*.tar*") if not p.name.endswith(".partial"))
        for old in backups[:-keep]:
            old.unlink()
            self.stdout.write(f"removed old backup {old.name}")
