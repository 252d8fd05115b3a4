"""Re-encrypt every encrypted personal-data field with the first (current) key of XIACHEN_FIELD_KEYS.

Rotation: put the new key first, keep the old one after it, run this command, then drop the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xiachen.audit import services as audit
from xiachen.core.fields import EncryptedTextField

BATCH = 2000


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the current key (run after adding a new first key)."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if fields:
                total += self._rotate(model, fields)
        audit.record(actor=None, action="crypto.keys_rotated", fields={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {total} rows"))

    def _rotate(self, model, fields: list[str]) -> int:
        count = 0
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                # Loading decrypts with any configured key; saving encrypts with the first one.
                rows = list(model.objects.filter(pk__in=ids[start : start + BATCH]).only("pk", *fields))
                model.objects.bulk_update(rows, fields)
                count += len(rows)
        return count
