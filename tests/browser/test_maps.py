"""The organization department's city dashboard draws the districts from uploaded GeoJSON with the
vendored ECharts geo component; a real click on a district (at the pixel of its centre, from the
chart's convertToPixel) drills down to its streets, a click on the street to its communities, and a
click on the community opens that community's dashboard; 返回上级 climbs back (ADR 2012)."""

import pytest
from playwright.sync_api import expect

from tests.dashboards.builders import add_scans, at
from tests.maps.geo import WEST, centre, collection, tree_features
from xiachen.dashboards import rollups
from xiachen.maps.services import upload_boundaries

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click_at(page, position) -> None:
    x, y = page.evaluate(
        """([lon, lat]) => {
            const element = document.getElementById("dash-map");
            const pixel = echarts.getInstanceByDom(element).convertToPixel({geoIndex: 0}, [lon, lat]);
            const box = element.getBoundingClientRect();
            return [box.left + pixel[0], box.top + pixel[1]];
        }""",
        position,
    )
    page.mouse.click(x, y)


def _map_of(page, name: str) -> None:
    expect(page.locator(f"#dash-map[data-map-ready='1'][data-map-unit='{name}']")).to_have_count(1)


def test_city_map_drills_down_by_clicking_regions(page, tree, people):
    upload_boundaries(by=people.sysadmin, data=collection(tree_features(tree)))
    add_scans(tree.compound1, [at(2026, 3, 1, 8), at(2026, 3, 1, 9)], by=people.worker1, fever_at={1})
    rollups.rebuild_all()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, "org")
    page.goto(f"{page.base_url}/dashboards/?from=2026-03-01&to=2026-03-02")
    _map_of(page, "武汉市")
    expect(page.locator("#dash-map canvas")).to_have_count(1)
    page.click("#dash-map-measures button[data-measure='fever']")
    expect(page.locator("#dash-map-measures button.active")).to_have_text("发热预警")

    _click_at(page, centre(WEST))
    _map_of(page, "江岸区")
    expect(page.locator("#dash-map-title")).to_have_text("江岸区")
    _click_at(page, centre(WEST))
    _map_of(page, "大智街道")
    page.click("#dash-map-up")
    _map_of(page, "江岸区")
    _click_at(page, centre(WEST))
    _map_of(page, "大智街道")
    _click_at(page, [114.4, 30.8])  # the community, away from the compound's point at its centre
    page.wait_for_url("**/dashboards/community/**")
    expect(page.locator("#dash-title")).to_contain_text("车站路社区")
    assert page.url.endswith("?from=2026-03-01&to=2026-03-02")
    assert errors == []
