"""Drop whole months of scans past their retention period instead of deleting row by row (ADR 2111)."""

from django.core.management.base import BaseCommand

from xiachen.passes.partitions import drop_expired_months
from xiachen.passes.personal_data import SCAN_RETENTION_DAYS


class Command(BaseCommand):
    help = "扫码记录：整月超过保存期限的分区整体删除（留痕，仅 PostgreSQL）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=SCAN_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        dropped = drop_expired_months(retention_days=days)
        names = ", ".join(f"{d['partition']} ({d['rows']} rows)" for d in dropped)
        self.stdout.write("dropped " + (names or "nothing"))
