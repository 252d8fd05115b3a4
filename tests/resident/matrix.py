"""Permission matrix of the resident site (merged by tests/accounts/test_permission_matrix.py).

Resident pages: anonymous visitors go to the resident sign-in (302), signed-in users without a
resident record get 403. The sign-in pages are open to everyone.
"""

import uuid

from tests.accounts.test_permission_matrix import LOGGED_IN


def resident_only(status: int, anonymous: int = 302) -> dict[str, int]:
    return {role: 403 for role in LOGGED_IN} | {"resident_user1": status, "anonymous": anonymous}


MATRIX = {
    ("resident:login", None, "get"): {role: 200 for role in LOGGED_IN} | {"anonymous": 200},
    # No phone number given yet: back to the first step.
    ("resident:verify", None, "get"): {role: 302 for role in LOGGED_IN} | {"anonymous": 302},
    ("resident:logout", None, "post"): {role: 302 for role in LOGGED_IN} | {"anonymous": 302},
    # The 长辈模式 switch is a cookie, for anyone (also before signing in): back to the page.
    ("resident:elder_mode", None, "post"): {role: 302 for role in LOGGED_IN} | {"anonymous": 302},
    ("resident:home", None, "get"): resident_only(200),
    ("resident:errands", None, "get"): resident_only(200),
    ("resident:errand_new", None, "get"): resident_only(200),
    ("resident:errand_detail", "resident_errand", "get"): resident_only(200),
    # A move the errand's state refuses (confirm a requested errand, rate without a score) is a message.
    ("resident:errand_confirm", "resident_errand", "post"): resident_only(302),
    ("resident:errand_rate", "resident_errand", "post"): resident_only(302),
    ("resident:errand_cancel", "resident_errand", "post"): resident_only(302),
    ("resident:return_new", None, "get"): resident_only(200),
    # No active episode: back to the home page with a message.
    ("resident:health_report", None, "get"): resident_only(302),
    ("resident:notices", None, "get"): resident_only(200),
    ("resident:notice_detail", "resident_notice", "get"): resident_only(200),
    ("resident:notice_attachment", "resident_notice_attachment", "get"): resident_only(200),
    ("resident:surveys", None, "get"): resident_only(200),
    ("resident:survey_answer", "resident_survey", "get"): resident_only(200),
    ("resident:pass_correction", None, "get"): resident_only(200),
}


def _errand(request):
    from xiachen.errands.models import Errand

    people = request.getfixturevalue("people")
    resident = request.getfixturevalue("resident1")
    return Errand.objects.create(
        household=resident.household, resident=resident, kind="meal", details="午餐",
        requested_by=people.resident_user1, submission_key=uuid.uuid4(),
    )


def _notice(request):
    from tests.notices.matrix import publish

    return publish(request)


def _survey(request):
    from tests.surveys.matrix import open_survey

    return open_survey(request)


ARGS = {
    "resident_errand": lambda request: [_errand(request).public_id],
    "resident_notice": lambda request: [_notice(request).public_id],
    "resident_notice_attachment": lambda request: [_notice(request).attachments.get().public_id],
    "resident_survey": lambda request: [_survey(request).public_id],
}
