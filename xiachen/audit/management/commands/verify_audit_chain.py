from django.core.management.base import BaseCommand, CommandError

from xiachen.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain; exit non-zero at the first broken link."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.intact:
            raise CommandError(f"audit chain broken after {report.checked} good rows: {report.problem}")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events"))
