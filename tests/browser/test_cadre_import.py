import pytest
from playwright.sync_api import expect

from xiachen.cadres.models import Cadre

from ..excel_helpers import CADRE_HEADERS, cadre_values, xlsx
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roster(rows: list[dict]) -> dict:
    content = xlsx([CADRE_HEADERS] + [[row[header] for header in CADRE_HEADERS] for row in rows])
    return {"name": "干部名册.xlsx", "mimeType": XLSX, "buffer": content}


def _bad_check_digit(values: dict) -> dict:
    number = values["身份证号"]
    wrong = "0" if number[-1] != "0" else "1"
    return values | {"身份证号": number[:-1] + wrong}


def test_roster_with_one_bad_row_shows_the_row_error_and_stores_nothing(page, people):
    before = Cadre.objects.count()
    sign_in(page, "liaison1")
    page.goto(f"{page.base_url}/cadres/import/")
    rows = [cadre_values(1), _bad_check_digit(cadre_values(2)), cadre_values(3)]
    page.set_input_files("input[type=file]", files=[_roster(rows)])
    page.click("form.import-upload button[type=submit]")
    errors = page.locator("#import-errors tbody tr:has(td)")  # each kind of error: a heading row, then rows
    expect(errors).to_have_count(1)  # waits for the answer page: the click does not wait for the POST
    assert page.locator("#import-errors tbody th").inner_text().startswith("身份证号：身份证号校验位错误")
    assert page.locator("#import-error-list").count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[0] == "第3行"
    assert cells[1] == "身份证号"
    assert cells[2].startswith("身份证号校验位错误")
    assert "未导入任何数据" in page.locator("[role=alert]").inner_text()
    assert page.locator("#import-confirm").count() == 0
    assert Cadre.objects.count() == before


def test_valid_roster_previews_masked_and_commits_on_confirm(page, people):
    before = Cadre.objects.count()
    sign_in(page, "liaison1")
    page.goto(f"{page.base_url}/cadres/import/")
    rows = [cadre_values(1), cadre_values(2)]
    page.set_input_files("input[type=file]", files=[_roster(rows)])
    page.click("form.import-upload button[type=submit]")
    preview = page.locator("#import-preview").inner_text()
    assert rows[0]["身份证号"] not in preview
    assert rows[0]["身份证号"][:4] + "*" * 14 in preview
    assert Cadre.objects.count() == before
    page.click("#import-confirm")
    assert "导入成功：共 2 行" in page.locator(".flash").inner_text()
    assert Cadre.objects.count() == before + 2
