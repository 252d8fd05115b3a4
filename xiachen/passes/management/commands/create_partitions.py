"""Create this month's and next month's partitions of scans and checkpoint registrations (ADR 2111)."""

from django.core.management.base import BaseCommand

from xiachen.passes.partitions import ensure_months


class Command(BaseCommand):
    help = "扫码记录与卡口登记：按月分区，建好本月和下月的分区（仅 PostgreSQL）"

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=1, help="months after this one")

    def handle(self, *args, ahead: int, **options):
        created = ensure_months(ahead=ahead)
        self.stdout.write("created " + (", ".join(created) or "nothing"))
