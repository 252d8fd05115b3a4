"""Periodic jobs of volunteer service (run by the scheduler every 15 minutes)."""

from django.core.management.base import BaseCommand

from xiachen.volunteers.services.activities import send_reminders
from xiachen.volunteers.services.callouts import time_out_due


class Command(BaseCommand):
    help = ("Remind members signed up for activities that start within a day (once per activity); "
            "time out call-out invitations past their reply deadline.")

    def handle(self, *args, **options):
        self.stdout.write(f"activity reminders {send_reminders()}")
        self.stdout.write(f"call-out invitations timed out {time_out_due()}")
