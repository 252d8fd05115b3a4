from django.core.management.base import BaseCommand

from xiachen.interop.webhooks import deliver_due


class Command(BaseCommand):
    help = "Send due webhook deliveries (first attempts and retries with backoff)."

    def handle(self, *args, **options):
        self.stdout.write(f"{deliver_due()} deliveries attempted")
