"""Scans past their retention period go: whole months dropped on PostgreSQL, the rest deleted (ADR 2111)."""

from django.core.management.base import BaseCommand

from xiachen.passes.partitions import drop_expired_months
from xiachen.passes.personal_data import SCAN_RETENTION_DAYS


class Command(BaseCommand):
    help = "扫码记录：删除超过保存期限的记录（PostgreSQL 上整月分区整体删除，其余逐条删除；留痕）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=SCAN_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        dropped = drop_expired_months(retention_days=days)
        names = ", ".join(f"{d['partition']} ({d['rows']} rows)" for d in dropped)
        self.stdout.write("dropped " + (names or "nothing"))
