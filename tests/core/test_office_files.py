"""Imports of files as offices make them: re-saved by LibreOffice as .xlsx/.xls/.ods, CSV in UTF-8 or GBK,
hidden and extra sheets, title rows, header variants, padded names; error lists; purge of unconfirmed uploads.

The LibreOffice corpus is converted once per test session (`office_corpus`) from workbooks written here.
"""

import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.cadres.importers import CADRE_IMPORTER
from xiachen.cadres.models import Cadre
from xiachen.core.excel import ExcelRejected, SheetChoiceNeeded, read_table
from xiachen.core.imports import stash_upload
from xiachen.core.models import PendingImport
from xiachen.households.importers import HOUSEHOLD_IMPORTER
from xiachen.households.models import Resident

from ..excel_helpers import CADRE_HEADERS, cadre_sheet, cadre_values, household_sheet, household_values, xlsx

FORMATS = ("xlsx", "xls", "ods")


def workbook(*sheets: tuple[str, list[list], str], active: int = 0, merge: str | None = None) -> bytes:
    """Sheets of (name, rows, state); `merge` applies to the first sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, state in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    if merge:
        book.worksheets[0].merge_cells(merge)
    book.active = active
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hidden_first() -> bytes:
    old = cadre_sheet(cadre_values(1, 姓名="旧名单"))
    return workbook(("旧", old, "hidden"), ("名单", cadre_sheet(cadre_values(2), cadre_values(3)), "visible"),
                    active=1)


def two_sheets() -> bytes:
    return workbook(("一组", cadre_sheet(cadre_values(4)), "visible"),
                    ("二组", cadre_sheet(cadre_values(5), cadre_values(6)), "visible"))


def titled() -> bytes:
    """A merged title, a blank row, then a header with the variants offices write."""
    headers = ["姓名：", "性别", "身份证号（18位）", "手机号码", *CADRE_HEADERS[4:]]
    rows = [cadre_values(7, 姓名="周\u3000七"), cadre_values(8, 姓名="\ufeff吴\u200b八")]
    rows[1]["身份证号"] = "'" + rows[1]["身份证号"]  # how a clerk forces text, kept by LibreOffice
    body = [[row[header] for header in CADRE_HEADERS] for row in rows]
    sheet = [["2026年下沉干部名册"], [], headers, *body]
    return workbook(("名册", sheet, "visible"), merge="A1:M1")


SOURCES = {"hidden_first": hidden_first, "two_sheets": two_sheets, "titled": titled}


@pytest.fixture(scope="session")
def office_corpus(tmp_path_factory) -> dict[tuple[str, str], bytes]:
    """Every source re-saved by LibreOffice in every format: {(source, format): bytes}."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required: .ci/run installs libreoffice-calc-nogui"
    root = tmp_path_factory.mktemp("office")
    sources = []
    for name, build in SOURCES.items():
        path = root / f"{name}.xlsx"
        path.write_bytes(build())
        sources.append(str(path))
    corpus = {}
    for fmt in FORMATS:
        out = root / fmt
        subprocess.run([soffice, f"-env:UserInstallation=file://{root / 'profile'}", "--headless", "--convert-to",
                        fmt, "--outdir", str(out), *sources], check=True, capture_output=True, timeout=180)
        for name in SOURCES:
            corpus[(name, fmt)] = (Path(out) / f"{name}.{fmt}").read_bytes()
    return corpus


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_first_sheet_is_skipped_for_the_visible_one(people, office_corpus, fmt):
    data = office_corpus[("hidden_first", fmt)]
    table = read_table(data, filename=f"a.{fmt}", columns=CADRE_IMPORTER.columns())
    assert table.sheet_name == "名单"
    assert [row.values["name"] for row in table.rows] == ["测试2", "测试3"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_data_sheets_ask_which_one(people, office_corpus, fmt):
    data = office_corpus[("two_sheets", fmt)]
    with pytest.raises(SheetChoiceNeeded) as choice:
        read_table(data, filename=f"a.{fmt}", columns=CADRE_IMPORTER.columns())
    assert choice.value.names == ["一组", "二组"]
    table = read_table(data, filename=f"a.{fmt}", columns=CADRE_IMPORTER.columns(), sheet="二组")
    assert [row.values["name"] for row in table.rows] == ["测试5", "测试6"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_title_row_header_variants_and_padded_names(people, office_corpus, fmt):
    data = office_corpus[("titled", fmt)]
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=data, filename=f"a.{fmt}")
    assert preview.errors == []
    assert "第3行是表头，其上方的标题行未导入" in preview.notices
    assert [(row, column, value) for row, column, value, _why in preview.changed] == [
        (4, "姓名", "周七"), (5, "姓名", "吴八")]
    assert "去掉了姓名中的空格" in preview.changed[0][3] and "去掉了不可见字符" in preview.changed[1][3]
    assert CADRE_IMPORTER.commit(by=people.org_department, data=data, filename=f"a.{fmt}") == 2
    assert set(Cadre.objects.filter(name__in=["周七", "吴八"]).values_list("name", flat=True)) == {"周七", "吴八"}
    assert Cadre.objects.get(name="吴八").id_number == cadre_values(8)["身份证号"]


def test_page_asks_for_the_sheet_then_previews_and_commits_it(client, people, office_corpus):
    client.force_login(people.org_department)
    upload = SimpleUploadedFile("groups.ods", office_corpus[("two_sheets", "ods")])
    response = client.post(reverse("cadres:import"), {"file": upload})
    assert response.context["sheet_names"] == ["一组", "二组"]
    pending = response.context["pending"]
    response = client.post(reverse("cadres:import"), {"action": "sheet", "pending": pending.public_id,
                                                      "sheet": "二组"})
    assert response.context["preview"].total_rows == 2
    assert "读取的工作表：二组" in response.content.decode()
    response = client.post(reverse("cadres:import"), {"action": "confirm", "pending": pending.public_id})
    assert response.status_code == 302
    assert set(Cadre.objects.filter(name__startswith="测试").values_list("name", flat=True)) == {"测试5", "测试6"}
    kept = PendingImport.objects.get()  # the outcome stays for the page; the file is gone
    assert (kept.status, kept.content, kept.created_count) == ("done", "", 2)


# --- CSV ------------------------------------------------------------------------------------------------


def csv_bytes(encoding: str, *, bom: bool = False) -> bytes:
    rows = cadre_sheet(cadre_values(1, 姓名="郑九"), cadre_values(2))
    text = "\r\n".join(",".join("" if value is None else str(value) for value in row) for row in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)])
def test_csv_in_utf8_with_or_without_bom_and_gbk(people, encoding, bom):
    data = csv_bytes(encoding, bom=bom)
    assert CADRE_IMPORTER.commit(by=people.org_department, data=data, filename="名册.csv") == 2
    assert Cadre.objects.filter(name="郑九").exists()


# --- header and value variants, near misses -------------------------------------------------------------


def test_department_names_fold_width_and_near_misses_are_suggested(people):
    from xiachen.org.models import Unit, UnitKind

    audit_bureau = Unit.objects.get(code="A-AUDIT")
    office = Unit(code="A-AUDIT-OFFICE", name="综合科（办公室）", kind=UnitKind.objects.get(code="department"),
                  parent=audit_bureau)
    office.build_path()
    office.save()
    rows = [cadre_values(1, 内设机构="综合科(办公室)"), cadre_values(2, 内设机构="审计科")]
    preview = CADRE_IMPORTER.preview(by=people.org_department, data=xlsx(cadre_sheet(*rows)), filename="a.xlsx")
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (3, "内设机构", "派出单位下没有名为「审计科」的内设机构，是否为「财政审计科」？")]


# --- households: a second head against the database -----------------------------------------------------


def test_second_head_is_refused_when_the_household_already_has_one(people):
    first = xlsx(household_sheet(household_values(1)))
    assert HOUSEHOLD_IMPORTER.commit(by=people.manager1, data=first, filename="a.xlsx") == 1
    second = xlsx(household_sheet(household_values(2, 房号="101")))
    preview = HOUSEHOLD_IMPORTER.preview(by=people.manager1, data=second, filename="a.xlsx")
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "与户主关系", "该住户在系统中已有户主，同一住户只能有一位户主")]
    spouse = xlsx(household_sheet(household_values(2, 房号="101", 与户主关系="配偶")))
    assert HOUSEHOLD_IMPORTER.commit(by=people.manager1, data=spouse, filename="a.xlsx") == 1
    assert Resident.objects.filter(household__room="101").count() == 2


# --- errors: grouped on the page, all of them in a workbook ---------------------------------------------


def test_many_errors_are_grouped_and_the_full_list_is_a_workbook(client, people):
    rows = [cadre_values(index, 性别="女", 手机号="12345") for index in range(1, 31)]
    client.force_login(people.org_department)
    upload = SimpleUploadedFile("bad.xlsx", xlsx(cadre_sheet(*rows)))
    response = client.post(reverse("cadres:import"), {"file": upload})
    preview = response.context["preview"]
    assert len(preview.errors) == 60
    kinds = [(kind.column, kind.count, len(kind.examples)) for kind in preview.error_kinds]
    assert kinds == [("性别", 30, 5), ("手机号", 30, 5)]
    html = response.content.decode()
    assert html.count("第2行") == 2 and "第30行" not in html
    assert "同类错误共 30 处，以下为前 5 处" in html
    link = f"?errors={response.context['pending'].public_id}"
    assert link in html

    download = client.get(reverse("cadres:import") + link)
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    values = list(sheet.values)
    assert values[0][0] == "行号" and values[0][-1] == "错误原因" and values[0][1:-1] == tuple(CADRE_HEADERS)
    assert len(values) == 31
    assert values[1][0] == 2 and values[1][3] == rows[0]["身份证号"]  # the uploader's own value, to fix
    assert values[1][-1].startswith("性别：性别与身份证号不符") and "手机号：" in values[1][-1]
    assert AuditEvent.objects.filter(action="import.errors_downloaded").count() == 1


def test_error_list_of_someone_elses_upload_is_not_found(client, people):
    pending = stash_upload(by=people.org_department, kind="cadres", data=b"x", filename="a.xlsx")
    client.force_login(people.liaison1)
    assert client.get(reverse("cadres:import") + f"?errors={pending.public_id}").status_code in (403, 404)


# --- unconfirmed uploads are purged ---------------------------------------------------------------------


def test_unconfirmed_uploads_are_purged_after_the_configured_time(people, settings):
    settings.XIACHEN_PENDING_IMPORT_MAX_AGE_HOURS = 24
    old = stash_upload(by=people.org_department, kind="cadres", data=b"old", filename="a.xlsx")
    recent = stash_upload(by=people.org_department, kind="households", data=b"new", filename="b.xlsx")
    PendingImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    PendingImport.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(hours=23))
    out = io.StringIO()
    call_command("purge_pending_imports", stdout=out)
    assert out.getvalue().strip() == "purged 1"
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert AuditEvent.objects.get(action="import.pending_purged").fields == {"count": 1}


def test_purge_is_scheduled():
    from xiachen.ops.schedule import HOUR, JOBS

    assert any(job.command == "purge_pending_imports" and job.every <= HOUR for job in JOBS)


def test_a_new_upload_replaces_the_same_users_earlier_one(people):
    first = stash_upload(by=people.org_department, kind="cadres", data=b"1", filename="a.xlsx")
    second = stash_upload(by=people.org_department, kind="cadres", data=b"2", filename="a.xlsx")
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [second.pk]
    assert first.pk != second.pk


def test_birth_date_alias_and_unknown_header_row_number(people):
    rows = household_sheet(household_values(1))
    rows[0] = ["出生年月日" if header == "出生日期" else header for header in rows[0]]
    rows[0][-1] = "奇怪的列"
    table = read_table(xlsx([["住户名单"], *rows]), filename="a.xlsx", columns=HOUSEHOLD_IMPORTER.columns())
    assert [(e.row, e.column, e.message) for e in table.errors] == [
        (2, "奇怪的列", "无法识别的列名，请使用模板中的列名或删除该列")]
    assert date(1960, 5, 1) == HOUSEHOLD_IMPORTER.columns()[7].parse("1960-05-01")


# --- hostile and bloated files: bounded by cells and rows read, measured deterministically ---------------


def _bench():
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostile", Path(__file__).parents[2] / "bench" / "hostile_imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_empty_cells_at_column_xfd_cost_one_cell_each(people):
    from xiachen.core.spreadsheets import Budget

    budget = Budget()
    table = read_table(_bench().xfd_empty_cells(2_000), filename="a.xlsx", columns=CADRE_IMPORTER.columns(),
                       budget=budget)
    assert table.rows == [] and table.errors[0].message == "没有数据行：请从第2行开始填写"
    assert budget.cells < 2_000 + 50  # one per <c/> element (+ headers), not 16,384 per row
    assert budget.rows == 2_000


def test_shared_strings_flood_is_refused_before_parsing(people, settings):
    settings.XIACHEN_IMPORT_MAX_CELLS = 10_000
    data = _bench().shared_strings_flood(20_000)
    with pytest.raises(ExcelRejected) as refused:
        read_table(data, filename="a.xlsx", columns=CADRE_IMPORTER.columns())
    assert str(refused.value) == "文件中的文字条目过多（超过 10000 条），疑似异常文件，已拒绝"


def test_blank_rows_count_toward_the_row_limit(people, settings):
    settings.XIACHEN_IMPORT_MAX_ROWS = 100
    with pytest.raises(ExcelRejected) as refused:
        read_table(_bench().blank_rows(500), filename="a.xlsx", columns=CADRE_IMPORTER.columns())
    assert str(refused.value) == "数据行数超过上限 100 行（空行也计入），请删除空行或分批导入"


def test_cells_beyond_the_limit_are_refused(people, settings):
    settings.XIACHEN_IMPORT_MAX_CELLS = 100
    data = xlsx(cadre_sheet(*[cadre_values(index) for index in range(1, 11)]))
    with pytest.raises(ExcelRejected) as refused:
        read_table(data, filename="a.xlsx", columns=CADRE_IMPORTER.columns())
    assert str(refused.value) == "文件中的单元格过多（超过 100 个），请删除无关内容或分批导入"


def test_ods_repeated_cells_count_every_repetition(people, settings, office_corpus):
    """LibreOffice writes runs of equal cells as one element with a repeat count: each copy is a cell read."""
    from xiachen.core.spreadsheets import Budget

    budget = Budget()
    read_table(office_corpus[("hidden_first", "ods")], filename="a.ods", columns=CADRE_IMPORTER.columns(),
               budget=budget)
    assert 3 * 12 <= budget.cells < 200
