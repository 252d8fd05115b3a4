"""Default hotline categories with their feedback deadlines (docs/vocabulary.md), the 2025–2026 public
holidays and make-up working days, and the working-calendar row — loaded as editable data."""

from datetime import date

from django.db import migrations

CATEGORIES = [('emergency', '紧急求助', 'Emergency', 2, 'hours', 2),
 ('utilities', '水电气热', 'Water, power, gas, heating', 24, 'hours', None),
 ('epidemic', '疫情防控', 'Epidemic control', 24, 'hours', None),
 ('supplies', '生活物资', 'Daily supplies', 24, 'hours', None),
 ('medical', '就医需求', 'Medical needs', 24, 'hours', 2),
 ('quarantine', '隔离管控', 'Quarantine', 24, 'hours', None),
 ('passes', '出入通行', 'Passes and access', 24, 'hours', None),
 ('staff_complaint', '工作人员投诉', 'Complaint about staff', 7, 'working_days', None),
 ('general', '一般诉求', 'General request', 7, 'working_days', None),
 ('complex', '复杂诉求', 'Complex request', 15, 'working_days', None),
 ('suggestion', '意见建议', 'Suggestion', 15, 'working_days', None)]

HOLIDAYS = [('2025-01-01', '元旦', False),
 ('2025-01-28', '春节', False),
 ('2025-01-29', '春节', False),
 ('2025-01-30', '春节', False),
 ('2025-01-31', '春节', False),
 ('2025-02-01', '春节', False),
 ('2025-02-02', '春节', False),
 ('2025-02-03', '春节', False),
 ('2025-02-04', '春节', False),
 ('2025-01-26', '春节调休上班', True),
 ('2025-02-08', '春节调休上班', True),
 ('2025-04-04', '清明节', False),
 ('2025-04-05', '清明节', False),
 ('2025-04-06', '清明节', False),
 ('2025-05-01', '劳动节', False),
 ('2025-05-02', '劳动节', False),
 ('2025-05-03', '劳动节', False),
 ('2025-05-04', '劳动节', False),
 ('2025-05-05', '劳动节', False),
 ('2025-04-27', '劳动节调休上班', True),
 ('2025-05-31', '端午节', False),
 ('2025-06-01', '端午节', False),
 ('2025-06-02', '端午节', False),
 ('2025-10-01', '国庆节、中秋节', False),
 ('2025-10-02', '国庆节、中秋节', False),
 ('2025-10-03', '国庆节、中秋节', False),
 ('2025-10-04', '国庆节、中秋节', False),
 ('2025-10-05', '国庆节、中秋节', False),
 ('2025-10-06', '国庆节、中秋节', False),
 ('2025-10-07', '国庆节、中秋节', False),
 ('2025-10-08', '国庆节、中秋节', False),
 ('2025-09-28', '国庆节调休上班', True),
 ('2025-10-11', '国庆节调休上班', True),
 ('2026-01-01', '元旦', False),
 ('2026-01-02', '元旦', False),
 ('2026-01-03', '元旦', False),
 ('2026-01-04', '元旦调休上班', True),
 ('2026-02-15', '春节', False),
 ('2026-02-16', '春节', False),
 ('2026-02-17', '春节', False),
 ('2026-02-18', '春节', False),
 ('2026-02-19', '春节', False),
 ('2026-02-20', '春节', False),
 ('2026-02-21', '春节', False),
 ('2026-02-22', '春节', False),
 ('2026-02-23', '春节', False),
 ('2026-02-14', '春节调休上班', True),
 ('2026-02-28', '春节调休上班', True),
 ('2026-04-04', '清明节', False),
 ('2026-04-05', '清明节', False),
 ('2026-04-06', '清明节', False),
 ('2026-05-01', '劳动节', False),
 ('2026-05-02', '劳动节', False),
 ('2026-05-03', '劳动节', False),
 ('2026-05-04', '劳动节', False),
 ('2026-05-05', '劳动节', False),
 ('2026-05-09', '劳动节调休上班', True),
 ('2026-06-19', '端午节', False),
 ('2026-06-20', '端午节', False),
 ('2026-06-21', '端午节', False),
 ('2026-09-25', '中秋节', False),
 ('2026-09-26', '中秋节', False),
 ('2026-09-27', '中秋节', False),
 ('2026-10-01', '国庆节', False),
 ('2026-10-02', '国庆节', False),
 ('2026-10-03', '国庆节', False),
 ('2026-10-04', '国庆节', False),
 ('2026-10-05', '国庆节', False),
 ('2026-10-06', '国庆节', False),
 ('2026-10-07', '国庆节', False),
 ('2026-09-20', '国庆节调休上班', True),
 ('2026-10-10', '国庆节调休上班', True)]


def load(apps, schema_editor):
    category_model = apps.get_model("hotline", "Category")
    holiday_model = apps.get_model("hotline", "Holiday")
    calendar_model = apps.get_model("hotline", "WorkingCalendar")
    for order, (code, zh, en, amount, unit, urgent) in enumerate(CATEGORIES):
        category_model.objects.update_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "sort_order": order, "deadline_amount": amount,
            "deadline_unit": unit, "urgent_deadline_hours": urgent,
        })
    for day, name, is_workday in HOLIDAYS:
        holiday_model.objects.update_or_create(date=date.fromisoformat(day),
                                               defaults={"name": name, "is_workday": is_workday})
    calendar_model.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
