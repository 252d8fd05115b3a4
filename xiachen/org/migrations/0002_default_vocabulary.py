"""Default vocabulary of docs/vocabulary.md, loaded as editable data."""

from django.db import migrations

UNIT_KINDS = [
    ('city', '市', 'City'),
    ('district', '区 / 县', 'District / county'),
    ('street', '街道', 'Street'),
    ('township', '乡镇', 'Township'),
    ('community', '社区', 'Community'),
    ('village', '村', 'Village'),
    ('compound', '小区', 'Compound'),
    ('grid', '网格', 'Grid'),
    ('agency', '机关单位', 'Agency'),
    ('department', '内设机构 / 处室', 'Department'),
    ('station', '车站 / 交通卡口', 'Station / checkpoint'),
    ('township_office', '乡镇站所', 'Township office'),
    ('health_centre', '卫生院 / 社区卫生服务中心', 'Health centre'),
]
AGENCY_KINDS = [
    ('audit', '审计局', 'Audit bureau'),
    ('finance', '财政局', 'Finance bureau'),
    ('health', '卫生健康委员会', 'Health commission'),
    ('veterans', '退役军人事务局', 'Veterans affairs bureau'),
    ('justice', '司法局', 'Justice bureau'),
    ('education', '教育局', 'Education bureau'),
    ('housing', '住房和城乡建设局', 'Housing and construction bureau'),
    ('civil_affairs', '民政局', 'Civil affairs bureau'),
    ('public_security', '公安局', 'Public security bureau'),
    ('commerce', '商务局', 'Commerce bureau'),
    ('transport', '交通运输局', 'Transport bureau'),
    ('bigdata', '大数据局', 'Big data bureau'),
    ('organization', '组织部', 'Organization department'),
    ('propaganda', '宣传部', 'Publicity department'),
    ('market_regulation', '市场监督管理局', 'Market regulation bureau'),
]


def load(apps, schema_editor):
    model = apps.get_model("org", "UnitKind")
    for order, (code, name_zh, name_en) in enumerate(UNIT_KINDS):
        model.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order})
    model = apps.get_model("org", "AgencyKind")
    for order, (code, name_zh, name_en) in enumerate(AGENCY_KINDS):
        model.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
