"""The rows the data migrations seed (vocabularies, hotline categories, the holiday calendar), put
back when a transactional test's flush has emptied them.

A test that needs the installation as it is after `migrate` — the demo city builder reads the unit
kinds, the hotline its categories and calendar — calls `restore_seeded_rows()`. Django's
serialized rollback is meant to do this, but under pytest-xdist it has been seen to leave the
tables empty; re-running the migrations' own seed functions (idempotent: update_or_create) does
not depend on when or where the database was serialized.
"""

from importlib import import_module

from django.apps import apps

SEEDERS = [
    ("xiachen.org.migrations.0002_default_vocabulary", "load"),
    ("xiachen.cadres.migrations.0002_default_specialties", "load"),
    ("xiachen.households.migrations.0002_default_vulnerabilities", "load"),
    ("xiachen.deployments.migrations.0002_default_post_types_and_affinity", "load"),
    ("xiachen.assessments.migrations.0002_default_vocabulary_and_scheme", "forwards"),
]


def restore_seeded_rows() -> None:
    from datetime import date

    from xiachen.core.models import Holiday
    from xiachen.hotline.models import Category, WorkingCalendar
    from xiachen.org.models import UnitKind

    if UnitKind.objects.exists() and Category.objects.exists() and Holiday.objects.exists():
        return
    for module, function in SEEDERS:
        getattr(import_module(module), function)(apps, None)
    hotline = import_module("xiachen.hotline.migrations.0002_default_categories_and_holidays")
    for order, (code, zh, en, amount, unit, urgent) in enumerate(hotline.CATEGORIES):
        Category.objects.update_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "sort_order": order, "deadline_amount": amount,
            "deadline_unit": unit, "urgent_deadline_hours": urgent,
        })
    for day, name, is_workday in hotline.HOLIDAYS:
        defaults = {"name": name, "is_workday": is_workday}
        Holiday.objects.update_or_create(date=date.fromisoformat(day), defaults=defaults)
    WorkingCalendar.objects.get_or_create(pk=1)
    import_module("xiachen.core.migrations.0003_calendar_years").mark_seeded_years(apps, None)
