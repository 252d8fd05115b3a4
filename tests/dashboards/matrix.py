"""Permission matrix of the dashboards (merged by tests/accounts/test_permission_matrix.py).

The organization department sees the city and every district, community and agency dashboard;
managers and workers of community1 see community1's (and /dashboards/ redirects them there),
manager2 only community2's; a liaison sees its own agency's. Roles without a dashboard get 403,
a dashboard outside one's scope 404.
"""

from tests.accounts.test_permission_matrix import LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


AREA = ["manager1", "manager2", "worker1"]
CITY = only(200, ["org_department"], 403)
DISTRICT = only(200, ["org_department"], 403, **dict.fromkeys(AREA, 404))
COMMUNITY = only(200, ["org_department", "manager1", "worker1"], 403, manager2=404)
AGENCY = only(200, ["org_department", "liaison1"], 403, liaison2=404)

MATRIX = {
    ("dashboards:city", None, "get"): CITY | dict.fromkeys([*AREA, "liaison1", "liaison2"], 302),
    ("dashboards:city_xlsx", "dashboard_chart", "get"): CITY,
    ("dashboards:district", "dashboard_district", "get"): DISTRICT,
    ("dashboards:district_xlsx", "dashboard_district_chart", "get"): DISTRICT,
    ("dashboards:community", "dashboard_community", "get"): COMMUNITY,
    ("dashboards:community_xlsx", "dashboard_community_chart", "get"): COMMUNITY,
    ("dashboards:agency", "dashboard_agency", "get"): AGENCY,
    ("dashboards:agency_xlsx", "dashboard_agency_chart", "get"): AGENCY,
    ("dashboards:map", "dashboard_district", "get"): DISTRICT,
}


def _tree(request):
    return request.getfixturevalue("tree")


ARGS = {
    "dashboard_chart": lambda request: ["scans"],
    "dashboard_district": lambda request: [_tree(request).district1.public_id],
    "dashboard_district_chart": lambda request: [_tree(request).district1.public_id, "hotline"],
    "dashboard_community": lambda request: [_tree(request).community1.public_id],
    "dashboard_community_chart": lambda request: [_tree(request).community1.public_id, "errands"],
    "dashboard_agency": lambda request: [_tree(request).agency1.public_id],
    "dashboard_agency_chart": lambda request: [_tree(request).agency1.public_id, "hours"],
}
