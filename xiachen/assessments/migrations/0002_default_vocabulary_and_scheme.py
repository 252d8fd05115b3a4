"""Default dimensions (德能勤绩廉), grades with the default 优秀 quota (≤ 20 %), and scheme version 1."""

from decimal import Decimal

from django.db import migrations

DIMENSIONS = [
    ("integrity", "德", "Integrity"),
    ("ability", "能", "Ability"),
    ("diligence", "勤", "Diligence"),
    ("results", "绩", "Results"),
    ("probity", "廉", "Probity"),
]
# code, 中文, English, lowest score, least share %, most share %
GRADES = [
    ("excellent", "优秀", "Excellent", Decimal(90), 0, 20),
    ("competent", "称职", "Competent", Decimal(70), 0, None),
    ("basically_competent", "基本称职", "Basically competent", Decimal(60), 0, None),
    ("incompetent", "不称职", "Incompetent", Decimal(0), 0, None),
]
WEIGHTS = [
    ("dim:integrity", Decimal(15), None),
    ("dim:ability", Decimal(15), None),
    ("dim:diligence", Decimal(15), None),
    ("dim:results", Decimal(15), None),
    ("dim:probity", Decimal(10), None),
    ("metric:attendance_rate", Decimal(10), None),
    ("metric:punctuality", Decimal(5), None),
    ("metric:errands_done", Decimal(5), Decimal(20)),
    ("metric:resident_rating", Decimal(5), None),
    ("metric:complaints", Decimal(5), Decimal(5)),
]


def forwards(apps, schema_editor):
    Dimension = apps.get_model("assessments", "Dimension")
    Grade = apps.get_model("assessments", "Grade")
    Scheme = apps.get_model("assessments", "Scheme")
    Weight = apps.get_model("assessments", "Weight")
    for order, (code, zh, en) in enumerate(DIMENSIONS):
        Dimension.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order})
    for order, (code, zh, en, lowest, least, most) in enumerate(GRADES):
        Grade.objects.update_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "sort_order": order, "min_score": lowest, "min_share": least,
            "max_share": most,
        })
    if not Scheme.objects.exists():
        scheme = Scheme.objects.create(version=1, name="默认计分方案", is_active=True,
                                       note="评价维度占70%，自动指标占30%")
        for component, weight, target in WEIGHTS:
            Weight.objects.create(scheme=scheme, component=component, weight=weight, target=target)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
