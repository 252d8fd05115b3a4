"""Every page a role can reach from its navigation (depth 2), in the browser, on the tiny demo city.

For each of the nine demo logins: sign in, open the home page, follow the navigation and the home
page's links (depth 1), then the links on those pages (depth 2), each URL pattern once per role. Every
page must answer < 400, log zero console errors and failed loads, fit a 390 px phone and a 1366 px
screen without horizontal scrolling (measured on one load: the viewport is resized, the layout
re-flows), and show no internal identifier (snake_case, `kind:code`) in its visible text.
Downloads (Excel, PDF, iCalendar) are recognized by the browser starting a download and skipped.
"""

from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from tests.seeds import restore_seeded_rows

from .conftest import accept_dialogs, sign_in
from .quality import PageWatch, horizontal_overflow, snake_case_leaks

pytestmark = [pytest.mark.browser, pytest.mark.rendering,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEMO_PASSWORD = "xiachen-demo"
LOGINS = ["zuzhibu", "lianluo", "shequ", "ganbu", "shegong", "rexian", "jumin", "shenji", "xitong"]
WIDTHS = (1366, 390)
MAX_PAGES_PER_ROLE = 80  # a bound, not a target: a role that reaches more patterns than this fails loudly
# Links that leave the page's purpose: signing out and switching language are POST forms, not links,
# but a stray GET link to them must not end the crawl.
SKIPPED_PREFIXES = ("/logout/", "/i18n/", "/api/")
VISIBLE_TEXT = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('script, style, template, [hidden], noscript').forEach(e => e.remove());
  return clone.innerText;
}"""
SAME_ORIGIN_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download') && a.origin === location.origin)
  .map(a => a.href)"""


@pytest.fixture
def demo_city():
    """The tiny demo city with a small simulated month up to yesterday, and its nine logins.

    The module's tests roll back by serialization, so the rows the migrations seed (vocabularies,
    hotline categories, the holiday calendar) are there as in a real installation.
    """
    restore_seeded_rows()
    call_command("demo_city", scale="tiny", seed=1, stdout=StringIO(), stderr=StringIO())
    call_command(
        "demo_activity", seed=1, anchor=date.today(), scans=3000, errands=400, tickets=150,
        stdout=StringIO(), stderr=StringIO(),
    )


@dataclass
class Crawl:
    page: object
    base_url: str
    seen_patterns: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    visited: int = 0

    def pattern_of(self, url: str) -> str | None:
        """The URL's route name (one visit per pattern), or None for what the crawl skips."""
        path = urlsplit(url).path
        if path.startswith(SKIPPED_PREFIXES):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            self.failures.append(f"link to an unknown page: {url}")
            return None
        return match.view_name

    def visit(self, url: str) -> list[str]:
        """Open `url`, check it at both widths, return the links it shows ([] for a download)."""
        watch = PageWatch(self.page)
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        try:
            # "load", not "networkidle": a page that polls a progress bar is never idle.
            response = self.page.goto(url, wait_until="load")
        except Exception as error:  # Playwright raises on a download; anything else is a failure
            if "Download is starting" in str(error):
                return []
            self.failures.append(f"{url}: {error}")
            return []
        self.visited += 1
        where = url.removeprefix(self.base_url)
        if response is None or response.status >= 400:
            self.failures.append(f"{where}: status {response.status if response else 'none'}")
        self._check_layout(where)
        leaks = snake_case_leaks(self.page.evaluate(VISIBLE_TEXT))
        if leaks:
            self.failures.append(f"{where}: internal identifiers in the text: {leaks[:8]}")
        self.failures.extend(f"{where}: {problem}" for problem in watch.problems)
        return [urldefrag(link)[0] for link in self.page.evaluate(SAME_ORIGIN_LINKS)]

    def _check_layout(self, where: str) -> None:
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            overflow = horizontal_overflow(self.page)
            if overflow > 0:
                self.failures.append(f"{where}: {overflow} px wider than a {width} px screen")

    def follow(self, links: list[str]) -> list[str]:
        """Visit each link whose pattern is new; return the links found on the visited pages."""
        found = []
        for link in links:
            pattern = self.pattern_of(link)
            if pattern is None or pattern in self.seen_patterns:
                continue
            self.seen_patterns.add(pattern)
            if len(self.seen_patterns) > MAX_PAGES_PER_ROLE:
                self.failures.append(f"more than {MAX_PAGES_PER_ROLE} patterns reachable: raise the bound")
                return found
            found.extend(self.visit(link))
        return found


def report(failures: list[str]) -> str:
    """One line per distinct problem with the pages it was seen on (the same CSP error on 40 pages is one line)."""
    pages_by_problem: dict[str, list[str]] = {}
    for failure in failures:
        where, _, problem = failure.partition(": ")
        problem = problem.replace(where, "").strip()[:220]
        pages_by_problem.setdefault(problem, []).append(where)
    lines = (f"- {problem}  [{len(pages)}× e.g. {', '.join(pages[:3])}]" for problem, pages in pages_by_problem.items())
    return "\n".join(lines)


def crawl_as(page, login: str) -> Crawl:
    """Sign in as `login` and visit every pattern reachable from the home page to depth 2."""
    page.set_default_timeout(30_000)  # the first page of a fresh live server can be slow on a busy machine
    sign_in(page, login, DEMO_PASSWORD)
    crawl = Crawl(page=page, base_url=page.base_url)
    home = page.url
    crawl.seen_patterns.add(crawl.pattern_of(home))
    depth_one = crawl.visit(home)
    depth_two = crawl.follow(depth_one)
    crawl.follow(depth_two)
    return crawl


def test_every_page_each_role_reaches_loads_cleanly_at_phone_and_desktop_width(browser, live_server, demo_city):
    # One test for the nine roles, each in its own browser context: the demo city is built once,
    # not once per role (a role's crawl only reads, so no role sees another's writes).
    problems = []
    for login in LOGINS:
        context = browser.new_context(locale="zh-CN", viewport={"width": WIDTHS[0], "height": 900})
        page = context.new_page()
        page.base_url = live_server.url
        accept_dialogs(page)
        try:
            crawl = crawl_as(page, login)
        finally:
            context.close()
        if crawl.visited < 3:
            problems.append(f"{login} reached only {crawl.visited} pages from its home page")
        if crawl.failures:
            summary = report(crawl.failures)
            problems.append(f"{login}: {len(crawl.failures)} problems on {crawl.visited} pages:\n{summary}")
    assert not problems, "\n".join(problems)
