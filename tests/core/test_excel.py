"""Safe Excel reading (file-level refusals, cell parsers) and writing (formula injection, template)."""

import io
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.cadres.importers import CADRE_IMPORTER
from xiachen.cadres.models import Cadre
from xiachen.core import excel_cells as cells
from xiachen.core.excel import (
    Column,
    ExcelRejected,
    build_workbook,
    escape_cell,
    read_table,
    template_workbook,
)

from ..excel_helpers import cadre_sheet, cadre_values, xlsx

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_zip(data: bytes, *, replace: dict[str, bytes] | None = None,
                add: dict[str, bytes] | None = None) -> bytes:
    """Copy a workbook's zip, replacing or adding entries."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Patch the central directory so `name` claims `size` uncompressed bytes (a bomb's declaration)."""
    raw = bytearray(data)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", raw, start + 28)[0]
        if raw[start + 46:start + 46 + name_length].decode() == name:
            struct.pack_into("<I", raw, start + 24, size)
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


def refused(people, data: bytes, filename: str = "roster.xlsx") -> str:
    """Commit through the cadre importer, expect the whole file refused, and check nothing was stored."""
    before = Cadre.objects.count()
    with pytest.raises(ExcelRejected) as rejected:
        CADRE_IMPORTER.commit(by=people.org_department, data=data, filename=filename)
    assert Cadre.objects.count() == before
    return str(rejected.value)


VALID = xlsx(cadre_sheet(cadre_values(1)))


NOT_ACCEPTED = "只接受 .xlsx、.xls、.ods 或 .csv 文件，请在 Excel 或 WPS 中另存为 .xlsx 后重新上传"
RENAMED = "文件内容不是 .xlsx 格式（可能是改了扩展名的其他文件）"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        pytest.param("roster.pdf", b"%PDF-1.7", NOT_ACCEPTED, id="pdf"),
        pytest.param("roster.xls", VALID, "文件内容不是 .xls 格式（可能是改了扩展名的其他文件）", id="xlsx-as-xls"),
        pytest.param("roster.csv", VALID, "文件内容不是 .csv 格式（可能是改了扩展名的其他文件）", id="xlsx-as-csv"),
        pytest.param("roster.xlsx", b"", "文件为空", id="empty"),
        pytest.param("roster.xlsx", OLE_HEADER + b"\0" * 500, RENAMED, id="ole-renamed"),
        pytest.param("roster.xlsx", "姓名,身份证号\n".encode(), RENAMED, id="csv-renamed"),
        pytest.param("roster.xlsx", b"PK\x03\x04" + b"\0" * 100, "文件已损坏，无法读取", id="broken-zip"),
        pytest.param("roster.xlsx", declare_size(VALID, SHEET, 3_000_000_000),
                     "文件解压后过大（疑似压缩炸弹），已拒绝", id="declared-bomb"),
    ],
)
def test_import_refuses_bad_files(people, filename, data, message):
    assert refused(people, data, filename) == message


def test_import_refuses_zip_bomb_before_unzipping(people, settings):
    settings.XIACHEN_IMPORT_MAX_UNCOMPRESSED_BYTES = 1_000_000
    bomb = rewrite_zip(VALID, add={"xl/media/padding.bin": b"\0" * 2_000_000})
    assert len(bomb) < 20_000
    assert refused(people, bomb) == "文件解压后过大（疑似压缩炸弹），已拒绝"


def test_import_refuses_oversize_file(people, settings):
    settings.XIACHEN_IMPORT_MAX_BYTES = 1024 * 1024
    assert refused(people, VALID + b"\0" * (1024 * 1024)) == "文件过大：不能超过 1 MB"


def test_import_refuses_too_many_rows(people, settings):
    settings.XIACHEN_IMPORT_MAX_ROWS = 2
    data = xlsx(cadre_sheet(cadre_values(1), cadre_values(2), cadre_values(3)))
    assert refused(people, data) == "数据行数超过上限 2 行（空行也计入），请删除空行或分批导入"


def test_import_refuses_xml_entity_expansion(people):
    assert openpyxl.DEFUSEDXML is True
    sheet = zipfile.ZipFile(io.BytesIO(VALID)).read(SHEET).replace(b"<t>A-AUDIT</t>", b"<t>&lol2;</t>")
    entities = b'<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    data = rewrite_zip(VALID, replace={SHEET: entities + sheet.split(b"?>", 1)[-1]})
    assert refused(people, data) == "文件已损坏或无法读取，请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传"


def test_read_table_ignores_a_lying_dimension_tag(people):
    data = xlsx(cadre_sheet(cadre_values(1), cadre_values(2), cadre_values(3)))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert b'<dimension ref="A1:M4" />' in sheet
    lying_sheet = sheet.replace(b'<dimension ref="A1:M4" />', b'<dimension ref="A1" />')
    lying = rewrite_zip(data, replace={SHEET: lying_sheet})
    table = read_table(lying, filename="a.xlsx", columns=CADRE_IMPORTER.columns())
    assert [row.number for row in table.rows] == [2, 3, 4]


def test_read_table_skips_blank_rows_keeping_excel_row_numbers(people):
    data = xlsx([*cadre_sheet(cadre_values(1)), [None] * 13, ["  "], list(cadre_sheet(cadre_values(2))[1])])
    table = read_table(data, filename="a.xlsx", columns=CADRE_IMPORTER.columns())
    assert [row.number for row in table.rows] == [2, 5]


def test_import_page_shows_file_refusal(client, people):
    client.force_login(people.org_department)
    response = client.post(reverse("cadres:import"), {"file": SimpleUploadedFile("roster.pdf", b"%PDF-1.7")})
    assert response.status_code == 200
    assert "只接受 .xlsx、.xls、.ods 或 .csv 文件" in response.content.decode()


# --- cell parsers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [date(2024, 3, 1), datetime(2024, 3, 1, 0, 0), 45352, 45352.0, "45352", "2024-03-01", "2024/3/1",
     "2024.3.1", "2024年3月1日", " 2024 年 3 月 1 日 ", "20240301", "２０２４－０３－０１"],
)
def test_excel_date_accepts_dates_serials_and_text(value):
    assert cells.excel_date(value) == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2024-02-30", "日期不存在"), ("三月一日", "日期格式无法识别，请填写如 2024-03-01"),
     (-5, "日期格式无法识别，请填写如 2024-03-01")],
)
def test_excel_date_rejects(value, message):
    with pytest.raises(cells.CellInvalid, match=f"^{message}$"):
        cells.excel_date(value)


def test_decimal_range_quantizes_and_accepts_full_width():
    parse = cells.decimal_range(-90, 90)
    assert parse(30.5931) == Decimal("30.593100")
    assert parse("３０．５") == Decimal("30.500000")


def test_choice_accepts_label_code_width_and_case():
    parse = cells.choice([("M", ["男", "M"]), ("F", ["女", "F"])])
    assert [parse("男"), parse(" m "), parse("Ｆ")] == ["M", "M", "F"]


def test_multi_choice_splits_on_chinese_and_ascii_separators():
    parse = cells.multi_choice([(1, ["审计", "audit"]), (2, ["法律", "law"]), (3, ["公共卫生 / 疾控"])])
    assert parse("审计、law，公共卫生/疾控; 审计") == [1, 2, 3]


def test_text_turns_excel_numbers_into_plain_text():
    assert cells.text(20)(101.0) == "101"
    assert cells.text(20)("１２ 栋") == "12 栋"


# --- writing --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("\0=1", "'=1"),
     ("张三", "张三"), (-5, -5)],
)
def test_escape_cell_neutralizes_formula_injection(value, written):
    assert escape_cell(value) == written


def test_build_workbook_writes_formula_like_text_as_text_cells_bolds_freezes_and_fits():
    rows = [["张三", "=HYPERLINK(\"http://x\")"], ["李四", "@evil"]]
    content = build_workbook(["姓名", "备注"], rows, title="名单")
    sheet = openpyxl.load_workbook(io.BytesIO(content))["名单"]
    # The cell shows exactly the text (no apostrophe added to the value) and is still not a formula.
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["姓名", "备注"], ["张三", "=HYPERLINK(\"http://x\")"], ["李四", "@evil"]
    ]
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} == {"s"}
    assert sheet["B2"].quotePrefix is True and sheet["B3"].quotePrefix is True and not sheet["A2"].quotePrefix
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    assert sheet["A1"].font.bold is True and sheet["A2"].font.bold is False
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 24


def test_build_workbook_writes_real_dates_and_percentages():
    from django.utils import timezone

    from xiachen.core.excel import Percent

    at = timezone.make_aware(datetime(2026, 12, 1, 9, 30))
    content = build_workbook(["日期", "时间", "比率", "空"], [[date(2026, 12, 1), at, Percent(0.853), Percent(None)]])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    day, moment, rate, empty = sheet[2]
    assert (day.value, day.number_format) == (datetime(2026, 12, 1), "yyyy-mm-dd")
    assert (moment.value, moment.number_format) == (datetime(2026, 12, 1, 9, 30), "yyyy-mm-dd hh:mm:ss")
    assert (rate.value, rate.number_format) == (0.853, "0.0%")
    assert empty.value == "—"
    assert sheet.column_dimensions["B"].width >= 19


def test_template_workbook_has_headers_text_columns_and_instructions():
    columns = [Column("姓名", "name", True, example="张三"),
               Column("身份证号", "identity", True, as_text=True)]
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(columns)))
    data, notes = workbook.worksheets
    assert [cell.value for cell in data[1]] == ["姓名", "身份证号"]
    assert data.column_dimensions["B"].number_format == "@"
    assert [cell.value for cell in notes[2]] == ["姓名", "必填", None, "张三"]


def test_a_declared_notes_column_is_read_while_an_undeclared_one_is_skipped():
    from xiachen.core.excel import Column, read_table

    declared = [Column("姓名", "name", True, str), Column("备注", "notes", False, str)]
    data = xlsx([["姓名", "备注"], ["张三", "夜班"]])
    assert [row.values["notes"] for row in read_table(data, filename="a.xlsx", columns=declared).rows] == ["夜班"]
    plain = [Column("姓名", "name", True, str)]
    result = read_table(data, filename="a.xlsx", columns=plain)
    assert result.errors == []
