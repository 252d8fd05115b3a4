"""Re-encrypt every encrypted field with the first (current) key of XIACHEN_FIELD_KEYS.

Rotation: put the new key first, keep the old one after it, run this command, then drop the old key.
Values already under the current key are left alone, so the command can be run again after an
interruption; values of the old, unbound format (before ADR 1508) are re-sealed too.
"""

from collections import defaultdict

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from xiachen.audit import services as audit
from xiachen.core.fields import EncryptedTextField
from xiachen.core.reseal import reseal


def encrypted_fields() -> dict:
    """{model: [field names]} of every concrete model with encrypted fields, grouped by row key."""
    found = defaultdict(list)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField) and field.model is model:
                found[(model, field.row_key)].append(field.name)
    return found


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the current key (run after adding a new first key)."

    def handle(self, *args, **options):
        total = 0
        for (model, _row_key), fields in encrypted_fields().items():
            total += reseal(connection, model, fields)
        audit.record(actor=None, action="crypto.keys_rotated", fields={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {total} rows"))
