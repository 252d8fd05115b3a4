"""Permission matrix of community notices (merged by tests/accounts/test_permission_matrix.py).

The notice is published by manager1 to compound1 and its on-duty staff: the round_match fixture
there publishes cadre1 to community1, so cadre1 and worker1 hold staff receipts; resident1 holds a
resident receipt. manager2 (another community) sees nothing of it.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.accounts.test_permission_matrix import LOGGED_IN


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous}


READERS = ["manager1", "worker1", "cadre_user1"]

MATRIX = {
    ("notices:community", None, "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    ("notices:community_new", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("notices:community_detail", "notice", "get"): only(200, READERS, 404),
    ("notices:attachment", "notice_attachment", "get"): only(200, READERS, 404),
    ("notices:preferences", None, "get"): only(200, LOGGED_IN, 200) | {"resident_user1": 403},
    ("notices:preferences", None, "post"): only(302, LOGGED_IN, 302) | {"resident_user1": 403},
    ("notices:dead_letters", None, "get"): only(200, ["sysadmin"], 403),
    ("notices:dead_letter_retry", "dead_letter", "post"): only(302, ["sysadmin"], 403),
    ("notices:dead_letter_discard", "dead_letter", "post"): only(302, ["sysadmin"], 403),
}


def publish(request):
    from xiachen.notices.community import publish_notice

    people = request.getfixturevalue("people")
    tree = request.getfixturevalue("tree")
    request.getfixturevalue("round_match")
    return publish_notice(
        by=people.manager1, title="停水通知", body="明日 9 点至 12 点停水。", compounds=[tree.compound1],
        attachments=[("通知原件", SimpleUploadedFile("notice.txt", b"water", content_type="text/plain"))],
    )


def dead_letter(request):
    from xiachen.notices.enums import OutboxStatus
    from xiachen.notices.models import OutboxMessage
    from xiachen.notices.services import notify

    people = request.getfixturevalue("people")
    [notification] = notify(recipients=[people.manager1], kind="community_notice", title="停水通知")
    OutboxMessage.objects.filter(notification=notification).update(status=OutboxStatus.DEAD, error="aliyun isv.X")
    return OutboxMessage.objects.filter(notification=notification).first()


ARGS = {
    "dead_letter": lambda request: [dead_letter(request).public_id],
    "notice": lambda request: [publish(request).public_id],
    "notice_attachment": lambda request: [publish(request).attachments.get().public_id],
}
