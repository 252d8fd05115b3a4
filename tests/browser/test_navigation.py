"""The staff menu in the browser: grouped menus that open by click and by keyboard (no inline script),
a phone menu behind a toggle, no horizontal overflow at 390 and 1366 px, zero console errors (htmx's
indicator style and the favicon were the two on every page), and the unread count in the header."""

import pytest

from xiachen.accounts.enums import Role
from xiachen.notices.models import Notification

from ..factories import user_with_role
from .conftest import sign_in
from .quality import PageWatch, axe_violations, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def patient(request):
    """The first page of a fresh live server can take long on a busy machine (as in test_crawl)."""
    for name in ("page", "phone_page"):
        if name in request.fixturenames:
            request.getfixturevalue(name).set_default_timeout(30_000)


@pytest.fixture
def manager(people):
    """manager1, also a community worker: the biggest menu a demo role has, plus two unread messages."""
    Notification.objects.create(recipient=people.manager1, kind="test", title="防控要求调整")
    Notification.objects.create(recipient=people.manager1, kind="test", title="本周例会")
    return people.manager1


def test_menus_open_by_click_one_at_a_time_and_lead_to_their_pages(page, manager):
    watch = PageWatch(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "manager1")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 120, f"the header wraps: {header['height']} px high at 1366 px"
    assert horizontal_overflow(page) <= 0

    passes = page.locator("details[data-navgroup=passes]")
    passes.locator("summary").click()
    assert passes.locator(".navmenu").is_visible()
    assert passes.locator(".navmenu").inner_text().split() == [
        "通行证", "扫码记录", "发热预警", "核验不一致", "更正申请", "吊销审批", "通行政策", "签名密钥", "卡口登记查询",
        "流调追踪"]
    page.locator("details[data-navgroup=community] summary").click()
    assert not passes.locator(".navmenu").is_visible(), "opening a menu closes the other"
    page.mouse.click(1300, 740)
    assert page.locator("details.navgroup[open]").count() == 0, "a click elsewhere closes the menu"

    page.locator("details[data-navgroup=passes] summary").click()
    page.locator("details[data-navgroup=passes] >> text=扫码记录").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/passes/scans/")
    assert page.locator("#unread-count").inner_text().split()[0] == "2"
    assert watch.problems == [], watch.problems


def test_menus_work_from_the_keyboard(page, manager):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "manager1")
    page.locator("details[data-navgroup=community] summary").focus()
    page.keyboard.press("Enter")
    menu = page.locator("details[data-navgroup=community] .navmenu")
    assert menu.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == menu.locator("a").first.inner_text()
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_phone_menu_toggles_and_fits_390_px(phone_page, manager):
    watch = PageWatch(phone_page)
    sign_in(phone_page, "manager1")
    assert horizontal_overflow(phone_page) <= 0
    nav = phone_page.locator("nav.mainnav")
    assert not nav.is_visible()
    phone_page.click("label.nav-toggle-label")
    assert nav.is_visible()
    assert horizontal_overflow(phone_page) <= 0
    phone_page.locator("details[data-navgroup=people] summary").click()
    phone_page.locator("details[data-navgroup=people] >> text=住户").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.url.endswith("/households/")
    assert horizontal_overflow(phone_page) <= 0
    assert watch.problems == [], watch.problems


def test_no_console_errors_and_no_favicon_404_on_staff_pages(page, people):
    watch = PageWatch(page)
    sign_in(page, "org")
    for path in ("/", "/cadres/", "/deployments/rounds/", "/deployments/demands/affinity/", "/hotline/"):
        page.goto(f"{page.base_url}{path}")
        page.wait_for_load_state("networkidle")
    response = page.request.get(f"{page.base_url}/favicon.ico")
    assert response.ok and response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert watch.problems == [], watch.problems


def test_a_user_with_no_unread_messages_sees_no_badge_and_residents_no_staff_header(page, people):
    user_with_role(Role.CADRE, people.cadre_user1.memberships.first().unit, username="cadre_b")
    sign_in(page, "cadre_b")
    assert page.locator("#inbox-link").is_visible()
    page.wait_for_load_state("networkidle")
    assert page.locator("#unread-count").count() == 0


@pytest.mark.rendering
def test_each_staff_roles_home_has_no_serious_accessibility_violation(page, phone_page, people, manager):
    """axe-core on each staff role's home page, on a desktop and on a phone with the menu open."""
    found = {}
    for username in ("org", "liaison1", "manager1", "worker1", "cadre1", "hotline", "auditor", "sysadmin"):
        for tab in (page, phone_page):
            tab.context.clear_cookies()
            sign_in(tab, username)
            if tab is phone_page:
                tab.click("label.nav-toggle-label")
            violations = axe_violations(tab)
            if violations:
                found[f"{username}@{tab.viewport_size['width']}"] = violations
    assert found == {}, found
