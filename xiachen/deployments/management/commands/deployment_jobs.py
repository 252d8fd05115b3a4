"""Periodic jobs of deployment rounds (run every few minutes from cron or a systemd timer)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiachen.deployments.services import flag_no_shows, send_start_reminders
from xiachen.notices.services import deliver_outbox


class Command(BaseCommand):
    help = "Send start-date reminders, flag no-shows after the grace period, and deliver the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--days-ahead", type=int, default=2)
        parser.add_argument("--grace-hours", type=int, default=24)

    def handle(self, *args, days_ahead: int, grace_hours: int, **options):
        now = timezone.now()
        reminded = send_start_reminders(now=now, days_ahead=days_ahead)
        late = flag_no_shows(now=now, grace_hours=grace_hours)
        sent = deliver_outbox()
        self.stdout.write(f"reminders {reminded}, no-shows {late}, messages sent {sent}")
