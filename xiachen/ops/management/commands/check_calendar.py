"""`manage.py check_calendar`: alert when next year's holidays are missing or deadlines are provisional."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from xiachen.ops.calendar_alerts import alert_calendar_problems, calendar_problems, describe


class Command(BaseCommand):
    help = "Warn administrators (from 1 November) when next year's holiday notice is not loaded."

    def handle(self, *args, **options):
        problems = calendar_problems(timezone.localdate())
        notified = alert_calendar_problems()
        self.stdout.write(describe(problems) or "工作日历完整")
        if notified:
            self.stdout.write(f"已通知 {notified} 人")
