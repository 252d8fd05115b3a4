"""Permission matrix of the errands app (merged by tests/accounts/test_permission_matrix.py).

The round_match fixture there publishes cadre1 to community1, so cadre1 and worker1 are on duty in
compound1. The errand belongs to resident1's household and is assigned to cadre1; the episode is
resident1's, its visit assigned to cadre1; the supported resident is flagged in compound1.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from tests.accounts.test_permission_matrix import LOGGED_IN

ROLES_ALL = LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES_ALL} | {"anonymous": anonymous} | overrides


COMMUNITY_STAFF = ["manager1", "manager2", "worker1"]
WORKERS = ["manager1", "manager2", "worker1", "cadre_user1"]
LOCAL = ["manager1", "worker1"]

MATRIX = {
    ("errands:list", None, "get"): only(200, COMMUNITY_STAFF, 403),
    ("errands:mine", None, "get"): only(200, WORKERS, 403),
    ("errands:new", None, "get"): only(200, WORKERS, 403),
    ("errands:detail", "errand", "get"): only(200, [*LOCAL, "cadre_user1"], 404),
    # Only the assignee (cadre1) accepts; the local manager and worker see it but may not.
    ("errands:accept", "errand", "post"): only(403, [*LOCAL, "cadre_user1"], 404, cadre_user1=302),
    # The manager and the assignee may work it: a move the state refuses is a message (302).
    ("errands:start", "errand", "post"): only(302, ["manager1", "cadre_user1"], 404, worker1=403),
    ("errands:deliver", "errand", "post"): only(302, ["manager1", "cadre_user1"], 404, worker1=403),
    ("errands:cancel", "errand", "post"): only(403, [*LOCAL, "cadre_user1"], 404, manager1=302),
    ("errands:assign", "errand", "post"): only(403, [*LOCAL, "cadre_user1"], 404, manager1=302),
    ("errands:episodes", None, "get"): only(200, COMMUNITY_STAFF, 403),
    ("errands:episode_detail", "episode", "get"): only(200, LOCAL, 404),
    ("errands:episodes_due", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("errands:episode_lengths", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("errands:episode_extend", "episode", "post"): only(302, LOCAL, 404),
    ("errands:episode_end", "episode", "post"): only(302, LOCAL, 404),
    ("errands:episode_report", "episode", "post"): only(302, LOCAL, 404),
    ("errands:visits", None, "get"): only(200, WORKERS, 403),
    ("errands:visit_done", "visit", "post"): only(302, [*LOCAL, "cadre_user1"], 404),
    ("errands:support", None, "get"): only(200, COMMUNITY_STAFF, 403),
    ("errands:operations", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("errands:support_detail", "supported", "get"): only(200, LOCAL, 404),
    ("errands:support_record", "support_contact", "post"): only(302, LOCAL, 404),
}


def _errand(request):
    from xiachen.errands.models import Errand

    people = request.getfixturevalue("people")
    resident = request.getfixturevalue("resident1")
    return Errand.objects.create(
        household=resident.household, resident=resident, kind="groceries", details="大米",
        requested_by=people.resident_user1, submission_key=uuid.uuid4(), assignee=people.cadre_user1,
    )


def _episode(request):
    from xiachen.errands.models import QuarantineEpisode

    people = request.getfixturevalue("people")
    today = timezone.localdate()
    return QuarantineEpisode.objects.create(
        resident=request.getfixturevalue("resident1"), kind="home_quarantine", start=today,
        planned_end=today + timedelta(days=13), created_by=people.manager1,
    )


def _visit(request):
    from xiachen.errands.models import VisitTask

    people = request.getfixturevalue("people")
    return VisitTask.objects.create(episode=_episode(request), day=timezone.localdate(), assignee=people.cadre_user1)


def _supported(request):
    from tests.factories import HouseholdFactory, ResidentFactory

    tree = request.getfixturevalue("tree")
    return ResidentFactory(household=HouseholdFactory(compound=tree.compound1), vulnerabilities=["elderly_alone"])


def _support_contact(request):
    from xiachen.errands.models import SupportContact

    return SupportContact.objects.create(resident=_supported(request), kind="call", scheduled_for=timezone.localdate())


ARGS = {
    "errand": lambda request: [_errand(request).public_id],
    "episode": lambda request: [_episode(request).public_id],
    "visit": lambda request: [_visit(request).public_id],
    "supported": lambda request: [_supported(request).public_id],
    "support_contact": lambda request: [_support_contact(request).public_id],
}
