"""Dashboard pages: the numbers shown, 暂无数据 without data, the period, Excel downloads, and a
query count that does not grow with the data."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.dashboards.builders import add_errand, add_scans, add_ticket, at
from tests.factories import make_unit
from xiachen.dashboards import rollups

PERIOD = {"from": "2026-03-01", "to": "2026-03-03"}


@pytest.fixture
def activity(tree, people):
    """Scans, a fever alert, errands and tickets in both communities on 2026-03-01/02."""
    add_scans(tree.compound1, [at(2026, 3, 1, 8, 10), at(2026, 3, 1, 8, 40), at(2026, 3, 2, 9, 0)],
              by=people.worker1, fever_at={2})
    add_scans(tree.compound2, [at(2026, 3, 1, 18, 0)], by=people.worker1)
    add_errand(tree.compound1, by=people.worker1, created=at(2026, 3, 1, 10))
    add_errand(tree.compound1, by=people.worker1, created=at(2026, 3, 1, 11), delivered=at(2026, 3, 1, 15))
    add_ticket(tree.compound1, owner=tree.community1, received=at(2026, 3, 1, 9), accepted=at(2026, 3, 1, 9, 30),
               called_back=True, resolved=True, satisfaction="satisfied", status="closed")
    add_ticket(tree.compound1, owner=tree.community1, received=at(2026, 3, 2, 9), accepted=at(2026, 3, 2, 14),
               called_back=True, resolved=False, satisfaction="unsatisfied", status="closed")
    rollups.rebuild_all()


def _kpi(content: str, kpi_id: str) -> str:
    start = content.index(f'id="kpi-{kpi_id}"')
    value = content.index('class="dash-kpi-value">', start) + len('class="dash-kpi-value">')
    return content[value: content.index("</div>", value)]


def test_city_dashboard_shows_the_rolled_up_numbers(client, people, tree, activity):
    client.force_login(people.org_department)
    content = client.get(reverse("dashboards:city"), PERIOD).content.decode()
    assert _kpi(content, "scans") == "4"
    assert _kpi(content, "fever") == "1"
    assert _kpi(content, "errands_open") == "1"
    assert _kpi(content, "errands_overdue") == "1"
    assert _kpi(content, "response") == "50.0%"
    assert _kpi(content, "resolution") == "50.0%"
    assert _kpi(content, "satisfaction") == "50.0%"
    assert reverse("dashboards:district", args=[tree.district1.public_id]) in content
    assert reverse("dashboards:agency", args=[tree.agency1.public_id]) in content


def test_district_and_community_dashboards_drill_down(client, people, tree, activity):
    client.force_login(people.org_department)
    district = client.get(reverse("dashboards:district", args=[tree.district1.public_id]), PERIOD)
    content = district.content.decode()
    assert _kpi(content, "scans") == "3"
    assert reverse("dashboards:community", args=[tree.community1.public_id]) in content
    assert reverse("dashboards:community", args=[tree.community2.public_id]) not in content
    community = client.get(reverse("dashboards:community", args=[tree.community2.public_id]), PERIOD)
    assert _kpi(community.content.decode(), "scans") == "1"
    assert _kpi(community.content.decode(), "response") == "暂无数据"


def test_every_chart_says_no_data_without_rows(client, people, tree):
    rollups.rebuild_all()
    client.force_login(people.org_department)
    response = client.get(reverse("dashboards:city"))
    content = response.content.decode()
    charts = [chart for chart in response.context["dashboard"].charts if chart.kind != "table"]
    assert charts and all(chart.empty for chart in charts)
    assert content.count('class="dash-empty"') == len(charts)
    assert _kpi(content, "scans") == "暂无数据"
    assert _kpi(content, "deployed") == "暂无数据"


def test_period_defaults_to_the_latest_data_when_it_is_old(client, people, tree, activity):
    client.force_login(people.manager1)
    response = client.get(reverse("dashboards:community", args=[tree.community1.public_id]))
    period = response.context["dashboard"].period
    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-02-01", "2026-03-02")


def test_period_from_the_query_limits_the_numbers(client, people, tree, activity):
    client.force_login(people.org_department)
    content = client.get(reverse("dashboards:city"), {"from": "2026-03-02", "to": "2026-03-02"}).content.decode()
    assert _kpi(content, "scans") == "1"


def test_chart_downloads_as_excel(client, people, tree, activity):
    client.force_login(people.org_department)
    response = client.get(reverse("dashboards:city_xlsx", args=["fever"]), PERIOD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("日期", "预警"), ("03-01", 0), ("03-02", 1), ("03-03", 0)]


def test_unknown_chart_is_404(client, people, tree, activity):
    client.force_login(people.org_department)
    assert client.get(reverse("dashboards:city_xlsx", args=["nothing"])).status_code == 404


def test_agency_dashboard_shows_hours_and_placements(client, people, tree, cadre1):
    rollups.rebuild_all()
    client.force_login(people.liaison1)
    response = client.get(reverse("dashboards:agency", args=[tree.agency1.public_id]))
    assert response.status_code == 200
    assert _kpi(response.content.decode(), "placed") == "暂无数据"


def _more_activity(tree, people) -> None:
    """Ten times the data, over more days, in more communities of the same district."""
    street = tree.street1
    for number in range(2, 5):
        community = make_unit(f"42010200100{number}", f"第{number}社区", "community", street)
        compound = make_unit(f"42010200100{number}001", f"第{number}小区", "compound", community)
        add_scans(compound, [at(2026, 3, 1, 8) + timedelta(hours=h) for h in range(40)], by=people.worker1,
                  fever_at={1, 5})
        for day in range(3):
            add_errand(compound, by=people.worker1, created=at(2026, 3, 1 + day, 9))
            add_ticket(compound, owner=community, received=at(2026, 3, 1 + day, 9), accepted=at(2026, 3, 1 + day, 10),
                       called_back=True, resolved=True, satisfaction="satisfied", status="closed")
    rollups.rebuild_all()


PAGES = [
    ("dashboards:city", lambda tree: [], "org_department"),
    ("dashboards:district", lambda tree: [tree.district1.public_id], "org_department"),
    ("dashboards:community", lambda tree: [tree.community1.public_id], "manager1"),
    ("dashboards:agency", lambda tree: [tree.agency1.public_id], "liaison1"),
    ("dashboards:city_xlsx", lambda tree: ["scans"], "org_department"),
    ("dashboards:district_xlsx", lambda tree: [tree.district1.public_id, "units"], "org_department"),
]
QUERIES = {"dashboards:city": 13, "dashboards:district": 11, "dashboards:community": 10, "dashboards:agency": 8,
           "dashboards:city_xlsx": 13, "dashboards:district_xlsx": 11}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("name", "args", "role"), PAGES, ids=[name for name, _a, _r in PAGES])
def test_query_count_does_not_grow_with_the_data(client, people, tree, activity, name, args, role):
    client.force_login(getattr(people, role))
    url = reverse(name, args=args(tree))
    client.get(url)  # the first request after signing in also touches the session
    small = _count(client, url)
    _more_activity(tree, people)
    large = _count(client, url)
    assert (small, large) == (QUERIES[name], QUERIES[name])


@pytest.mark.parametrize(("role", "shown"), [("org_department", True), ("manager1", True), ("worker1", True),
                                             ("liaison1", True), ("cadre_user1", False), ("hotline", False)])
def test_navigation_offers_dashboards_to_their_users(client, people, role, shown):
    client.force_login(getattr(people, role))
    content = client.get(reverse("accounts:home")).content.decode()
    assert (f'href="{reverse("dashboards:city")}"' in content) is shown


def test_dashboards_home_sends_a_manager_to_the_community_dashboard(client, people, tree):
    client.force_login(people.manager1)
    response = client.get(reverse("dashboards:city"))
    assert response.url == reverse("dashboards:community", args=[tree.community1.public_id])
    client.force_login(people.liaison2)
    assert client.get(reverse("dashboards:city")).url == reverse("dashboards:agency", args=[tree.agency2.public_id])
