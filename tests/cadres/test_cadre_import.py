"""Cadre roster import: every kind of bad input gives a Chinese row/column error and stores nothing."""

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.cadres.enums import Rank
from xiachen.cadres.importers import CADRE_IMPORTER
from xiachen.cadres.models import Cadre
from xiachen.core.idnumbers import make_id_number
from xiachen.core.imports import CellError, ImportRejected

from ..excel_helpers import ID_WITH_X, cadre_sheet, cadre_values, wrong_check_character, xlsx

FIXTURES = Path(__file__).parent.parent / "fixtures" / "excel"
MALE_1990 = make_id_number("420102", date(1990, 1, 1), 11)
BAD_CHECK, RIGHT_CHECK = wrong_check_character(MALE_1990)
IMPOSSIBLE_BIRTH = "42010219900230" + "0113"
BAD_REGION = make_id_number("990102", date(1990, 1, 1), 11)


def rejected_errors(user, data: bytes, filename: str = "roster.xlsx") -> list[CellError]:
    """Commit, expect a rejection, and check that not one cadre was stored."""
    before = Cadre.objects.count()
    with pytest.raises(ImportRejected) as rejected:
        CADRE_IMPORTER.commit(by=user, data=data, filename=filename)
    assert Cadre.objects.count() == before
    return rejected.value.preview.errors


def one_bad_row(**overrides) -> bytes:
    """Row 2 valid, row 3 carries the override."""
    return xlsx(cadre_sheet(cadre_values(1), cadre_values(2, **overrides)))


BAD_CELLS = [
    pytest.param({"身份证号": BAD_CHECK}, "身份证号",
                 f"身份证号校验位错误：最后一位应为 {RIGHT_CHECK}", id="check-digit"),
    pytest.param({"身份证号": "420102900101113"}, "身份证号",
                 "这是15位旧身份证号，请填写18位身份证号", id="legacy-15"),
    pytest.param({"身份证号": 4.20102199001011e17}, "身份证号",
                 "身份证号被 Excel 存成了数字（科学计数法），请把该列设为文本后重新录入", id="float"),
    pytest.param({"身份证号": "4.20102E+17"}, "身份证号",
                 "身份证号被 Excel 转成了科学计数法（4.20102E+17），请把该列设为文本后重新录入",
                 id="scientific-text"),
    pytest.param({"身份证号": IMPOSSIBLE_BIRTH}, "身份证号",
                 "身份证号中的出生日期 19900230 不存在", id="impossible-birth"),
    pytest.param({"身份证号": BAD_REGION}, "身份证号",
                 "身份证号的行政区划代码 990102 无效", id="region"),
    pytest.param({"身份证号": "4201021990"}, "身份证号",
                 "身份证号应为18位：17位数字加1位数字或X（实际为10位）", id="short"),
    pytest.param({"身份证号": MALE_1990, "性别": "女"}, "性别",
                 "性别与身份证号不符：按身份证号应为男", id="sex"),
    pytest.param({"性别": "未知"}, "性别", "无法识别「未知」，可填：男、女", id="sex-label"),
    pytest.param({"手机号": "2370000001"}, "手机号", "手机号应为以1开头的11位数字", id="mobile"),
    pytest.param({"派出单位代码": "A-NOPE"}, "派出单位代码", "派出单位代码不存在", id="unknown-agency"),
    pytest.param({"派出单位代码": "420102"}, "派出单位代码", "该代码不是机关单位", id="not-an-agency"),
    pytest.param({"派出单位代码": "A/../X"}, "派出单位代码",
                 "代码只能包含字母、数字、- 和 _", id="code-chars"),
    pytest.param({"内设机构": "疾控科"}, "内设机构",
                 "派出单位下没有名为「疾控科」的内设机构", id="department"),
    pytest.param({"职级": "部长"}, "职级",
                 "无法识别「部长」，可填：科员、副科级、正科级、副处级、正处级、副局级及以上", id="rank"),
    pytest.param({"专长": "审计、钓鱼"}, "专长",
                 "无法识别「钓鱼」，请填写“填写说明”中列出的名称", id="specialty"),
    pytest.param({"住址纬度": 91}, "住址纬度", "应在 -90 到 90 之间", id="latitude"),
    pytest.param({"住址经度": "东经114"}, "住址经度", "应为数字", id="longitude-text"),
    pytest.param({"住址经度": -181.5}, "住址经度", "应在 -180 到 180 之间", id="longitude"),
    pytest.param({"姓名": "   "}, "姓名", "必填项为空", id="required-blank"),
    pytest.param({"职务": "长" * 61}, "职务", "内容过长：最多 60 个字", id="too-long"),
]


@pytest.mark.parametrize(("overrides", "column", "message"), BAD_CELLS)
def test_import_rejects_bad_cell_with_row_and_column(people, overrides, column, message):
    errors = rejected_errors(people.org_department, one_bad_row(**overrides))
    assert errors == [CellError(3, column, message)]


def test_import_rejects_agency_outside_liaison_scope(people):
    data = xlsx(cadre_sheet(cadre_values(1, 派出单位代码="A-HEALTH", 内设机构="疾控科")))
    errors = rejected_errors(people.liaison1, data)
    assert errors == [CellError(2, "派出单位代码", "无权向该派出单位导入干部（只能导入本人负责的单位）")]


def test_import_rejects_duplicate_id_within_file_naming_first_row(people):
    again = cadre_values(3, 身份证号=cadre_values(1)["身份证号"])
    data = xlsx(cadre_sheet(cadre_values(1), cadre_values(2), again))
    assert rejected_errors(people.org_department, data) == [CellError(4, "身份证号", "身份证号与第2行重复")]


def test_import_rejects_row_duplicating_existing_cadre(people, cadre1):
    data = xlsx(cadre_sheet(cadre_values(1), cadre_values(2, 身份证号=cadre1.id_number.lower())))
    assert rejected_errors(people.org_department, data) == [
        CellError(3, "身份证号", "系统中已有该身份证号的干部，不能重复导入")
    ]


def test_import_rejects_formula_cell(people):
    data = xlsx(cadre_sheet(cadre_values(1)), formulas={"D2": "=CONCAT(\"139\",\"00000001\")"})
    errors = rejected_errors(people.org_department, data)
    assert errors == [CellError(2, "手机号", "单元格含公式，请粘贴为数值")]


def test_import_rejects_merged_cells_naming_the_range(people):
    data = xlsx(cadre_sheet(cadre_values(1), cadre_values(2)), merge="E2:E3")
    assert rejected_errors(people.org_department, data) == [
        CellError(2, "", "含合并单元格 E2:E3，请取消合并后每格单独填写")
    ]


def test_import_rejects_missing_required_header(people):
    headers = [header for header in cadre_sheet()[0] if header != "身份证号"]
    data = xlsx(cadre_sheet(cadre_values(1), headers=headers))
    assert rejected_errors(people.org_department, data) == [CellError(1, "身份证号", "缺少必填列")]


def test_import_rejects_duplicate_header(people):
    headers = [*cadre_sheet()[0], "姓名"]
    data = xlsx(cadre_sheet(cadre_values(1), headers=headers))
    assert rejected_errors(people.org_department, data) == [CellError(1, "姓名", "列名重复")]


def test_import_rejects_unknown_header_but_ignores_serial_number_column(people):
    headers = ["序号", *cadre_sheet()[0], "邮箱"]
    data = xlsx(cadre_sheet(cadre_values(1), headers=headers))
    assert rejected_errors(people.org_department, data) == [
        CellError(1, "邮箱", "无法识别的列名，请使用模板中的列名或删除该列")
    ]


def test_import_rejects_file_without_data_rows(people):
    data = xlsx(cadre_sheet())
    assert rejected_errors(people.org_department, data) == [CellError(2, "", "没有数据行：请从第2行开始填写")]


def full_width(text: str) -> str:
    return "".join(chr(ord(character) + 0xFEE0) for character in text)


def test_import_stores_all_rows_normalized_and_audits_the_count(people):
    rows = [
        cadre_values(1, 身份证号=ID_WITH_X.lower(), 性别="女", 专长="public_health；数据分析"),
        cadre_values(2, 身份证号=" " + full_width(cadre_values(2)["身份证号"]) + " ",
                     手机号="１３７ ００００ ０００２", 职级="正科级", 内设机构=None),
        cadre_values(3, 姓名=" 王  五 ", 职级=" 副处级 ", 派出单位代码=" A-AUDIT"),
    ]
    headers = [" 姓 名", *cadre_sheet()[0][1:3], "手机号\u3000", *cadre_sheet()[0][4:]]
    data = xlsx([headers, *cadre_sheet(*rows)[1:]])

    assert CADRE_IMPORTER.commit(by=people.org_department, data=data, filename="Roster.XLSX") == 3

    first, second, third = Cadre.objects.filter(name__in=["测试1", "测试2", "王五"]).order_by("name")
    assert first.id_number == ID_WITH_X and first.id_number.endswith("X")
    assert {s.code for s in first.specialties.all()} == {"public_health", "data"}
    assert second.id_number == cadre_values(2)["身份证号"] and second.phone == "13700000002"
    assert (second.rank, second.department) == (Rank.SECTION, None)
    assert (third.name, third.rank, third.agency_path) == ("王五", Rank.DEPUTY_DIVISION, "/420100/A-AUDIT/")
    event = AuditEvent.objects.get(action="cadre.imported")
    assert event.fields == {"rows": 3, "created": 3}


def test_import_reads_libreoffice_written_file(people):
    data = (FIXTURES / "cadres_libreoffice.xlsx").read_bytes()
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=data, filename="cadres_libreoffice.xlsx")
    assert (preview.errors, preview.total_rows) == ([], 3)
    assert CADRE_IMPORTER.commit(by=people.org_department, data=data, filename="cadres_libreoffice.xlsx") == 3
    in_department = Cadre.objects.filter(agency__code="A-AUDIT", department__name="财政审计科")
    assert in_department.count() == 3  # cadre1 and two of the file


def test_import_rejects_bad_row_of_libreoffice_written_file(people):
    data = (FIXTURES / "cadres_libreoffice_bad.xlsx").read_bytes()
    errors = rejected_errors(people.org_department, data, "cadres_libreoffice_bad.xlsx")
    assert [(error.row, error.column) for error in errors] == [(3, "身份证号")]
    assert errors[0].message.startswith("身份证号校验位错误：最后一位应为 ")


def test_preview_masks_id_numbers_and_phones(people):
    values = cadre_values(1)
    data = xlsx(cadre_sheet(values))
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=data, filename="a.xlsx")
    number, phone = values["身份证号"], values["手机号"]
    assert preview.rows[0][2:4] == [f"{number[:4]}{'*' * 14}", f"{phone[:3]}****{phone[-4:]}"]


def test_import_requires_permission(people):
    with pytest.raises(PermissionDenied):
        CADRE_IMPORTER.preview(by=people.worker1, data=xlsx(cadre_sheet(cadre_values(1))), filename="a.xlsx")


# --- through the pages -----------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "roster.xlsx"):
    return client.post(reverse("cadres:import"), {"file": SimpleUploadedFile(name, data)})


def test_import_page_shows_errors_with_row_and_column_and_stores_nothing(client, people):
    client.force_login(people.org_department)
    before = Cadre.objects.count()
    response = upload(client, one_bad_row(身份证号=BAD_CHECK))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-errors"' in html and "发现 1 处错误，未导入任何数据" in html
    assert "第3行" in html and f"身份证号校验位错误：最后一位应为 {RIGHT_CHECK}" in html
    assert 'id="import-confirm"' not in html
    assert Cadre.objects.count() == before


def test_import_page_previews_then_commits_on_confirm(client, people):
    client.force_login(people.org_department)
    before = Cadre.objects.count()
    response = upload(client, xlsx(cadre_sheet(cadre_values(1), cadre_values(2))))
    pending = response.context["pending"]
    assert 'id="import-confirm"' in response.content.decode()
    assert Cadre.objects.count() == before

    response = client.post(reverse("cadres:import"), {"pending": str(pending.public_id)})

    assert response.status_code == 302
    assert Cadre.objects.count() == before + 2


def test_import_page_refuses_liaison_of_other_agency(client, people):
    client.force_login(people.liaison2)
    response = upload(client, xlsx(cadre_sheet(cadre_values(1))))
    html = response.content.decode()
    assert "第2行" in html and "无权向该派出单位导入干部（只能导入本人负责的单位）" in html
    assert 'id="import-confirm"' not in response.content.decode()  # the upload is kept for the error list only
    assert not Cadre.objects.filter(name="测试1").exists()


def test_template_download_has_the_import_headers(client, people):
    client.force_login(people.liaison1)
    response = client.get(reverse("cadres:import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == cadre_sheet()[0]
    assert workbook.sheetnames == ["导入数据", "填写说明"]
    round_trip = xlsx(cadre_sheet(cadre_values(1)))
    assert CADRE_IMPORTER.preview(by=people.liaison1, data=round_trip, filename="t.xlsx").ok
