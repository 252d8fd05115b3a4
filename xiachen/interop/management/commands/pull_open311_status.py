from django.core.management.base import BaseCommand

from xiachen.interop.open311_client import pull_statuses, retry_forwards


class Command(BaseCommand):
    help = "Send waiting Open311 forwards and pull the city platform's status of forwarded tickets."

    def handle(self, *args, **options):
        self.stdout.write(f"{retry_forwards()} forwards sent, {pull_statuses()} statuses changed")
