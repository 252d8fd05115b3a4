"""Move waiting anonymous answer sheets into the results (ADR 1505): batches of at least the
anonymity batch size while a survey is open, everything once it has ended. Scheduled hourly."""

from django.core.management.base import BaseCommand

from xiachen.surveys.services import flush_all_pending


class Command(BaseCommand):
    help = "Move pending anonymous survey answers into the results in shuffled batches."

    def handle(self, *args, **options):
        moved = flush_all_pending()
        self.stdout.write(self.style.SUCCESS(f"moved {moved} anonymous answer sheets"))
