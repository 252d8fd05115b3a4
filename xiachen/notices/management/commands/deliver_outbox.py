from django.core.management.base import BaseCommand

from xiachen.notices.services import deliver_outbox


class Command(BaseCommand):
    help = "Hand pending outbox messages to the SMS/WeChat transport (the demo transport prints them)."

    def handle(self, *args, **options):
        self.stdout.write(f"sent {deliver_outbox()} messages")
