"""Permission matrix of the roster pages (collected by tests/accounts/test_permission_matrix.py).

World: the matrix's published round sends cadre1 (agency1) to a gate-duty post of community1; here
that post gets two shifts and a published roster with one morning shift of cadre1, a pending swap and
an open replacement request. manager1 manages it, manager2 manages a sibling community, the
organization department oversees (reads) everything but edits no roster.
"""

from datetime import date, time

from xiachen.rosters.models import Assignment, ReplacementRequest, Roster, ShiftTemplate, SwapRequest
from xiachen.rosters.tokens import calendar_token, post_token

LOGGED_IN = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
             "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


OVERSEERS = ["org_department", "manager1", "manager2"]
ROSTER_READERS = ["org_department", "manager1", "cadre_user1"]
# Manager-only writes on the roster: the organization department and the cadre see it but may not edit.
MANAGER_WRITE = only(302, ["manager1"], 404, org_department=403, cadre_user1=403)

MATRIX = {
    ("rosters:index", None, "get"): only(200, OVERSEERS, 403),
    ("rosters:post", "roster_post", "get"): only(200, ["org_department", "manager1"], 404),
    # empty forms: refused with a message on the post page
    ("rosters:shift_add", "roster_post", "post"): only(302, ["org_department", "manager1"], 404),
    ("rosters:roster_new", "roster_post", "post"): only(302, ["org_department", "manager1"], 404),
    ("rosters:gear", "roster_post", "post"): only(302, ["org_department", "manager1"], 404),
    ("rosters:site", "roster_post", "post"): only(302, ["org_department", "manager1"], 404),
    ("rosters:rules", "roster_round", "get"): only(403, ["liaison1", "manager1", "cadre_user1"], 404,
                                                   org_department=200),
    ("rosters:roster", "roster", "get"): only(200, ROSTER_READERS, 404),
    ("rosters:progress", "roster", "get"): only(200, ROSTER_READERS, 404),
    ("rosters:generate", "roster", "post"): MANAGER_WRITE,
    ("rosters:move", "roster", "post"): MANAGER_WRITE,
    ("rosters:cell", "roster", "get"): only(404, [], 404, org_department=403, cadre_user1=403),
    ("rosters:cell", "roster", "post"): only(404, [], 404, org_department=403, cadre_user1=403),
    ("rosters:cover", "roster", "post"): only(404, [], 404, org_department=403, cadre_user1=403),
    # the cadre may mark their own day; a manager must name a cadre of the roster
    ("rosters:unavailable", "roster", "post"): only(404, [], 404, cadre_user1=302),
    ("rosters:wish", "roster", "post"): only(404, [], 404, cadre_user1=302),
    ("rosters:attendance", "roster", "get"): only(200, ["manager1"], 404, org_department=403, cadre_user1=403),
    ("rosters:allowances", "roster", "get"): only(200, ["manager1"], 404, org_department=403, cadre_user1=403),
    ("rosters:swap_new", "roster", "post"): only(302, ROSTER_READERS, 404),
    ("rosters:unwell", "roster", "post"): only(302, ROSTER_READERS, 404),
    ("rosters:confirm", "roster_assignment", "post"): MANAGER_WRITE,
    ("rosters:scan", "roster_scan", "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    # only a cadre checks in; cadre1 has no shift at this moment, so is sent back with a message
    ("rosters:scan", "roster_scan", "post"): only(403, LOGGED_IN, 403, cadre_user1=302),
    ("rosters:mine", None, "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    ("rosters:swaps", None, "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    ("rosters:swap_decide", "roster_swap", "post"): MANAGER_WRITE,
    ("rosters:alerts", None, "get"): only(200, OVERSEERS, 403),
    ("rosters:replacement_resolve", "roster_replacement", "post"): only(302, ["manager1"], 404,
                                                                        org_department=403),
    # the calendar feed's signed token is its own credential: no session needed
    ("rosters:ical", "roster_calendar", "get"): only(200, LOGGED_IN, 200, anonymous=200),
    # only someone with a cadre record resets their own feed link; everyone else has none to reset
    ("rosters:ical_reset", None, "post"): only(302, ["cadre_user1"], 404),
}


def _world(request):
    cached = getattr(request.node, "_roster_world", None)
    if cached is not None:
        return cached
    people = request.getfixturevalue("people")
    cadre1 = request.getfixturevalue("cadre1")
    published = request.getfixturevalue("round_match").published
    post = published.demand
    morning = ShiftTemplate.objects.create(post=post, code="morning", name="白班", start=time(8), length_minutes=540)
    ShiftTemplate.objects.create(post=post, code="night", name="夜班", start=time(17), length_minutes=480)
    roster = Roster.objects.create(post=post, round=published.round, unit_path=post.unit_path, start=date(2026, 12, 7),
                                   end=date(2026, 12, 13), status="published", created_by=people.manager1)
    assignment = Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, 7), shift=morning)
    world = {
        "post": post, "roster": roster, "assignment": assignment, "cadre": cadre1,
        "swap": SwapRequest.objects.create(roster=roster, day=date(2026, 12, 7), requester=cadre1, partner=cadre1),
        "replacement": ReplacementRequest.objects.create(cadre=cadre1, roster=roster, unit_path=roster.unit_path),
    }
    request.node._roster_world = world
    return world


ARGS = {
    "roster_post": lambda request: [_world(request)["post"].public_id],
    "roster_round": lambda request: [_world(request)["roster"].round.public_id],
    "roster": lambda request: [_world(request)["roster"].public_id],
    "roster_assignment": lambda request: [_world(request)["assignment"].public_id],
    "roster_scan": lambda request: [post_token(_world(request)["post"])],
    "roster_swap": lambda request: [_world(request)["swap"].public_id],
    "roster_replacement": lambda request: [_world(request)["replacement"].public_id],
    "roster_calendar": lambda request: [calendar_token(_world(request)["cadre"])],
}
