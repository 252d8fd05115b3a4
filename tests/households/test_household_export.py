"""Household export: one row per resident, masked by default, full export audited and role-bound."""

import io

import openpyxl
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.households.exports import FULL_HEADERS, MASKED_HEADERS


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_masks_by_default(client, people, resident1):
    client.force_login(people.worker1)
    rows = sheet_rows(client.get(reverse("households:export")).content)
    assert rows[0] == MASKED_HEADERS
    assert "出生日期" not in rows[0] and "性别" not in rows[0]
    assert rows[1][7:9] == [resident1.masked_id_number, resident1.masked_phone]
    assert rows[1][7] == resident1.id_number[:4] + "*" * 14
    assert AuditEvent.objects.get(action="household.exported").fields == {"rows": 1}


def test_full_export_denied_for_community_worker(client, people):
    client.force_login(people.worker1)
    assert client.get(reverse("households:export"), {"full": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action="household.exported_full").exists()


def test_full_export_for_unit_manager_is_audited(client, people, resident1):
    client.force_login(people.manager1)
    rows = sheet_rows(client.get(reverse("households:export"), {"full": "1"}).content)
    assert rows[0] == FULL_HEADERS
    assert rows[1][9:11] == [resident1.id_number, resident1.phone]
    assert AuditEvent.objects.get(action="household.exported_full").fields == {"rows": 1}
