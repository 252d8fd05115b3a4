"""Hotline URLs × roles for tests/accounts/test_permission_matrix.py.

The ticket is a general request from compound1 (district1), dispatched by address to community1:
the organization department (city), manager1 and worker1 (community1) and the hotline operator
(district1) see it; everyone else gets 404. Actions check the role's permission (403) before
parsing the form, and a refused or incomplete action is a redirect back with a message.
"""

from datetime import date

from xiachen.core.models import Holiday
from xiachen.hotline.models import RoutingRule
from xiachen.hotline.services import file_ticket_from_resident

from .builders import category, make_ticket

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous} | overrides


SEE_TICKET = ["org_department", "manager1", "worker1", "hotline"]


def on_ticket(**statuses: int) -> dict[str, int]:
    """Visible roles without the action's permission get 403, invisible ones 404."""
    return only(403, SEE_TICKET, 404) | statuses


MATRIX = {
    ("hotline:tickets", None, "get"): only(200, [*SEE_TICKET, "manager2"], 403),
    ("hotline:ticket_new", None, "get"): only(200, ["hotline"], 403),
    ("hotline:ticket_detail", "hotline_ticket", "get"): only(200, SEE_TICKET, 404),
    ("hotline:ticket_route", "hotline_ticket", "post"): on_ticket(hotline=404),  # no unit chosen
    ("hotline:ticket_accept", "hotline_ticket", "post"): on_ticket(manager1=302, worker1=302),
    # no unit picked: the owner is sent back with "请选择转办单位"
    ("hotline:ticket_transfer", "hotline_ticket", "post"): on_ticket(manager1=302, worker1=302),
    # no transfer was requested, so nobody is its target
    ("hotline:ticket_transfer_decide", "hotline_ticket", "post"): on_ticket(),
    ("hotline:ticket_arbitrate", "hotline_ticket", "post"): on_ticket(manager1=404, hotline=404),
    ("hotline:ticket_resolve", "hotline_ticket", "post"): on_ticket(manager1=302, worker1=302),
    # A refused call-back shows the page again with the answers kept (200), not a redirect.
    ("hotline:ticket_callback", "hotline_ticket", "post"): on_ticket(hotline=200),
    ("hotline:ticket_reopen", "hotline_ticket", "post"): on_ticket(hotline=302),
    ("hotline:ticket_link", "hotline_ticket", "post"): on_ticket(hotline=404),
    # 退单, 延期, 督办, complaint review (ADR 1604): an empty form is refused with a message (302); the
    # owner's manager holds hotline.supervise but may not supervise or approve for its own unit (403).
    ("hotline:ticket_return", "hotline_ticket", "post"): on_ticket(manager1=302, worker1=302),
    ("hotline:ticket_return_decide", "hotline_ticket", "post"): on_ticket(hotline=302),
    ("hotline:ticket_extend", "hotline_ticket", "post"): on_ticket(manager1=302, worker1=302),
    ("hotline:ticket_extend_decide", "hotline_ticket", "post"): on_ticket(hotline=302),
    ("hotline:ticket_supervise", "hotline_ticket", "post"): on_ticket(hotline=302),
    ("hotline:ticket_complaint_review", "hotline_ticket", "post"): on_ticket(manager1=302),
    ("hotline:ticket_reveal", "hotline_ticket_phone", "post"): on_ticket(manager1=200, worker1=200, hotline=200),
    ("hotline:ticket_reveal", "hotline_ticket_phone", "get"): only(405, [], 405),
    ("hotline:rates", None, "get"): only(200, ["org_department", "manager1", "manager2", "hotline"], 403),
    ("hotline:rates_export", None, "get"): only(200, ["org_department", "manager1", "manager2", "hotline"], 403),
    ("hotline:settings", None, "get"): only(200, ["org_department"], 403),
    ("hotline:category_save", "hotline_category", "post"): only(302, ["org_department"], 403),
    ("hotline:calendar_save", None, "post"): only(400, ["org_department"], 403),
    ("hotline:holiday_add", None, "post"): only(400, ["org_department"], 403),
    ("hotline:holiday_delete", "hotline_holiday", "post"): only(302, ["org_department"], 403),
    ("hotline:rule_add", None, "post"): only(302, ["org_department"], 403),
    ("hotline:rule_delete", "hotline_rule", "post"): only(302, ["org_department"], 403),
    ("hotline:resident_file", None, "get"): only(200, ["resident_user1"], 403),
    ("hotline:resident_ticket", "hotline_resident_ticket", "get"): only(200, ["resident_user1"], 403),
}


def _ticket(request):
    people, tree = request.getfixturevalue("people"), request.getfixturevalue("tree")
    return make_ticket(people, tree.compound1)


def _rule(request):
    tree = request.getfixturevalue("tree")
    return RoutingRule.objects.create(category=category("medical"), area=tree.district1, unit=tree.department2)


def _holiday(request):
    category("general")
    return Holiday.objects.get(date=date(2026, 10, 1)).date.isoformat()


def _resident_ticket(request):
    resident = request.getfixturevalue("resident1")
    return file_ticket_from_resident(resident=resident, category=category("supplies"), description="缺米面")


ARGS = {
    "hotline_ticket": lambda request: [_ticket(request).public_id],
    "hotline_ticket_phone": lambda request: [_ticket(request).public_id, "caller_phone"],
    "hotline_category": lambda request: [category("general").code],
    "hotline_holiday": lambda request: [_holiday(request)],
    "hotline_rule": lambda request: [_rule(request).public_id],
    "hotline_resident_ticket": lambda request: [_resident_ticket(request).public_id],
}
