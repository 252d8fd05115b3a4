"""The agency liaison's Excel import of the in-service party member list: all rows or none, errors
named by row and column in Chinese, only into the liaison's own agency; a LibreOffice re-save reads
the same."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook

from xiachen.core.idnumbers import make_id_number
from xiachen.core.imports import ImportRejected
from xiachen.volunteers.importers import MEMBER_LIST_IMPORTER
from xiachen.volunteers.models import AgencyMemberListEntry

HEADERS = ["姓名", "身份证号", "手机号", "单位代码", "所在党支部"]


def _workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_clean_list_is_stored_and_the_resident_can_be_found(tree, people, resident1):
    data = _workbook([[resident1.name, resident1.id_number, resident1.phone, "A-AUDIT", "第一党支部"],
                      ["李四", "11010519491231002X", "", "A-AUDIT-01", ""]])
    assert MEMBER_LIST_IMPORTER.commit(by=people.liaison1, data=data, filename="名册.xlsx") == 2
    entry = AgencyMemberListEntry.objects.get(id_number_index=resident1.id_number_index)
    assert (entry.agency, entry.name, entry.branch, entry.id_number) == (
        tree.agency1, resident1.name, "第一党支部", resident1.id_number)


def test_bad_rows_name_row_and_column_and_nothing_is_stored(tree, people, resident1):
    listed = make_id_number("110105", date(1980, 1, 1), 123)
    AgencyMemberListEntry.objects.create(agency=tree.agency1, name="王五", id_number=listed)
    data = _workbook([
        ["张三", "11010519491231002X", "", "A-AUDIT", ""],
        ["张三", "11010519491231002X", "", "A-AUDIT", ""],  # the same person twice
        ["赵六", "110105194912310021", "", "A-AUDIT", ""],  # wrong check digit
        ["钱七", listed, "", "A-AUDIT", ""],  # already on the list
        ["孙八", resident1.id_number, "", "A-HEALTH", ""],  # another agency: not liaison1's
        ["周九", resident1.id_number, "", "NOPE", ""],
    ])
    with pytest.raises(ImportRejected) as rejected:
        MEMBER_LIST_IMPORTER.commit(by=people.liaison1, data=data, filename="名册.xlsx")
    errors = {(e.row, e.column): e.message for e in rejected.value.preview.errors}
    assert errors[(3, "身份证号")] == "身份证号与第2行重复"
    assert "校验位错误" in errors[(4, "身份证号")]
    assert errors[(5, "身份证号")] == "该单位名册中已有此身份证号，不能重复导入"
    assert errors[(6, "单位代码")].startswith("无权导入该单位的名册")
    assert errors[(7, "单位代码")] == "单位代码不存在"
    assert AgencyMemberListEntry.objects.count() == 1
