"""In the browser: an operator takes a call, the community signs and resolves it, the operator calls
back and records a satisfied caller."""

import pytest

from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket

from ..hotline.builders import category
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_takes_a_call_through_to_a_satisfied_call_back(page, people, tree):
    category("utilities")
    sign_in(page, "hotline")
    page.goto(f"{page.base_url}/hotline/")
    page.click("#ticket-new")
    page.fill("#id_caller_name", "王小明")
    page.fill("#id_caller_phone", "13912345678")
    page.type("#id_place", "车站路", delay=30)
    page.locator("#id_place-results [data-picker-option]", has_text="车站路小区").first.click()
    page.select_option("#id_category", "utilities")
    page.fill("#id_description", "3栋停水一天了")
    page.click("#ticket-form button[type=submit]")
    assert page.locator("#ticket-status").inner_text() == "待签收"
    assert page.locator("#ticket-owner").inner_text() == "车站路社区"
    assert page.locator("#caller-phone .masked").inner_text() == "139****5678"
    ticket = Ticket.objects.get()
    detail = f"{page.base_url}/hotline/tickets/{ticket.public_id}/"

    page.context.clear_cookies()
    sign_in(page, "manager1")
    page.goto(detail)
    page.click("#accept")
    assert page.locator("#ticket-status").inner_text() == "办理中"
    page.click("#resolve")  # no outcome yet: refused with a message, nothing changed
    assert "请填写办理结果" in page.locator(".flash-error").inner_text()
    page.fill("#resolve-form textarea[name=outcome]", "已联系自来水公司抢修，恢复供水")
    page.click("#resolve")
    assert page.locator("#ticket-status").inner_text() == "已办结待回访"

    page.context.clear_cookies()
    sign_in(page, "hotline")
    page.goto(detail)
    page.click("#caller-phone button[data-reveal]")
    page.wait_for_selector("#caller-phone .revealed")
    assert page.locator("#caller-phone .revealed").inner_text() == "13912345678"
    page.check("#callback-form input[name=resolved][value=yes]")
    page.check("#callback-form input[name=satisfaction][value=satisfied]")
    page.click("#callback")
    assert page.locator("#ticket-status").inner_text() == "已回访"
    assert page.locator("#ticket-satisfaction").inner_text() == "满意"
    timeline = page.locator("#timeline li").all_inner_texts()
    assert [line.split(" ")[2] for line in timeline] == ["受理", "派单", "签收", "办结", "回访"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == (TicketStatus.CLOSED, "satisfied")
