"""Policy URLs × roles for tests/accounts/test_permission_matrix.py.

A document of agency1 (liaison1's agency) with one version carrying an attachment, and one feedback
item filed by cadre1 with a photo. Documents, versions, feedback and the ledger are open to all staff;
residents get 403. The author's photo only to the author, agency1's liaison and the organization
department (others 404).
"""

import io
from datetime import date

from django.core.files.base import ContentFile
from PIL import Image

from xiachen.core.models import Holiday
from xiachen.policies.models import FeedbackPhoto, VersionAttachment

from .builders import make_document, make_feedback

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]
STAFF = [role for role in ROLES if role != "resident_user1"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous} | overrides


def _built(request):
    cached = getattr(request, "_policy_matrix", None)
    if cached is None:
        tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
        request.getfixturevalue("cadre1")
        document, version = make_document(tree, people)
        attachment = VersionAttachment.objects.create(version=version, title="附件一",
                                                      file=ContentFile(b"%PDF-1.4 test", name="a.pdf"))
        item = make_feedback(version, people.cadre_user1)
        buffer = io.BytesIO()
        Image.new("RGB", (2, 2)).save(buffer, "PNG")
        photo = FeedbackPhoto.objects.create(item=item, image=ContentFile(buffer.getvalue(), name="p.png"))
        Holiday.objects.get_or_create(date=date(2026, 10, 1), defaults={"name": "国庆节"})
        cached = request._policy_matrix = {"document": document, "version": version, "attachment": attachment,
                                           "item": item, "photo": photo}
    return cached


ARGS = {
    "policy_document": lambda request: [_built(request)["document"].public_id],
    "policy_version": lambda request: [_built(request)["version"].public_id],
    "policy_attachment": lambda request: [_built(request)["attachment"].public_id],
    "policy_feedback": lambda request: [_built(request)["item"].public_id],
    "policy_photo": lambda request: [_built(request)["photo"].public_id],
    "policy_holiday": lambda request: [_built(request) and "2026-10-01"],
}

FILERS = ["worker1", "cadre_user1"]
MANAGERS_OF_AGENCY1 = ["org_department", "liaison1"]

MATRIX = {
    ("policies:documents", None, "get"): only(200, STAFF, 403),
    ("policies:document_new", None, "get"): only(200, ["org_department", "liaison1", "liaison2"], 403),
    ("policies:document_detail", "policy_document", "get"): only(200, STAFF, 403),
    ("policies:version_new", "policy_document", "get"): only(200, MANAGERS_OF_AGENCY1, 403),
    ("policies:version_detail", "policy_version", "get"): only(200, STAFF, 403),
    ("policies:feedback_new", "policy_version", "get"): only(200, FILERS, 403),
    ("policies:attachment", "policy_attachment", "get"): only(200, STAFF, 403),
    ("policies:my_feedback", None, "get"): only(200, FILERS, 403),
    ("policies:inbox", None, "get"): only(200, ["liaison1", "liaison2"], 403),
    ("policies:feedback_detail", "policy_feedback", "get"): only(200, STAFF, 403),
    # liaison1 sent no answer (form invalid) and liaison2 is refused with a message: both redirected back
    ("policies:feedback_answer", "policy_feedback", "post"): only(302, ["liaison1", "liaison2"], 403),
    ("policies:feedback_photo", "policy_photo", "get"): only(200, ["org_department", "liaison1", "cadre_user1"], 404),
    ("policies:ledger", None, "get"): only(200, STAFF, 403),
    ("policies:holidays", None, "get"): only(200, ["org_department"], 403),
    ("policies:holiday_delete", "policy_holiday", "post"): only(302, ["org_department"], 403),
}
