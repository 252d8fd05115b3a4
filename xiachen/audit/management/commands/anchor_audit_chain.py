from django.core.management.base import BaseCommand

from xiachen.audit.services import write_checkpoint


class Command(BaseCommand):
    help = "Append a signed checkpoint of the audit chain (count, last id, head) to XIACHEN_AUDIT_ANCHOR_FILE."

    def handle(self, *args, **options):
        anchor = write_checkpoint()
        self.stdout.write(f"audit chain anchored: {anchor['count']} events, last {anchor['last_id']}")
