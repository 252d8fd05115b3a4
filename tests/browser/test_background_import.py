"""A large import as the user sees it (ADR 1711): the upload returns at once, the page polls the
worker's progress without console errors, reloads itself with the preview, and after the
confirmation with the result. The worker is the real `db_worker` command, run when the test says."""

import pytest
from django.core.management import call_command

from xiachen.cadres.models import Cadre

from ..excel_helpers import CADRE_HEADERS, cadre_values, xlsx
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_large_import_shows_progress_then_preview_then_result(page, people, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, as in production
    settings.XIACHEN_IMPORT_INLINE_ROWS = 1
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    before = Cadre.objects.count()
    sign_in(page, "liaison1")
    page.goto(f"{page.base_url}/cadres/import/")
    rows = [cadre_values(index) for index in (1, 2, 3)]
    content = xlsx([CADRE_HEADERS] + [[row[header] for header in CADRE_HEADERS] for row in rows])
    page.set_input_files("input[type=file]", files=[{"name": "名册.xlsx", "buffer": content,
                                                      "mimeType": "application/octet-stream"}])
    page.click("form.import-upload button[type=submit]")
    assert "正在检查" in page.locator("#import-progress").inner_text()
    with page.expect_response(lambda response: "progress=" in response.url):
        pass  # the page polls
    call_command("db_worker", "--batch")
    page.wait_for_selector("#import-confirm")  # the poll saw the end and reloaded the page
    assert "确认导入 3 行" in page.locator("#import-confirm").inner_text()
    page.click("#import-confirm")
    assert "正在导入" in page.locator("#import-progress").inner_text()
    call_command("db_worker", "--batch")
    page.wait_for_selector("#import-progress:has-text('已导入 3 行')")
    assert Cadre.objects.count() == before + 3
    assert errors == []
