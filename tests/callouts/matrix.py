"""Permission matrix of the 应急动员, quarterly feedback and statistics pages (collected by
tests/accounts/test_permission_matrix.py). World: the 双报到 world (tests/volunteers/world.py) and a
call-out manager1 sent to community1 (resident1 invited). manager1 and the organization department
(city) call out; liaisons read their own agency's feedback; the reply link needs no login; the SMS
gateway's endpoint refuses an unsigned request."""

from datetime import timedelta

from django.utils import timezone

from tests.volunteers.matrix import LOGGED_IN, PAIRING_VIEWERS, _world, only
from xiachen.volunteers.feedback import quarter_of
from xiachen.volunteers.services import callouts
from xiachen.volunteers.tokens import invite_token

CALLERS = ["org_department", "manager1", "manager2"]
EVERYONE = {role: 200 for role in LOGGED_IN} | {"anonymous": 200}

MATRIX = {
    ("volunteers:callouts", None, "get"): only(200, CALLERS, 403),
    ("volunteers:callout_new", None, "get"): only(200, CALLERS, 403),
    ("volunteers:callout", "vol_callout", "get"): only(200, ["org_department", "manager1"], 404),
    ("volunteers:callout_progress", "vol_callout", "get"): only(200, ["org_department", "manager1"], 404),
    # no action chosen: sent back with a message
    ("volunteers:callout_move", "vol_callout", "post"): only(302, ["org_department", "manager1"], 404),
    # no shift chosen: sent back with a message
    ("volunteers:callout_roster", "vol_callout", "post"): only(302, ["org_department", "manager1"], 404),
    # the signed link is the credential: the same page for everybody
    ("volunteers:callout_reply", "vol_reply", "get"): EVERYONE,
    # no answer given: refused with a message (400), nothing recorded
    ("volunteers:callout_reply", "vol_reply", "post"): {role: 400 for role in EVERYONE},
    # unsigned: refused for everybody, signed in or not
    ("volunteers:callout_inbound_sms", None, "post"): {role: 401 for role in EVERYONE},
    ("volunteers:feedback", None, "get"): only(200, ["liaison1", "liaison2"], 403),
    ("volunteers:feedback_xlsx", "vol_feedback", "get"): only(403, [], 403, liaison1=200, liaison2=404),
    ("volunteers:feedback_pdf", "vol_feedback", "get"): only(403, [], 403, liaison1=200, liaison2=404),
    ("volunteers:stats", None, "get"): only(200, PAIRING_VIEWERS, 403),
}


def _call_out(request):
    cached = getattr(request.node, "_callout", None)
    if cached is None:
        world = _world(request)
        people, tree = request.getfixturevalue("people"), request.getfixturevalue("tree")
        start = timezone.now() + timedelta(days=1)
        cached = callouts.create_call_out(by=people.manager1, area=tree.community1, title="防汛值守", need="沿江巡查",
                                          headcount=1, starts_at=start,
                                          reply_deadline=timezone.now() + timedelta(hours=2))
        callouts.send_call_out(by=people.manager1, call_out=cached)
        assert cached.invites.get().member == world.member
        request.node._callout = cached
    return cached


ARGS = {
    "vol_callout": lambda request: [_call_out(request).public_id],
    "vol_reply": lambda request: [invite_token(_call_out(request).invites.get())],
    "vol_feedback": lambda request: [request.getfixturevalue("tree").agency1.public_id,
                                     quarter_of(timezone.localdate()).code],
}
