"""`manage.py reclaim_tasks`: hand back rounds and rosters whose background task died (ADR 1606)."""

from django.core.management.base import BaseCommand

from xiachen.ops.leases import reclaim_stale


class Command(BaseCommand):
    help = "Reclaim background tasks whose worker stopped (no heartbeat) or that were never started."

    def handle(self, *args, **options):
        reclaimed = reclaim_stale()
        self.stdout.write(f"reclaimed {len(reclaimed)} task(s)" + (f": {', '.join(reclaimed)}" if reclaimed else ""))
