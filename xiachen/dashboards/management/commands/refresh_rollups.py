"""manage.py refresh_rollups [--full | --since YYYY-MM-DD] — keep the dashboard rollups current.

Run it every few minutes from cron (or enqueue dashboards.tasks.refresh_rollups_task); `--full`
after a bulk load or nightly.
"""

import time
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiachen.dashboards import rollups


class Command(BaseCommand):
    help = "Refresh the dashboard rollup tables (incremental by default; --full rebuilds everything)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="empty and rebuild every rollup table")
        parser.add_argument("--since", help="recompute every bucket from this local date (YYYY-MM-DD)")

    def handle(self, *args, full: bool, since: str | None, **options):
        started = time.monotonic()
        if full:
            rollups.rebuild_all()
            summary = "full rebuild"
        elif since:
            try:
                day = date.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since: {error}") from error
            rollups.refresh_recent(since=timezone.make_aware(datetime(day.year, day.month, day.day)))
            summary = f"recomputed since {day}"
        else:
            changed = rollups.refresh_changed()
            summary = ", ".join(f"{name}: {count}" for name, count in changed.items())
        self.stdout.write(f"rollups refreshed ({summary}) in {time.monotonic() - started:.1f} s")
