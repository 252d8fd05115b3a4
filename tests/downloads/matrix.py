"""Permission matrix of background exports (merged by tests/accounts/test_permission_matrix.py).

The job is manager1's export of the household register: only its requester reaches it (404 for
everyone else, whatever their role). Asking for an export needs the list's own permission.
"""

from tests.accounts.test_permission_matrix import LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous}


HOUSEHOLD_VIEWERS = ["org_department", "manager1", "manager2", "worker1"]

MATRIX = {
    # Every staff member has a (possibly empty) list; residents use the resident site.
    ("downloads:list", None, "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    ("downloads:new", "download_kind", "post"): only(302, HOUSEHOLD_VIEWERS, 403),
    ("downloads:detail", "download_job", "get"): only(200, ["manager1"], 404),
    ("downloads:progress", "download_job", "get"): only(200, ["manager1"], 404),
    # Not built yet (queued): its requester is sent back to the job page with a message.
    ("downloads:file", "download_job", "get"): only(302, ["manager1"], 404),
}


def queued_job(request):
    from xiachen.downloads.enums import DownloadKindCode
    from xiachen.downloads.models import DownloadJob

    people = request.getfixturevalue("people")
    return DownloadJob.objects.create(kind=DownloadKindCode.HOUSEHOLDS, requested_by=people.manager1)


ARGS = {
    "download_kind": lambda request: ["households"],
    "download_job": lambda request: [queued_job(request).public_id],
}
