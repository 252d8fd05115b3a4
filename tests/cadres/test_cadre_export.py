"""Cadre export: masked by default, full export only for permitted roles and always audited."""

import io

import openpyxl
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.cadres.exports import FULL_HEADERS, MASKED_HEADERS

from ..factories import CadreFactory


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_masks_by_default_and_is_audited(client, people, cadre1):
    client.force_login(people.liaison1)
    response = client.get(reverse("cadres:export"))
    rows = sheet_rows(response.content)
    assert rows[0] == MASKED_HEADERS
    assert "性别" not in rows[0]
    assert rows[1][1:3] == [cadre1.masked_id_number, cadre1.masked_phone]
    assert cadre1.id_number not in str(rows)
    event = AuditEvent.objects.get(action="cadre.exported")
    assert (event.actor_label, event.fields) == ("liaison1", {"rows": 1})


def test_full_export_for_org_department_is_audited_with_row_count(client, people, cadre1, tree):
    CadreFactory(agency=tree.agency2)
    client.force_login(people.org_department)
    rows = sheet_rows(client.get(reverse("cadres:export"), {"full": "1"}).content)
    assert rows[0] == FULL_HEADERS
    assert [row[2] for row in rows[1:]].count(cadre1.id_number) == 1
    assert len(rows) == 3
    event = AuditEvent.objects.get(action="cadre.exported_full")
    assert event.fields == {"rows": 2}
    assert cadre1.id_number not in str(event.fields)


def test_full_export_denied_without_permission(client, people):
    client.force_login(people.worker1)
    assert client.get(reverse("cadres:export"), {"full": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="cadre.exported").exists()


def test_export_escapes_formula_injection(client, people, tree):
    CadreFactory(agency=tree.agency1, name="=cmd|' /C calc'!A0", position="@SUM(1+1)")
    client.force_login(people.liaison1)
    content = client.get(reverse("cadres:export")).content
    rows = sheet_rows(content)
    escaped = next(row for row in rows if row[0].startswith("="))
    # Shown exactly as stored, but written as text cells (quote prefix), never as formulas.
    assert (escaped[0], escaped[MASKED_HEADERS.index("职务")]) == ("=cmd|' /C calc'!A0", "@SUM(1+1)")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value in ("=cmd|' /C calc'!A0", "@SUM(1+1)")]
    assert len(cells) == 2 and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
