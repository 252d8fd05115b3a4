"""Unit import: parents from the database or earlier rows, inside the importer's scope."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.core.imports import CellError, ImportRejected
from xiachen.org.importers import UNIT_IMPORTER
from xiachen.org.models import Unit

from ..excel_helpers import UNIT_HEADERS, xlsx
from ..factories import make_unit


def unit_row(code: str, parent: str, kind: str = "社区", **extra) -> list:
    values = {"代码": code, "名称": f"单位{code}", "类型": kind, "上级代码": parent, **extra}
    return [values.get(header) for header in UNIT_HEADERS]


def rejected_errors(user, rows: list[list]) -> list[CellError]:
    before = Unit.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        UNIT_IMPORTER.commit(by=user, data=xlsx([UNIT_HEADERS, *rows]), filename="units.xlsx")
    assert Unit.objects.count() == before
    return rejected.value.preview.errors


def test_import_creates_nested_units_from_earlier_rows(people):
    rows = [
        unit_row("420102009", "420102", "street"),
        unit_row("420102009001", "420102009", "社区", 地址="江岸区某路1号", 纬度="30.6", 经度=114.31),
        unit_row("420102009001001", "420102009001", "小区"),
        unit_row("A-JUSTICE", "420100", "机关单位", 机关类型="司法局"),
    ]
    data = xlsx([UNIT_HEADERS, *rows])
    assert UNIT_IMPORTER.commit(by=people.org_department, data=data, filename="u.xlsx") == 4
    compound = Unit.objects.get(code="420102009001001")
    assert (compound.path, compound.depth, compound.kind.code) == (
        "/420100/420102/420102009/420102009001/420102009001001/", 4, "compound")
    assert Unit.objects.get(code="A-JUSTICE").agency_kind.code == "justice"
    assert str(Unit.objects.get(code="420102009001").latitude) == "30.600000"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([unit_row("420102001", "420102")], CellError(2, "代码", "单位代码已存在"), id="exists"),
        pytest.param([unit_row("X1", "420102"), unit_row("X1", "420102")],
                     CellError(3, "代码", "单位代码与第2行重复"), id="duplicate"),
        pytest.param([unit_row("X1", "NOPE")], CellError(2, "上级代码", "上级单位代码不存在"),
                     id="no-parent"),
        pytest.param([unit_row("X2", "X1"), unit_row("X1", "420102")],
                     CellError(2, "上级代码", "上级单位须列在本行之前（第3行）"), id="parent-later"),
        pytest.param([unit_row("X1", "420102", "银河系")],
                     CellError(2, "类型", "无法识别「银河系」，请填写“填写说明”中列出的名称"), id="kind"),
        pytest.param([unit_row("X1", "420102", 纬度=95)], CellError(2, "纬度", "应在 -90 到 90 之间"),
                     id="latitude"),
        pytest.param([unit_row("X1", "420102", 经度="200")], CellError(2, "经度", "应在 -180 到 180 之间"),
                     id="longitude"),
        pytest.param([unit_row("X1", "420102", 机关类型="审计局")],
                     CellError(2, "机关类型", "只有机关单位可填写机关类型"), id="agency-kind"),
        pytest.param([unit_row("X 1/2", "420102")], CellError(2, "代码", "代码只能包含字母、数字、- 和 _"),
                     id="code-chars"),
    ],
)
def test_import_rejects_bad_rows(people, rows, expected):
    assert rejected_errors(people.org_department, rows) == [expected]


def test_import_rejects_parent_outside_scope(people, tree):
    make_unit("990000", "外市", "city")
    assert rejected_errors(people.org_department, [unit_row("990001", "990000", "区 / 县")]) == [
        CellError(2, "上级代码", "无权在该上级单位下导入")
    ]


def test_unit_import_pages(client, people):
    client.force_login(people.org_department)
    template = client.get(reverse("org:import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == UNIT_HEADERS

    upload = SimpleUploadedFile("u.xlsx", xlsx([UNIT_HEADERS, unit_row("420102009", "420102", "街道")]))
    response = client.post(reverse("org:import"), {"file": upload})
    assert response.status_code == 200 and not Unit.objects.filter(code="420102009").exists()
    response = client.post(reverse("org:import"), {"pending": str(response.context["pending"].public_id)})
    assert response.status_code == 302
    assert Unit.objects.get(code="420102009").parent.code == "420102"


def test_unit_import_forbidden_for_liaison(client, people):
    client.force_login(people.liaison1)
    assert client.get(reverse("org:import")).status_code == 403
