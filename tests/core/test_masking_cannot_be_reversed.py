"""No masked export lets an ID number be reconstructed (issue 15, item 4).

For every row of the masked household and cadre exports, count the valid GB 11643 ID numbers that
agree with everything the row shows: the masked ID and any column derived from an ID (birth date,
sex). The count is computed, not sampled: region codes under the shown prefix × days of birth ×
order codes of the right parity, each with exactly one check digit. A masked export must leave at
least MIN_CANDIDATES per row; the old rule (first 3 and last 4 digits beside the birth date)
left one or two for most residents of a district.
"""

import io
from datetime import date

import openpyxl
from django.urls import reverse

from tests.factories import CadreFactory, HouseholdFactory, ResidentFactory

MIN_CANDIDATES = 1000
DAYS_OF_BIRTH_1900_TO_2026 = (date(2026, 12, 31) - date(1900, 1, 1)).days + 1


def candidates(masked: str, *, birth_date: date | None = None, sex: str | None = None) -> int:
    """How many valid 18-digit ID numbers agree with `masked` (digits shown, `*` hidden) and the facts.

    Region: at most 100 six-digit codes under any shown prefix (roughly the districts of a city —
    an attacker has the region table). Birth date: 1 if known (column or digits 7–14 shown), else
    every day 1900–2026. Order code (digits 15–17): the hidden ones, halved when the sex (the 17th
    digit's parity) is known. Check digit: one in 11 combinations matches when it is shown.
    """
    assert len(masked) == 18
    hidden = {i for i, c in enumerate(masked) if c == "*"}
    regions = min(10 ** len(hidden & set(range(6))), 100) if hidden & set(range(6)) else 1
    days = 1 if birth_date or not hidden & set(range(6, 14)) else DAYS_OF_BIRTH_1900_TO_2026
    order = 10 ** len(hidden & {14, 15, 16})
    if sex and 16 in hidden:
        order //= 2
    total = regions * days * order
    return total if 17 in hidden else max(total // 11, 1)


def _sheet(content: bytes) -> tuple[list, list[list]]:
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows()]
    return rows[0], rows[1:]


def _facts(headers: list, row: list) -> dict:
    record = dict(zip(headers, row, strict=True))
    birth = record.get("出生日期")
    return {
        "masked": record["身份证号"],
        "birth_date": birth.date() if hasattr(birth, "date") else birth,
        "sex": record.get("性别"),
    }


def test_the_old_rule_would_fail_and_the_new_one_holds_even_with_birth_date_and_sex():
    # 420***********0117 beside a birth date: about 9 people; the region prefix alone: 50,000+
    assert candidates("420***********0117", birth_date=date(1980, 1, 1), sex="男") < 10
    assert candidates("4201**************", birth_date=date(1980, 1, 1), sex="男") >= MIN_CANDIDATES


def test_no_masked_household_export_row_narrows_an_id_down(client, people, tree):
    for _ in range(20):
        household = HouseholdFactory(compound=tree.compound1)
        ResidentFactory.create_batch(3, household=household)
    client.force_login(people.worker1)
    headers, rows = _sheet(client.get(reverse("households:export")).content)
    assert len(rows) >= 60
    counts = [candidates(**_facts(headers, row)) for row in rows]
    assert min(counts) >= MIN_CANDIDATES


def test_no_masked_cadre_export_row_narrows_an_id_down(client, people, tree):
    CadreFactory.create_batch(30, agency=tree.agency1)
    client.force_login(people.liaison1)
    headers, rows = _sheet(client.get(reverse("cadres:export")).content)
    assert len(rows) >= 30
    assert min(candidates(**_facts(headers, row)) for row in rows) >= MIN_CANDIDATES
