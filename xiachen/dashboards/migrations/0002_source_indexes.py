"""Indexes on other apps' tables that the incremental rollup refresh needs (ADR 0901).

The refresh finds the rows changed since its watermark (`updated_at`) and recomputes the days they
touch by range scans on the time column that decides the day. Without these, every refresh of a
few minutes would scan the whole errands table (a million rows at city scale) several times.
They live here, created with IF NOT EXISTS, so the owning apps' models stay untouched; the names
start with `dashboards_src_` so they are easy to tell apart.
"""

from django.db import migrations

INDEXES = [
    ("dashboards_src_errand_updated", "errands_errand", "updated_at"),
    ("dashboards_src_errand_created", "errands_errand", "created_at"),
    ("dashboards_src_errand_delivered", "errands_errand", "delivered_at"),
    ("dashboards_src_errand_finished", "errands_errand", "finished_at"),
    ("dashboards_src_errand_status", "errands_errand", "status"),  # open errands, every refresh
    ("dashboards_src_ticket_updated", "hotline_ticket", "updated_at"),
    ("dashboards_src_participation_upd", "surveys_participation", "updated_at"),
    ("dashboards_src_participation_crt", "surveys_participation", "created_at"),
    ("dashboards_src_attendance_upd", "rosters_attendance", "updated_at"),
    ("dashboards_src_assignment_day", "rosters_assignment", "day"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_rollup_tables"),
        ("errands", "0001_initial"),
        ("hotline", "0002_default_categories_and_holidays"),
        ("surveys", "0001_initial"),
        ("rosters", "0001_rosters_attendance_care"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, column in INDEXES
    ]
