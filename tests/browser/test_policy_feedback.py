"""A cadre files feedback on a policy version, the issuing agency answers, the author sees the
answer and the public ledger moves the item from open to answered."""

import pytest

from xiachen.policies.models import FeedbackItem

from ..policies.builders import make_document
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ledger_row(page):
    page.goto(f"{page.base_url}/policies/ledger/")
    row = page.locator("#ledger-counts tr[data-agency='武汉市审计局']")
    return [row.locator(f"td.{name}").inner_text() for name in ("open", "answered", "overdue")]


def test_feedback_is_filed_answered_seen_and_counted(page, tree, people):
    _document, version = make_document(tree, people)

    sign_in(page, "cadre1")
    page.goto(f"{page.base_url}/policies/versions/{version.public_id}/")
    page.click("#feedback-new")
    page.fill("#id_problem", "夜间卡口无法核验纸质工作证")
    page.fill("#id_where_seen", "车站路小区东门")
    page.fill("#id_suggestion", "改用二维码核验")
    page.click("#feedback-form button[type=submit]")
    assert page.locator("#feedback-status").inner_text() == "待答复"
    item = FeedbackItem.objects.get()
    assert _ledger_row(page) == ["1", "0", "0"]
    page.click("text=退出")

    sign_in(page, "liaison1")
    page.goto(f"{page.base_url}/policies/feedback/inbox/")
    page.click("text=夜间卡口无法核验纸质工作证")
    page.select_option("#id_status", "accepted")
    page.fill("#id_answer", "将在第2版中增加二维码核验")
    page.fill("#id_planned_version", "第2版")
    page.click("#answer-form button[type=submit]")
    assert page.locator("#feedback-status").inner_text() == "已采纳"
    page.click("text=退出")

    sign_in(page, "cadre1")
    page.goto(f"{page.base_url}/policies/feedback/mine/")
    page.click("text=夜间卡口无法核验纸质工作证")
    assert "将在第2版中增加二维码核验" in page.locator("#feedback-answer").inner_text()
    assert "第2版" in page.locator("#feedback-answer").inner_text()
    assert _ledger_row(page) == ["0", "1", "0"]
    item.refresh_from_db()
    assert item.status == "accepted"
