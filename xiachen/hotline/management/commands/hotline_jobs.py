"""Periodic hotline job (run every few minutes from cron or a systemd timer)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiachen.hotline.jobs import escalate_overdue, send_reminders
from xiachen.notices.services import deliver_outbox


class Command(BaseCommand):
    help = "Remind owners before ticket deadlines, escalate overdue tickets to the parent unit, deliver the outbox."

    def handle(self, *args, **options):
        now = timezone.now()
        reminded = send_reminders(now=now)
        escalated = escalate_overdue(now=now)
        sent = deliver_outbox()
        self.stdout.write(f"reminders {reminded}, escalations {escalated}, messages sent {sent}")
