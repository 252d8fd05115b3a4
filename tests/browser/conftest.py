"""Playwright driving Debian's Chromium against the live test server.

A missing browser is an error, never a skip: CI must not go green without the browser tests.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("XIACHEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    accept_dialogs(page)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    accept_dialogs(page)
    yield page
    context.close()


def accept_dialogs(page) -> None:
    """Accept every confirmation (data-confirm) and keep its question in `page.dialogs`, so a test
    can assert that a destructive button asked first."""
    page.dialogs = []

    def accept(dialog) -> None:
        page.dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def click_menu(page, label: str) -> None:
    """Click the menu entry `label` as a person would: open the phone menu if it is folded, open the
    group that holds the entry, then click it."""
    link = page.locator("nav.mainnav a").get_by_text(label, exact=True).first
    if not link.is_visible():
        toggle = page.locator("label.nav-toggle-label")
        if toggle.is_visible() and not page.locator("nav.mainnav").is_visible():
            toggle.click()
        group = page.locator("nav.mainnav details.navgroup").filter(has=page.get_by_text(label, exact=True)).first
        group.locator("summary").click()
    link.click()
