"""Default post types and affinity weights of docs/vocabulary.md, loaded as editable data."""

from django.db import migrations

POST_TYPES = [('gate_duty', '卡口值守', 'Gate duty', [], ['security', 'ex_military'], 'medium', False),
 ('temperature_check', '体温检测', 'Temperature check', [], ['nursing', 'public_health'], 'medium', False),
 ('quarantine_service',
  '隔离户服务',
  'Quarantined-household service',
  [],
  ['nursing', 'medicine', 'social_work'],
  'high',
  True),
 ('supply_delivery', '物资配送', 'Supply delivery', [], ['logistics', 'driving'], 'medium', False),
 ('station_control', '车站 / 卡口防控', 'Station control', [], ['public_health', 'security'], 'high', False),
 ('data_entry', '信息登记与数据统计', 'Data entry and statistics', [], ['it', 'data', 'registry'], 'low', False),
 ('finance_audit_support', '财务审计支援', 'Finance and audit support', ['audit', 'finance'], [], 'low', False),
 ('legal_advice', '法律咨询与调解', 'Legal advice and mediation', ['law', 'mediation'], [], 'low', False),
 ('it_support', '信息化支持', 'IT support', ['it'], ['data'], 'low', False),
 ('psych_support', '心理疏导', 'Psychological support', ['psychology'], ['social_work'], 'low', False),
 ('grid_patrol', '网格巡查', 'Grid patrol', [], ['communication', 'security'], 'medium', False),
 ('elderly_support',
  '困难群众与独居老人帮扶',
  'Support for the needy and elderly living alone',
  [],
  ['social_work', 'elderly_care'],
  'low',
  False),
 ('hotline_seat', '热线坐席', 'Hotline seat', [], ['communication', 'language_dialect'], 'low', False)]

AFFINITY = {'audit': {'finance_audit_support': 100, 'data_entry': 60},
 'finance': {'finance_audit_support': 95, 'supply_delivery': 50},
 'health': {'temperature_check': 95, 'quarantine_service': 95, 'station_control': 90, 'psych_support': 60},
 'veterans': {'gate_duty': 85, 'quarantine_service': 70, 'station_control': 75},
 'justice': {'legal_advice': 100, 'grid_patrol': 60},
 'education': {'psych_support': 70, 'elderly_support': 60, 'data_entry': 50},
 'housing': {'grid_patrol': 70, 'gate_duty': 60},
 'civil_affairs': {'elderly_support': 100, 'quarantine_service': 60},
 'public_security': {'gate_duty': 90, 'station_control': 85, 'data_entry': 60},
 'commerce': {'supply_delivery': 95},
 'transport': {'supply_delivery': 85, 'station_control': 80},
 'bigdata': {'it_support': 100, 'data_entry': 90},
 'propaganda': {'hotline_seat': 70, 'grid_patrol': 60},
 'market_regulation': {'supply_delivery': 70, 'grid_patrol': 55}}


def load(apps, schema_editor):
    post_type_model = apps.get_model("deployments", "PostType")
    specialty_model = apps.get_model("cadres", "Specialty")
    agency_kind_model = apps.get_model("org", "AgencyKind")
    weight_model = apps.get_model("deployments", "AffinityWeight")
    for order, (code, zh, en, must, nice, hazard, medical) in enumerate(POST_TYPES):
        post_type, _ = post_type_model.objects.update_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "sort_order": order, "hazard": hazard, "needs_medical": medical},
        )
        post_type.must_have_any.set(specialty_model.objects.filter(code__in=must))
        post_type.nice_to_have.set(specialty_model.objects.filter(code__in=nice))
    for kind_code, weights in AFFINITY.items():
        kind = agency_kind_model.objects.get(code=kind_code)
        for post_code, weight in weights.items():
            weight_model.objects.update_or_create(
                agency_kind=kind, post_type=post_type_model.objects.get(code=post_code), defaults={"weight": weight}
            )


class Migration(migrations.Migration):
    dependencies = [("deployments", "0001_initial"), ("cadres", "0002_default_specialties"), ("org", "0002_default_vocabulary")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
