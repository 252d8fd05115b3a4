"""Masked display of personal data — the one rule per kind (docs/security.md; the personal-data
register is xiachen/core/personal_data.py):

- ID number: the region prefix only (province and city, 4 digits): `4201**************`. The last
  four digits, shown by many systems, are the order code and check digit: with a birth date and a
  district beside them most IDs of a community became unique (issue 15, item 4). The prefix leaves
  hundreds of candidates even when birth date and sex are known.
- phone: the carrier prefix and the last four digits: `158****9532` (how Chinese services show it).
- name: the family name: `张*`.

Nothing derived from the ID (birth date, sex, age) is shipped beside a masked ID by default.
"""

ID_PREFIX_SHOWN = 4


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= ID_PREFIX_SHOWN + 2:
        return "*" * len(value)
    return value[:ID_PREFIX_SHOWN] + "*" * (len(value) - ID_PREFIX_SHOWN)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else value
