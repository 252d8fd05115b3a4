"""Blank personal data of checkpoint registrations older than the retention period (audited)."""

from django.core.management.base import BaseCommand

from xiachen.passes.checkpoint import purge_entries
from xiachen.passes.personal_data import CHECKPOINT_RETENTION_DAYS


class Command(BaseCommand):
    help = "卡口登记：超过保存期限的记录删除个人信息，仅保留统计（留痕）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=CHECKPOINT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        count = purge_entries(retention_days=days)
        self.stdout.write(f"purged {count}")
