"""The organization department opens the city dashboard, drills down to a district through its
chart-side table, then to a community, and reads the same numbers the rollups hold; the charts
are drawn by the vendored ECharts and one saves as PNG."""

import pytest
from playwright.sync_api import expect

from tests.dashboards.builders import add_errand, add_scans, add_ticket, at
from xiachen.dashboards import rollups

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def activity(tree, people):
    add_scans(tree.compound1, [at(2026, 3, 1, 8, 10), at(2026, 3, 1, 8, 40), at(2026, 3, 2, 9, 0)],
              by=people.worker1, fever_at={2})
    add_scans(tree.compound2, [at(2026, 3, 1, 18, 0)], by=people.worker1)
    add_errand(tree.compound1, by=people.worker1, created=at(2026, 3, 1, 10))
    add_ticket(tree.compound1, owner=tree.community1, received=at(2026, 3, 1, 9), accepted=at(2026, 3, 1, 9, 30),
               called_back=True, resolved=True, satisfaction="satisfied", status="closed")
    rollups.rebuild_all()


def _kpi(page, kpi_id: str) -> str:
    return page.locator(f"#kpi-{kpi_id} .dash-kpi-value").inner_text().strip()


def test_org_department_drills_from_city_to_community(page, people, tree, activity):
    sign_in(page, "org")
    page.goto(f"{page.base_url}/dashboards/?from=2026-03-01&to=2026-03-03")
    expect(page.locator("#dash-title")).to_contain_text("武汉市")
    assert _kpi(page, "scans") == "4"
    assert _kpi(page, "fever") == "1"
    expect(page.locator("#chart-scans canvas")).to_have_count(1)  # drawn by ECharts
    assert page.locator("#empty-care").inner_text() == "暂无数据"
    with page.expect_download() as download:
        page.click("button[data-png='scans']")
    assert download.value.suggested_filename == "420100-scans.png"

    page.click("#row-420102 a.dash-drill")
    page.wait_for_url("**/dashboards/district/**")
    expect(page.locator("#dash-title")).to_contain_text("江岸区")
    assert _kpi(page, "scans") == "3"
    assert page.locator("#row-420102001001 td.num").first.inner_text() == "0"  # no cadre deployed
    assert page.locator("#row-420102001001 td.num").nth(1).inner_text() == "3"

    page.click("#row-420102001001 a.dash-drill")
    page.wait_for_url("**/dashboards/community/**")
    expect(page.locator("#dash-title")).to_contain_text("车站路社区")
    assert page.url.endswith("?from=2026-03-01&to=2026-03-03")
    assert _kpi(page, "scans") == "3"
    assert _kpi(page, "errands_open") == "1"
    assert _kpi(page, "response") == "100.0%"
    assert _kpi(page, "satisfaction") == "100.0%"
    expect(page.locator("#dash-crumbs")).to_contain_text("江岸区")
