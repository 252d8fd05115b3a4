"""Default vocabulary of docs/vocabulary.md, loaded as editable data."""

from django.db import migrations

SPECIALTIES = [
    ('audit', '审计', 'Audit'),
    ('finance', '财务会计', 'Finance and accounting'),
    ('medicine', '临床医学', 'Clinical medicine'),
    ('nursing', '护理', 'Nursing'),
    ('public_health', '公共卫生 / 疾控', 'Public health / CDC'),
    ('psychology', '心理咨询', 'Psychological counselling'),
    ('law', '法律', 'Law'),
    ('mediation', '人民调解', 'Mediation'),
    ('it', '信息技术', 'Information technology'),
    ('data', '数据分析', 'Data analysis'),
    ('logistics', '物资保障 / 物流', 'Logistics'),
    ('supply', '商贸供应', 'Commerce and supply'),
    ('driving', '驾驶', 'Driving'),
    ('construction', '建筑工程', 'Construction'),
    ('property', '物业管理', 'Property management'),
    ('education', '教育', 'Education'),
    ('social_work', '社会工作', 'Social work'),
    ('elderly_care', '养老服务', 'Elderly care'),
    ('ex_military', '退役军人', 'Ex-military'),
    ('security', '治安 / 安保', 'Security'),
    ('registry', '户籍 / 人口信息', 'Household registry'),
    ('communication', '宣传 / 群众工作', 'Communication'),
    ('food_safety', '食品安全', 'Food safety'),
    ('pricing', '价格监管', 'Price regulation'),
    ('personnel', '人事组织', 'Personnel'),
    ('language_dialect', '方言 / 外语', 'Dialects / languages'),
]


def load(apps, schema_editor):
    model = apps.get_model("cadres", "Specialty")
    for order, (code, name_zh, name_en) in enumerate(SPECIALTIES):
        model.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
