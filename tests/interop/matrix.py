"""Integration URLs × roles for tests/accounts/test_permission_matrix.py (sessions; tokens: test_writes.py).

Token and webhook pages: the system administrator only (403 for everyone else). Open311 answers 403
without an api_key, to everyone (it is not a session service). The API's writes answer 415 to a
signed-in user's form body (not JSON) and 401 anonymously; its reads are scoped
like the pages. Forwarding to the city platform: the hotline operator, refused with a message (302)
because no platform is configured in the tests.
"""

from datetime import date, timedelta

from django.utils import timezone

from xiachen.deployments.models import Demand, PostType
from xiachen.errands.models import Errand
from xiachen.interop.models import WebhookDelivery
from xiachen.interop.tokens import issue_token

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


def everyone(status: int, anonymous: int) -> dict[str, int]:
    return only(status, ROLES, status, anonymous)


ADMIN = ["sysadmin"]
SEE_TICKET = ["org_department", "manager1", "worker1", "hotline"]


def _token(request):
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    token, _raw = issue_token(by=people.sysadmin, name="矩阵令牌", role="hotline_operator", units=[tree.district1],
                              scopes=["read"], expires_at=timezone.now() + timedelta(days=1))
    return [token.public_id]


def _endpoint(request):
    return [_delivery_row(request).endpoint.public_id]


def _delivery(request):
    return [_delivery_row(request).public_id]


def _delivery_row(request):
    from xiachen.interop.endpoints import create_endpoint

    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    endpoint, _secret = create_endpoint(by=people.sysadmin, name="矩阵推送", url="http://127.0.0.1:9/none",
                                        event_types=["ticket.created"], unit=tree.district1)
    return WebhookDelivery.objects.create(endpoint=endpoint, event_id="00000000-0000-4000-8000-000000000001",
                                          event_type="ticket.created", payload={}, status="failed")


def _errand(request):
    resident = request.getfixturevalue("resident1")
    people = request.getfixturevalue("people")
    errand = Errand.objects.create(household=resident.household, kind="meal", details="午饭",
                                   requested_by=people.manager1, submission_key="00000000-0000-4000-8000-000000000002")
    return [errand.public_id]


def _demand(request):
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=1,
                                   start=date(2026, 12, 1), end=date(2026, 12, 31), created_by=people.manager1)
    return [demand.public_id]


ARGS = {
    "api_token": _token,
    "webhook_endpoint": _endpoint,
    "webhook_delivery": _delivery,
    "api_errand": _errand,
    "api_demand": _demand,
    "open311_service": lambda request: ["general", "json"],
    "open311_request": lambda request: ["HL000000-00001", "json"],
    "open311_list": lambda request: ["json"],
}

API_WRITE = everyone(415, anonymous=401)

MATRIX = {
    ("interop:tokens", None, "get"): only(200, ADMIN, 403),
    ("interop:token_new", None, "get"): only(200, ADMIN, 403),
    ("interop:token_revoke", "api_token", "post"): only(302, ADMIN, 403),
    ("interop:webhooks", None, "get"): only(200, ADMIN, 403),
    ("interop:webhook_new", None, "get"): only(200, ADMIN, 403),
    ("interop:webhook_detail", "webhook_endpoint", "get"): only(200, ADMIN, 403),
    ("interop:webhook_active", "webhook_endpoint", "post"): only(302, ADMIN, 403),
    ("interop:webhook_test", "webhook_endpoint", "post"): only(302, ADMIN, 403),
    ("interop:delivery_replay", "webhook_delivery", "post"): only(302, ADMIN, 403),
    ("interop:ticket_forward", "hotline_ticket", "post"): only(403, SEE_TICKET, 404) | {"hotline": 302},
    ("open311:services", "open311_list", "get"): everyone(403, anonymous=403),
    ("open311:service", "open311_service", "get"): everyone(403, anonymous=403),
    ("open311:requests", "open311_list", "get"): everyone(403, anonymous=403),
    ("open311:requests", "open311_list", "post"): everyone(403, anonymous=403),
    ("open311:request", "open311_request", "get"): everyone(403, anonymous=403),
    ("api:list_tickets", None, "get"): everyone(200, anonymous=401),
    ("api:get_ticket", "hotline_ticket", "get"): only(200, SEE_TICKET, 404, anonymous=401),
    ("api:file_ticket", None, "post"): API_WRITE,
    ("api:ask_errand", None, "post"): API_WRITE,
    ("api:get_errand", "api_errand", "get"): only(200, ["manager1", "worker1"], 404, anonymous=401),
    ("api:post_demand", None, "post"): API_WRITE,
    ("api:get_demand", "api_demand", "get"): only(200, ["org_department", "manager1"], 404, anonymous=401),
    ("api:post_notice", None, "post"): API_WRITE,
    ("api:create_household_at", None, "post"): API_WRITE,
    ("api:add_household_resident", "household1", "post"): API_WRITE,
}
