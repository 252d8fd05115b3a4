"""Default vulnerability flags of docs/vocabulary.md (the data migration holds its own copy)."""

VULNERABILITIES = [
    ('elderly_alone', '独居老人', 'Elderly living alone'),
    ('disabled', '残疾人', 'Disabled'),
    ('low_income', '低保 / 困难家庭', 'Low income'),
    ('chronic_illness', '慢性病', 'Chronic illness'),
    ('minors_alone', '留守 / 无人照看未成年人', 'Minors without care'),
    ('pregnant', '孕产妇', 'Pregnant / postpartum'),
]
