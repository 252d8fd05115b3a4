"""On a phone: a resident signs in with a one-time code and asks for groceries, a cadre accepts and
delivers, the resident confirms and rates, the manager sees it closed."""

import logging
from datetime import date

import pytest

from xiachen.deployments.models import Demand, Match, PostType, Round

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class CodeCatcher(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.codes = []

    def emit(self, record):
        message = record.getMessage()
        if "login code" in message:
            self.codes.append(message.rsplit(" ", 1)[-1])


@pytest.fixture
def codes():
    catcher = CodeCatcher()
    logger = logging.getLogger("xiachen.resident")
    logger.addHandler(catcher)
    logger.setLevel(logging.INFO)
    yield catcher.codes
    logger.removeHandler(catcher)


@pytest.fixture
def cadre_on_duty(tree, people, cadre1):
    """cadre1 is the only one on duty in compound1 (the community's worker is off)."""
    people.worker1.memberships.update(is_active=False)
    by = people.org_department
    round_ = Round.objects.create(name="社区值守", start=date(2026, 1, 1), end=date(2026, 12, 31),
                                  status="published", created_by=by)
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="supply_delivery"),
                                   headcount=1, start=date(2026, 1, 1), end=date(2026, 12, 31), created_by=by)
    round_.demands.add(demand)
    Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path, status="arrived")
    return people.cadre_user1


def test_groceries_from_request_to_closed(phone_page, page, people, resident1, cadre_on_duty, codes):
    resident = phone_page
    resident.goto(f"{resident.base_url}/r/login/")
    assert resident.locator("#privacy-link").is_visible()
    resident.fill("#id_phone", resident1.phone)
    resident.click("#phone-form button[type=submit]")
    resident.wait_for_url("**/r/login/code/")
    resident.fill("#id_code", codes[-1])
    resident.click("#code-form button[type=submit]")
    resident.wait_for_url(f"{resident.base_url}/r/")

    resident.click("#new-errand")
    resident.select_option("#id_kind", "groceries")
    resident.fill("#id_details", "大米一袋，青菜两斤，鸡蛋一盒")
    resident.click("#errand-form button[type=submit]")
    assert resident.locator("#errand-status").inner_text() == "待接单"
    errand_url = resident.url

    cadre = page
    sign_in(cadre, "cadre1")
    cadre.goto(f"{cadre.base_url}/errands/mine/")
    cadre.click("#round-table tbody a")
    cadre.click("#accept")
    assert cadre.locator("#errand-status").inner_text() == "已接单"
    cadre.click("#start")
    cadre.fill("#id_cost", "48.50")
    cadre.fill("#id_payment_note", "居民微信转账")
    cadre.click("#deliver")
    assert cadre.locator("#errand-status").inner_text() == "已送达"

    resident.goto(errand_url)
    resident.select_option("#id_rating", "5")
    resident.fill("#id_comment", "送得很及时，谢谢")
    resident.click("#confirm-form button[type=submit]")
    assert resident.locator("#errand-status").inner_text() == "居民已确认"
    assert "5 ★" in resident.locator("#errand-rating").inner_text()

    manager = page
    manager.context.clear_cookies()
    sign_in(manager, "manager1")
    manager.goto(f"{manager.base_url}/errands/?status=confirmed")
    row = manager.locator("#errand-table tbody tr")
    assert row.count() == 1
    assert row.locator("td.status").inner_text() == "居民已确认"
    assert row.locator("td").nth(5).inner_text() == "5"
