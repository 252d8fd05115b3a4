"""Household/resident import: addresses group rows into households; bad rows store nothing."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.core.idnumbers import make_id_number
from xiachen.core.imports import CellError, ImportRejected
from xiachen.households.importers import HOUSEHOLD_IMPORTER
from xiachen.households.models import Household, Resident

from ..excel_helpers import household_sheet, household_values, xlsx

OTHER_BIRTH = make_id_number("420102", date(1960, 5, 2), 2)


def counts() -> tuple[int, int]:
    return Household.objects.count(), Resident.objects.count()


def rejected_errors(user, data: bytes) -> list[CellError]:
    before = counts()
    with pytest.raises(ImportRejected) as rejected:
        HOUSEHOLD_IMPORTER.commit(by=user, data=data, filename="households.xlsx")
    assert counts() == before
    return rejected.value.preview.errors


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        pytest.param({"身份证号": OTHER_BIRTH}, "出生日期", "出生日期与身份证号不符", id="birth-mismatch"),
        pytest.param({"性别": "男"}, "性别", "性别与身份证号不符：按身份证号应为女", id="sex-mismatch"),
        pytest.param({"出生日期": "1960-02-30"}, "出生日期", "日期不存在", id="impossible-date"),
        pytest.param({"出生日期": "五月一日"}, "出生日期",
                     "日期格式无法识别，请填写如 2024-03-01", id="date-text"),
        pytest.param({"与户主关系": "舅舅"}, "与户主关系",
                     "无法识别「舅舅」，可填：户主、配偶、子女、父母、孙子女、兄弟姐妹、其他", id="relation"),
        pytest.param({"困难类型": "独居老人、失业"}, "困难类型",
                     "无法识别「失业」，可填：独居老人、残疾人、低保 / 困难家庭、慢性病、"
                     "留守 / 无人照看未成年人、孕产妇",
                     id="vulnerability"),
        pytest.param({"小区代码": "420199"}, "小区代码", "小区代码不存在", id="unknown-compound"),
        pytest.param({"小区代码": "420102001001"}, "小区代码", "该代码不是小区", id="not-a-compound"),
        pytest.param({"小区代码": "420103002001001"}, "小区代码", "无权导入该小区的住户", id="out-of-scope"),
        pytest.param({"手机号": "1360000"}, "手机号", "手机号应为以1开头的11位数字", id="mobile"),
        pytest.param({"房号": None}, "房号", "必填项为空", id="room-blank"),
    ],
)
def test_import_rejects_bad_cell_with_row_and_column(people, overrides, column, message):
    data = xlsx(household_sheet(household_values(1), household_values(2, **overrides)))
    assert rejected_errors(people.manager1, data) == [CellError(3, column, message)]


def test_import_rejects_second_head_of_one_household(people):
    data = xlsx(household_sheet(household_values(1, 房号="301"), household_values(2, 房号="301")))
    assert rejected_errors(people.manager1, data) == [
        CellError(3, "与户主关系", "同一住户只能有一位户主（第2行已是户主）")
    ]


def test_import_rejects_duplicate_and_existing_residents(people, resident1):
    rows = [household_values(1), household_values(2, 身份证号=household_values(1)["身份证号"]),
            household_values(3, 身份证号=resident1.id_number, 出生日期=resident1.birth_date, 性别="男")]
    assert rejected_errors(people.manager1, xlsx(household_sheet(*rows))) == [
        CellError(3, "身份证号", "身份证号与第2行重复"),
        CellError(4, "身份证号", "系统中已有该身份证号的居民，不能重复导入"),
    ]


@pytest.mark.parametrize(
    "birth",
    [21306, "21306", "1958/5/1", "1958年5月1日", "1958-05-01", datetime(1958, 5, 1), "１９５８．５．１"],
)
def test_import_accepts_excel_serials_and_text_dates(people, birth):
    spouse = household_values(2, 与户主关系="配偶", 性别="男", 出生日期=birth,
                              身份证号=make_id_number("420102", date(1958, 5, 1), 13))
    data = xlsx(household_sheet(household_values(1), spouse))
    assert HOUSEHOLD_IMPORTER.commit(by=people.manager1, data=data, filename="h.xlsx") == 2
    assert Resident.objects.get(name="居民2").birth_date == date(1958, 5, 1)


def test_import_groups_rows_by_address_and_reuses_existing_households(people, resident1):
    existing = resident1.household
    rows = [
        household_values(1, 房号="901", 困难类型="独居老人、chronic_illness"),
        household_values(2, 房号="901", 与户主关系="子女", 出生日期=date(1990, 1, 1),
                         身份证号=make_id_number("420102", date(1990, 1, 1), 4), 手机号=None),
        household_values(3, 楼栋=existing.building, 单元=existing.entrance, 房号=existing.room,
                         与户主关系="配偶"),
    ]
    households_before = Household.objects.count()

    data = xlsx(household_sheet(*rows))
    assert HOUSEHOLD_IMPORTER.commit(by=people.manager1, data=data, filename="h.xlsx") == 3

    assert Household.objects.count() == households_before + 1
    new = Household.objects.get(room="901")
    assert sorted(new.residents.values_list("name", flat=True)) == ["居民1", "居民2"]
    assert new.compound_path == "/420100/420102/420102001/420102001001/420102001001001/"
    assert set(Resident.objects.get(name="居民1").vulnerabilities.values_list("code", flat=True)) == {
        "elderly_alone", "chronic_illness"}
    assert Resident.objects.get(name="居民2").phone == ""
    assert Resident.objects.get(name="居民3").household == existing


def test_import_page_round_trip_for_unit_manager(client, people):
    client.force_login(people.manager1)
    data = xlsx(household_sheet(household_values(1), household_values(2, 与户主关系="其他")))
    upload = SimpleUploadedFile("h.xlsx", data)
    response = client.post(reverse("households:import"), {"file": upload})
    pending = response.context["pending"]
    before = counts()
    response = client.post(reverse("households:import"), {"pending": str(pending.public_id)})
    assert response.status_code == 302
    assert counts() == (before[0] + 2, before[1] + 2)


def test_import_page_refuses_manager_of_other_community(client, people):
    client.force_login(people.manager2)
    data = xlsx(household_sheet(household_values(1)))
    response = client.post(reverse("households:import"), {"file": SimpleUploadedFile("h.xlsx", data)})
    assert "无权导入该小区的住户" in response.content.decode()
    assert 'id="import-confirm"' not in response.content.decode()  # the upload is kept for the error list only
