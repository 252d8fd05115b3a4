"""Scans and checkpoint registrations in monthly range partitions on PostgreSQL (ADR 2111).

Converts the tables with their rows (xiachen/passes/partitions.py: convert); the Django model state is
unchanged. A no-op on SQLite.
"""

from django.db import migrations

from xiachen.passes.partitions import convert_all


class Migration(migrations.Migration):
    dependencies = [
        ("passes", "0009_scan_index_path_time"),
    ]

    operations = [
        migrations.RunPython(convert_all, migrations.RunPython.noop, elidable=False),
    ]
