"""Default vocabulary of docs/vocabulary.md, loaded as editable data."""

from django.db import migrations

VULNERABILITIES = [
    ('elderly_alone', '独居老人', 'Elderly living alone'),
    ('disabled', '残疾人', 'Disabled'),
    ('low_income', '低保 / 困难家庭', 'Low income'),
    ('chronic_illness', '慢性病', 'Chronic illness'),
    ('minors_alone', '留守 / 无人照看未成年人', 'Minors without care'),
    ('pregnant', '孕产妇', 'Pregnant / postpartum'),
]


def load(apps, schema_editor):
    model = apps.get_model("households", "Vulnerability")
    for order, (code, name_zh, name_en) in enumerate(VULNERABILITIES):
        model.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
