"""In the browser (ADR 1604): the community returns a wrongly routed ticket with a reason, the
dispatcher approves the return on the ticket page, and the ticket waits to be dispatched again."""

import pytest

from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket

from ..hotline.builders import make_ticket
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_returns_a_ticket_and_the_dispatcher_approves(page, people, tree):
    ticket = make_ticket(people, tree.compound1, code="utilities", description="燃气管道漏气")
    detail = f"{page.base_url}/hotline/tickets/{ticket.public_id}/"
    sign_in(page, "manager1")
    page.goto(detail)
    page.fill("#return-form input[name=reason]", "燃气管道属燃气公司职责，非社区职责")
    page.click("#return-form button[type=submit]")
    assert page.locator("#ticket-status").inner_text() == "退单待审核"
    assert "确定退单" in page.dialogs[-1]

    page.context.clear_cookies()
    sign_in(page, "hotline")
    page.goto(detail)
    page.click("#return-decide-form button[value=approve]")  # no note yet: refused, nothing changed
    assert page.locator("#ticket-status").inner_text() == "退单待审核"
    page.fill("#return-decide-form input[name=note]", "派单有误，改派燃气公司")
    page.click("#return-decide-form button[value=approve]")
    assert page.locator("#ticket-status").inner_text() == "待派单"
    assert page.locator("#route-form").is_visible()
    assert (Ticket.objects.get().status, Ticket.objects.get().owner) == (TicketStatus.NEW, None)
