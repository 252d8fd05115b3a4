"""Permission matrix of the 双报到 pages (collected by tests/accounts/test_permission_matrix.py).

World (tests/volunteers/world.py): agency1 is paired with community1 (one project), agency2 with
community2. liaison1 keeps agency1's member list; resident1 (compound1, community1) has reported as
an in-service member of agency1, holds a post, is signed up for an activity and has a pending
service record; community1 has a catalogue item. manager1/worker1 run community1; manager2 and
liaison2 see none of it. Member pages are on the resident site: staff without a resident record get
403 there, anonymous visitors the resident sign-in page.
"""

from xiachen.volunteers.tokens import activity_token

from .world import build_world

LOGGED_IN = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
             "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


PAIRING_VIEWERS = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1"]
PAIRING1 = ["org_department", "liaison1", "manager1", "worker1"]
LIAISONS = ["liaison1", "liaison2"]
SERVICE = ["manager1", "manager2", "worker1"]
COMMUNITY1 = ["manager1", "worker1"]
MEMBER = only(200, ["resident_user1"], 403)
MEMBER_WRITE = only(302, ["resident_user1"], 403)

MATRIX = {
    ("volunteers:pairings", None, "get"): only(200, PAIRING_VIEWERS, 403),
    # an empty form: sent back with a message
    ("volunteers:pairing_new", None, "post"): only(302, ["org_department"], 403),
    ("volunteers:pairing", "vol_pairing", "get"): only(200, PAIRING1, 404),
    # no target state: refused with a message; only the organization department moves pairings
    ("volunteers:pairing_move", "vol_pairing", "post"): only(403, PAIRING1, 404, org_department=302),
    ("volunteers:project_add", "vol_pairing", "post"): only(302, ["org_department", "liaison1", "manager1"], 404,
                                                              worker1=403),
    ("volunteers:project_move", "vol_project", "post"): only(302, ["org_department", "liaison1", "manager1"], 404,
                                                               worker1=403),
    ("volunteers:member_list", None, "get"): only(200, LIAISONS, 403),
    ("volunteers:member_list_import", None, "get"): only(200, LIAISONS, 403),
    ("volunteers:member_list_template", None, "get"): only(200, LIAISONS, 403),
    ("volunteers:members", None, "get"): only(200, PAIRING_VIEWERS, 403),
    ("volunteers:member", "vol_member", "get"): only(200, PAIRING1, 404),
    # already confirmed and no reason given: refused with a message
    ("volunteers:member_review", "vol_member", "post"): only(302, COMMUNITY1, 404, org_department=403,
                                                               liaison1=403),
    ("volunteers:member_redeem", "vol_member", "post"): only(302, COMMUNITY1, 404, org_department=403,
                                                               liaison1=403),
    ("volunteers:posts", None, "get"): only(200, SERVICE, 403),
    ("volunteers:post_new", None, "post"): only(302, SERVICE, 403),
    ("volunteers:post_close", "vol_post", "post"): only(302, COMMUNITY1, 404),
    ("volunteers:activities", None, "get"): only(200, SERVICE, 403),
    ("volunteers:activity_new", None, "get"): only(200, SERVICE, 403),
    ("volunteers:activity", "vol_activity", "get"): only(200, COMMUNITY1, 404),
    ("volunteers:activity_cancel", "vol_activity", "post"): only(302, COMMUNITY1, 404),
    ("volunteers:activity_finish", "vol_activity", "post"): only(302, COMMUNITY1, 404),
    ("volunteers:records", None, "get"): only(200, SERVICE, 403),
    ("volunteers:record_review", "vol_record", "post"): only(302, COMMUNITY1, 404),
    ("volunteers:catalog", None, "get"): only(200, SERVICE, 403),
    ("volunteers:catalog_new", None, "post"): only(302, SERVICE, 403),
    ("volunteers:catalog_toggle", "vol_item", "post"): only(302, COMMUNITY1, 404),
    # the member's pages on the resident site
    ("resident:volunteer", None, "get"): MEMBER,
    # rows without arguments build no world: resident1 has not reported yet (the form; nothing to leave)
    ("resident:volunteer_register", None, "get"): MEMBER,
    ("resident:volunteer_leave", None, "post"): only(404, ["resident_user1"], 403),
    ("resident:volunteer_activity", "vol_activity", "get"): MEMBER,
    ("resident:volunteer_sign_up", "vol_activity", "post"): MEMBER_WRITE,
    ("resident:volunteer_withdraw", "vol_activity", "post"): MEMBER_WRITE,
    ("resident:volunteer_claim", "vol_post", "post"): MEMBER_WRITE,
    ("resident:volunteer_release", "vol_claim", "post"): MEMBER_WRITE,
    ("resident:volunteer_scan", "vol_scan", "get"): MEMBER,
    ("resident:volunteer_scan", "vol_scan", "post"): MEMBER_WRITE,
}


def _world(request):
    cached = getattr(request.node, "_volunteer_world", None)
    if cached is None:
        cached = build_world(request.getfixturevalue("tree"), request.getfixturevalue("people"))
        request.node._volunteer_world = cached
    return cached


ARGS = {
    "vol_pairing": lambda request: [_world(request).pairing.public_id],
    "vol_project": lambda request: [_world(request).project.public_id],
    "vol_member": lambda request: [_world(request).member.public_id],
    "vol_post": lambda request: [_world(request).post.public_id],
    "vol_claim": lambda request: [_world(request).claim.public_id],
    "vol_activity": lambda request: [_world(request).activity.public_id],
    "vol_record": lambda request: [_world(request).record.public_id],
    "vol_item": lambda request: [_world(request).item.public_id],
    "vol_scan": lambda request: [activity_token(_world(request).activity)],
}
