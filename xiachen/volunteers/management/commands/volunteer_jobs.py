"""Periodic jobs of volunteer service (run by the scheduler every 15 minutes)."""

from django.core.management.base import BaseCommand

from xiachen.volunteers.services.activities import send_reminders


class Command(BaseCommand):
    help = "Remind members signed up for activities that start within a day (once per activity)."

    def handle(self, *args, **options):
        self.stdout.write(f"activity reminders {send_reminders()}")
