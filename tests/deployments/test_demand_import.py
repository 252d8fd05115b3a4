"""Demand import: each kind of bad input gives a Chinese row/column error and stores nothing."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.core.imports import CellError, ImportRejected
from xiachen.deployments.enums import DemandStatus, Hazard
from xiachen.deployments.importers import DEMAND_IMPORTER
from xiachen.deployments.models import Demand

from ..excel_helpers import xlsx

HEADERS = ["接收单位代码", "岗位类型", "人数", "开始日期", "结束日期", "每日时长", "必备专长", "优先专长",
           "优先派出单位类型", "风险等级", "需要医护", "备注"]


def demand_values(**overrides) -> dict:
    """A valid row for community1 (manager1's unit); `overrides` by Chinese header."""
    values = {
        "接收单位代码": "420102001001",
        "岗位类型": "卡口值守",
        "人数": 2,
        "开始日期": date(2026, 12, 1),
        "结束日期": date(2026, 12, 31),
        "每日时长": 8,
        "必备专长": "",
        "优先专长": "治安、退役军人",
        "优先派出单位类型": "公安局",
        "风险等级": "中",
        "需要医护": "否",
        "备注": "夜班需自备手电",
    }
    values.update(overrides)
    return values


def demand_sheet(*rows: dict, headers: list[str] = HEADERS) -> list[list]:
    return [headers, *[[row.get(header) for header in headers] for row in rows]]


def one_bad_row(**overrides) -> bytes:
    """Row 2 valid, row 3 carries the override."""
    return xlsx(demand_sheet(demand_values(), demand_values(**overrides)))


def rejected_errors(user, data: bytes) -> list[CellError]:
    """Commit, expect a rejection, and check that not one demand was stored."""
    with pytest.raises(ImportRejected) as rejected:
        DEMAND_IMPORTER.commit(by=user, data=data, filename="demands.xlsx")
    assert not Demand.objects.exists()
    assert not AuditEvent.objects.filter(action="demand.imported").exists()
    return rejected.value.preview.errors


BAD_CELLS = [
    pytest.param({"接收单位代码": "X-NOPE"}, "接收单位代码", "接收单位代码不存在", id="unknown-unit"),
    pytest.param({"接收单位代码": "420103002001"}, "接收单位代码",
                 "无权为该单位发布需求（只能发布本人负责的单位）", id="outside-scope"),
    pytest.param({"接收单位代码": "A-AUDIT"}, "接收单位代码",
                 "该单位不是接收单位（社区、小区、街道、车站、乡镇站所或卫生院）", id="not-receiving"),
    pytest.param({"岗位类型": "扫地"}, "岗位类型",
                 "无法识别「扫地」，请填写“填写说明”中列出的名称", id="unknown-post-type"),
    pytest.param({"人数": 0}, "人数", "应为 1 到 999 之间的整数", id="headcount-zero"),
    pytest.param({"人数": 1.5}, "人数", "应为 1 到 999 之间的整数", id="headcount-fraction"),
    pytest.param({"结束日期": date(2026, 11, 30)}, "结束日期", "结束日期不能早于开始日期", id="end-before-start"),
    pytest.param({"开始日期": "2026-02-30"}, "开始日期", "日期不存在", id="impossible-date"),
    pytest.param({"必备专长": "审计、钓鱼"}, "必备专长",
                 "无法识别「钓鱼」，请填写“填写说明”中列出的名称", id="unknown-specialty"),
    pytest.param({"优先派出单位类型": "外星局"}, "优先派出单位类型",
                 "无法识别「外星局」，请填写“填写说明”中列出的名称", id="unknown-agency-kind"),
    pytest.param({"风险等级": "极高"}, "风险等级", "无法识别「极高」，可填：低、中、高", id="hazard"),
    pytest.param({"需要医护": "也许"}, "需要医护", "无法识别「也许」，可填：是、否", id="needs-medical"),
    pytest.param({"每日时长": 25}, "每日时长", "应在 1 到 24 之间", id="daily-hours"),
    pytest.param({"人数": None}, "人数", "必填项为空", id="required-blank"),
]


@pytest.mark.parametrize(("overrides", "column", "message"), BAD_CELLS)
def test_import_rejects_bad_cell_with_row_and_column(people, overrides, column, message):
    assert rejected_errors(people.manager1, one_bad_row(**overrides)) == [CellError(3, column, message)]


def test_import_lists_every_bad_row(people):
    data = xlsx(demand_sheet(demand_values(人数=0), demand_values(), demand_values(接收单位代码="X-NOPE")))
    assert rejected_errors(people.manager1, data) == [
        CellError(2, "人数", "应为 1 到 999 之间的整数"),
        CellError(4, "接收单位代码", "接收单位代码不存在"),
    ]


def test_import_stores_all_rows_with_post_type_defaults_and_audits_the_count(tree, people):
    rows = [
        demand_values(),
        demand_values(接收单位代码="420102001001001", 岗位类型="quarantine_service", 人数="3", 开始日期="2026/12/5",
                      结束日期="2026年12月20日", 每日时长=None, 必备专长="nursing；临床医学", 优先专长=None,
                      优先派出单位类型=None, 风险等级=None, 需要医护=None, 备注=None),
    ]
    assert DEMAND_IMPORTER.commit(by=people.manager1, data=xlsx(demand_sheet(*rows)), filename="D.XLSX") == 2

    gate, quarantine = Demand.objects.order_by("unit_path")
    assert (gate.unit, gate.unit_path, gate.headcount, gate.hazard) == (
        tree.community1, tree.community1.path, 2, Hazard.MEDIUM
    )
    assert {s.code for s in gate.nice_to_have.all()} == {"security", "ex_military"}
    assert [k.code for k in gate.preferred_agency_kinds.all()] == ["public_security"]
    assert (gate.notes, gate.needs_medical, gate.status) == ("夜班需自备手电", False, DemandStatus.OPEN)
    assert (quarantine.unit, quarantine.headcount, quarantine.daily_hours) == (tree.compound1, 3, 8)
    assert (quarantine.start, quarantine.end) == (date(2026, 12, 5), date(2026, 12, 20))
    assert (quarantine.hazard, quarantine.needs_medical) == (Hazard.HIGH, True)
    assert {s.code for s in quarantine.must_have_any.all()} == {"nursing", "medicine"}
    assert quarantine.created_by == people.manager1
    assert AuditEvent.objects.get(action="demand.imported").fields == {"rows": 2, "created": 2}


def test_import_requires_permission(people):
    with pytest.raises(PermissionDenied):
        DEMAND_IMPORTER.preview(by=people.liaison1, data=xlsx(demand_sheet(demand_values())), filename="a.xlsx")


# --- through the pages -----------------------------------------------------------------------------


def upload(client, data: bytes):
    return client.post(reverse("deployments:demand_import"), {"file": SimpleUploadedFile("demands.xlsx", data)})


def test_import_page_shows_outside_scope_row_and_stores_nothing(client, people):
    client.force_login(people.manager2)
    response = upload(client, xlsx(demand_sheet(demand_values())))
    html = response.content.decode()
    assert "第2行" in html and "无权为该单位发布需求（只能发布本人负责的单位）" in html
    assert 'id="import-confirm"' not in response.content.decode()  # the upload is kept for the error list only
    assert not Demand.objects.exists()


def test_import_page_previews_then_commits_on_confirm(client, people):
    client.force_login(people.manager1)
    response = upload(client, xlsx(demand_sheet(demand_values(), demand_values(人数=4))))
    assert 'id="import-confirm"' in response.content.decode()
    assert not Demand.objects.exists()

    pending = response.context["pending"]
    response = client.post(reverse("deployments:demand_import"), {"pending": str(pending.public_id)})

    assert response.status_code == 302
    assert sorted(Demand.objects.values_list("headcount", flat=True)) == [2, 4]


def test_import_page_refuses_organization_department(client, people):
    client.force_login(people.org_department)
    assert client.get(reverse("deployments:demand_import")).status_code == 403


def test_template_download_has_the_import_headers_and_round_trips(client, people):
    client.force_login(people.manager1)
    response = client.get(reverse("deployments:demand_import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADERS
    assert workbook.sheetnames == ["导入数据", "填写说明"]
    assert DEMAND_IMPORTER.preview(by=people.manager1, data=xlsx(demand_sheet(demand_values())), filename="t.xlsx").ok
