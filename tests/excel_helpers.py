"""Workbooks for the import tests, written with openpyxl as a clerk's Excel would."""

import io
from datetime import date

import openpyxl

from xiachen.core.idnumbers import make_id_number

CADRE_HEADERS = ["姓名", "性别", "身份证号", "手机号", "派出单位代码", "内设机构", "职级", "职务", "专长",
                 "家庭住址", "住址纬度", "住址经度", "健康限制"]
HOUSEHOLD_HEADERS = ["小区代码", "楼栋", "单元", "房号", "姓名", "与户主关系", "性别", "出生日期", "身份证号",
                     "手机号", "困难类型"]
UNIT_HEADERS = ["代码", "名称", "类型", "上级代码", "地址", "纬度", "经度", "机关类型"]
# 19491231002X: a woman's number whose check character is X (docs/security.md's example, with a Wuhan region).
ID_WITH_X = make_id_number("110105", date(1949, 12, 31), 2)


def xlsx(rows: list[list], *, merge: str | None = None, formulas: dict[str, str] | None = None) -> bytes:
    """A one-sheet workbook of `rows` (first row: headers); optional merged range and formula cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cadre_values(sequence: int = 1, **overrides) -> dict:
    """A valid cadre row of agency A-AUDIT (man, born 1990); `overrides` by Chinese header."""
    values = {
        "姓名": f"测试{sequence}",
        "性别": "男",
        "身份证号": make_id_number("420102", date(1990, 1, 1), 2 * sequence + 1),
        "手机号": f"1370000{sequence:04d}",
        "派出单位代码": "A-AUDIT",
        "内设机构": "财政审计科",
        "职级": "科员",
        "职务": "科员",
        "专长": "审计、财务会计",
        "家庭住址": "江岸区沿江大道1号",
        "住址纬度": 30.59,
        "住址经度": 114.3,
        "健康限制": "",
    }
    values.update(overrides)
    return values


def cadre_sheet(*rows: dict, headers: list[str] = CADRE_HEADERS) -> list[list]:
    return [headers, *[[row.get(header) for header in headers] for row in rows]]


def household_values(sequence: int = 1, **overrides) -> dict:
    """A valid resident row of compound 420102001001001 (woman, born 1960-05-01)."""
    values = {
        "小区代码": "420102001001001",
        "楼栋": "8",
        "单元": "2",
        "房号": f"{100 + sequence}",
        "姓名": f"居民{sequence}",
        "与户主关系": "户主",
        "性别": "女",
        "出生日期": date(1960, 5, 1),
        "身份证号": make_id_number("420102", date(1960, 5, 1), 2 * sequence),
        "手机号": f"1360000{sequence:04d}",
        "困难类型": "",
    }
    values.update(overrides)
    return values


def household_sheet(*rows: dict, headers: list[str] = HOUSEHOLD_HEADERS) -> list[list]:
    return [headers, *[[row.get(header) for header in headers] for row in rows]]


def with_check_character(number: str, character: str) -> str:
    return number[:17] + character


def wrong_check_character(number: str) -> tuple[str, str]:
    """The number with a wrong last character, and the correct one (for the expected message)."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong, number[17]
