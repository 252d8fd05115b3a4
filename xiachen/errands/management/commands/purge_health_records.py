"""Purge quarantine, return-report, errand and support data past their retention period (audited)."""

from datetime import date

from django.core.management.base import BaseCommand

from xiachen.errands.retention import purge_expired


class Command(BaseCommand):
    help = "按登记的保存期限清除隔离、返回报备、代办与帮扶记录中的个人信息，保留统计数（留痕）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="the day to purge as of (YYYY-MM-DD)")

    def handle(self, *args, today: date | None, **options):
        counts = purge_expired(today=today)
        self.stdout.write(
            f"episodes {counts.episodes} (health reports deleted {counts.health_reports}), "
            f"return reports {counts.return_reports}, errands {counts.errands}, "
            f"support contacts {counts.support_contacts}"
        )
