"""Default hotline categories, deadlines and holidays (docs/vocabulary.md); the data migration holds its own copy."""

from datetime import date

# code, 中文, English, deadline amount, unit, urgent deadline in hours (None: same as normal).
# Categories counted in working days are signed for in working time (ADR 1604); the others round the clock.
CATEGORIES = [
    ("emergency", "紧急求助", "Emergency", 2, "hours", 2),
    ("utilities", "水电气热", "Water, power, gas, heating", 24, "hours", None),
    ("epidemic", "疫情防控", "Epidemic control", 24, "hours", None),
    ("supplies", "生活物资", "Daily supplies", 24, "hours", None),
    ("medical", "就医需求", "Medical needs", 24, "hours", 2),
    ("quarantine", "隔离管控", "Quarantine", 24, "hours", None),
    ("passes", "出入通行", "Passes and access", 24, "hours", None),
    ("staff_complaint", "工作人员投诉", "Complaint about staff", 7, "working_days", None),
    ("general", "一般诉求", "General request", 7, "working_days", None),
    ("complex", "复杂诉求", "Complex request", 15, "working_days", None),
    ("suggestion", "意见建议", "Suggestion", 15, "working_days", None),
]

# Public holidays and make-up working days (调休) per the State Council's notices; the organization
# department adds each new year's schedule when it is published.
HOLIDAYS = [
    *[(date(2025, 1, 1), "元旦", False)],
    *[(date(2025, 1, d), "春节", False) for d in (28, 29, 30, 31)],
    *[(date(2025, 2, d), "春节", False) for d in (1, 2, 3, 4)],
    (date(2025, 1, 26), "春节调休上班", True), (date(2025, 2, 8), "春节调休上班", True),
    *[(date(2025, 4, d), "清明节", False) for d in (4, 5, 6)],
    *[(date(2025, 5, d), "劳动节", False) for d in (1, 2, 3, 4, 5)],
    (date(2025, 4, 27), "劳动节调休上班", True),
    (date(2025, 5, 31), "端午节", False), (date(2025, 6, 1), "端午节", False), (date(2025, 6, 2), "端午节", False),
    *[(date(2025, 10, d), "国庆节、中秋节", False) for d in range(1, 9)],
    (date(2025, 9, 28), "国庆节调休上班", True), (date(2025, 10, 11), "国庆节调休上班", True),
    *[(date(2026, 1, d), "元旦", False) for d in (1, 2, 3)],
    (date(2026, 1, 4), "元旦调休上班", True),
    *[(date(2026, 2, d), "春节", False) for d in range(15, 24)],
    (date(2026, 2, 14), "春节调休上班", True), (date(2026, 2, 28), "春节调休上班", True),
    *[(date(2026, 4, d), "清明节", False) for d in (4, 5, 6)],
    *[(date(2026, 5, d), "劳动节", False) for d in (1, 2, 3, 4, 5)],
    (date(2026, 5, 9), "劳动节调休上班", True),
    *[(date(2026, 6, d), "端午节", False) for d in (19, 20, 21)],
    *[(date(2026, 9, d), "中秋节", False) for d in (25, 26, 27)],
    *[(date(2026, 10, d), "国庆节", False) for d in range(1, 8)],
    (date(2026, 9, 20), "国庆节调休上班", True), (date(2026, 10, 10), "国庆节调休上班", True),
]


def load_defaults() -> None:
    """Create missing default categories, holidays and the calendar row (idempotent; edits survive)."""
    from xiachen.core.models import Holiday

    from .models import Category, WorkingCalendar

    for order, (code, zh, en, amount, unit, urgent) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "sort_order": order, "deadline_amount": amount,
            "deadline_unit": unit, "urgent_deadline_hours": urgent,
            "response_clock": "working" if unit == "working_days" else "calendar",
        })
    for day, name, is_workday in HOLIDAYS:
        Holiday.objects.get_or_create(date=day, defaults={"name": name, "is_workday": is_workday})
    WorkingCalendar.objects.get_or_create(pk=1)
