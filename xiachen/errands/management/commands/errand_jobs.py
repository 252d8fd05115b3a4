"""Periodic jobs of community services (run every few minutes from cron or a systemd timer)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiachen.errands.quarantine import end_overdue_episodes, flag_overdue_visits, generate_visit_tasks
from xiachen.errands.services import close_stale_errands


class Command(BaseCommand):
    help = ("Close delivered errands nobody confirmed, end episodes past their planned end and grace, "
            "generate today's visit tasks, flag overdue visits.")

    def add_arguments(self, parser):
        parser.add_argument("--close-after-hours", type=int, default=48)
        parser.add_argument("--skip-overdue", action="store_true")

    def handle(self, *args, close_after_hours: int, skip_overdue: bool, **options):
        now = timezone.now()
        closed = close_stale_errands(now=now, after=timedelta(hours=close_after_hours))
        ended = end_overdue_episodes(today=timezone.localdate(now))
        visits = generate_visit_tasks(day=timezone.localdate(now))
        flagged = 0 if skip_overdue else flag_overdue_visits(today=timezone.localdate(now))
        self.stdout.write(
            f"errands closed {closed}, episodes ended automatically {ended}, visit tasks created {visits}, "
            f"communities flagged {flagged}"
        )
