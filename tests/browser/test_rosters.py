"""Swaps in the browser: a cadre asks on a phone to swap into a morning right after their night shift
and is refused with the reason; an allowed swap is requested, approved by the manager, and applied."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import Assignment, Roster

from ..factories import CadreFactory
from ..rosters.conftest import make_post, shift
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The roster's week starts a week from today (local time), so its shifts are upcoming whenever the
# suite runs: "my shifts" lists only shifts that have not ended.
FIRST = timezone.localdate() + timedelta(days=7)


def day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


@pytest.fixture
def published_roster(tree, people, cadre1):
    zhang, li = CadreFactory(agency=tree.agency1, name="张伟"), CadreFactory(agency=tree.agency1, name="李娜")
    post = make_post(tree, people.org_department, [cadre1, zhang, li], start=day(-7), end=day(20))
    roster = Roster.objects.create(post=post, round=post.rounds.get(), unit_path=post.unit_path,
                                   start=day(0), end=day(6), status=RosterStatus.PUBLISHED,
                                   created_by=people.manager1)
    for cadre, offset, code in ((cadre1, 0, "night"), (zhang, 1, "morning"), (li, 3, "night")):
        Assignment.objects.create(roster=roster, cadre=cadre, day=day(offset), shift=shift(post, code))
    return roster


def _request_swap(page, day: str, partner: str) -> str:
    form = page.locator("form.swap-form")
    form.locator("input[name=day]").fill(day)
    form.locator("input.picker-search").fill(partner)  # a searchable picker of the post's other cadres
    form.locator("[data-picker-option]", has_text=partner).first.click()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return page.locator(".flash").first.inner_text()


def test_swap_breaking_the_rest_rule_is_refused_and_an_allowed_swap_goes_through(phone_page, page, published_roster,
                                                                                 cadre1):
    sign_in(phone_page, "cadre1")
    phone_page.goto(f"{phone_page.base_url}/rosters/mine/")
    assert "夜班" in phone_page.locator("#my-shifts").inner_text()
    refused = _request_swap(phone_page, day(1).isoformat(), "张伟")
    assert "不能换班" in refused
    assert f"{day(0):%m-%d} 的夜班与 {day(1):%m-%d} 的白班之间只休息 7 小时，规定至少 11 小时" in refused
    accepted = _request_swap(phone_page, day(3).isoformat(), "李娜")
    assert accepted == "换班申请已提交，等待负责人审批"
    assert "待审批" in phone_page.locator("#my-swaps").inner_text()

    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/rosters/swaps/")
    row = page.locator("#swap-table tbody tr", has_text="李娜")
    row.locator("button.approve").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash").first.inner_text() == "已批准换班"
    swapped = Assignment.objects.filter(roster=published_roster, day=day(3)).select_related("cadre")
    assert [(a.cadre.name, a.shift.code) for a in swapped] == [(cadre1.name, "night")]

    page.goto(f"{page.base_url}/rosters/{published_roster.public_id}/")
    row = page.locator("#roster-grid tbody tr", has_text=cadre1.name)
    assert row.locator(f"td[data-day='{day(3).isoformat()}']").inner_text() == "夜班"
