"""The cadre's and worker's phone app in Chromium at phone width: reached from the menu, work done with
the context offline, the page reloaded offline, back online, every change stored exactly once, a
conflicting server-side edit reported; the post clock-in with a geolocation override outside and inside
the post's radius (refused naming the distance; accepted offline and checked at sync)."""

import pytest
from django.urls import reverse

from tests.field.conftest import clock_post, errand_of, visit  # noqa: F401  (fixtures)
from xiachen.errands import services as errands
from xiachen.errands.models import Errand, ErrandEvent, HealthReport, VisitTask
from xiachen.field.models import OfflineChange
from xiachen.rosters.models import Attendance
from xiachen.rosters.tokens import post_token

from .conftest import click_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pending(page, n: int) -> None:
    page.wait_for_function(f"() => document.getElementById('pending-count').textContent === '{n}'", timeout=30_000)


def _ready_for_offline(page) -> None:
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("body[data-offline-ready='1']", state="attached", timeout=30_000)


def test_round_and_visits_offline_then_synced_once_with_the_conflict_shown(phone_page, people, resident1, visit):  # noqa: F811
    page = phone_page
    rice, medicine = errand_of(people, resident1, "大米一袋"), errand_of(people, resident1, "感冒药")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_navigation_timeout(60_000)
    sign_in(page, "worker1")
    click_menu(page, "外勤手机版（离线可用）")
    _ready_for_offline(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.context.set_offline(True)
    first = page.locator(f"li[data-errand='{rice.public_id}']")
    first.locator("button.move").click()  # 接单
    page.wait_for_selector(f"li[data-errand='{rice.public_id}'][data-status='accepted']")
    # Each step waits for its own effect: the list re-renders after every change, and a click that
    # lands during a re-render would be lost.
    first.locator("button.move").click()  # 开始办理
    page.wait_for_selector(f"li[data-errand='{rice.public_id}'][data-status='in_progress']")
    _pending(page, 2)
    page.locator(f"li[data-errand='{medicine.public_id}'] button.move").click()
    page.wait_for_selector(f"li[data-errand='{medicine.public_id}'][data-status='accepted']")
    _pending(page, 3)
    row = page.locator(f"li[data-visit='{visit.public_id}']")
    row.locator("input.temperature").fill("37.8")
    row.locator("input.symptoms").fill("咳嗽")
    row.locator("button.report").click()
    _pending(page, 4)
    assert "4 条待同步" in page.locator("#sync-now").inner_text()
    page.reload()  # offline: the page and its data come from the service worker and IndexedDB
    page.wait_for_selector("body[data-ready='1']")
    _pending(page, 4)
    assert page.locator(f"li[data-errand='{rice.public_id}']").get_attribute("data-status") == "in_progress"
    assert "办理中（待同步）" in page.locator(f"li[data-errand='{rice.public_id}']").inner_text()
    assert "已登记（待同步）" in page.locator(f"li[data-visit='{visit.public_id}']").inner_text()
    page.locator(f"li[data-visit='{visit.public_id}'] button.link").click()  # the household card, masked
    card = page.locator(f"#household-{visit.episode.household.public_id}")
    assert "孙**" in card.inner_text() and "孙小红" not in page.content()
    assert Errand.objects.get(pk=rice.pk).status == "requested" and not HealthReport.objects.exists()
    errands.cancel_errand(by=people.manager1, errand=medicine, reason="居民已自行解决")  # meanwhile, online
    page.context.set_offline(False)
    page.evaluate("() => XiachenField.sync()")
    _pending(page, 0)
    page.evaluate("() => XiachenField.sync()")  # a second sync duplicates nothing
    page.wait_for_selector("#problems li[data-status='conflict']")
    assert "已取消" in page.locator("#problems").inner_text()
    assert Errand.objects.get(pk=rice.pk).status == "in_progress"
    assert ErrandEvent.objects.filter(errand=rice, by=people.worker1).count() == 2
    assert Errand.objects.get(pk=medicine.pk).status == "cancelled"
    assert (str(HealthReport.objects.get().temperature), VisitTask.objects.get().status) == ("37.8", "done")
    assert OfflineChange.objects.count() == 4
    page.locator("#problems button").click()  # dismissed once read
    page.wait_for_selector("#problems", state="hidden")
    assert errors == []


def test_clock_in_by_the_posts_qr_refused_outside_the_radius_and_accepted_offline_inside(
    browser, live_server, people, clock_post,  # noqa: F811
):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  permissions=["geolocation"],
                                  geolocation={"latitude": 30.6031, "longitude": 114.3054, "accuracy": 10})
    page = context.new_page()
    page.set_default_timeout(30_000)  # each step waits on a sync through a live server a busy CI shares
    page.set_default_navigation_timeout(60_000)
    page.base_url = live_server.url
    try:
        sign_in(page, "cadre1")
        page.goto(f"{live_server.url}{reverse('field:scan', args=[post_token(clock_post)])}")  # the post's QR
        _ready_for_offline(page)
        page.click("#clock-in")
        page.wait_for_selector("#clock-status[data-state='rejected']")
        assert "您距岗位约 1112 米，超出签到范围（200 米）" in page.locator("#clock-status").inner_text()
        assert not Attendance.objects.exists()
        context.set_geolocation({"latitude": 30.5935, "longitude": 114.3054, "accuracy": 10})
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.click("#clock-in")
        page.wait_for_selector("#clock-status[data-state='queued']")
        assert "联网后核验" in page.locator("#clock-status").inner_text()
        _pending(page, 1)
        context.set_offline(False)
        page.evaluate("() => XiachenField.sync()")
        page.wait_for_selector("#clock-status[data-state='applied']")
        assert page.locator("#clock-status").inner_text() == "签到成功"
        assert Attendance.objects.get().distance_m == 44
    finally:
        context.close()
