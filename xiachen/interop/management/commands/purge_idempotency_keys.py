from django.core.management.base import BaseCommand

from xiachen.interop.idempotency import purge_expired


class Command(BaseCommand):
    help = "Forget Idempotency-Key records older than XIACHEN_IDEMPOTENCY_HOURS."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_expired()} records removed")
