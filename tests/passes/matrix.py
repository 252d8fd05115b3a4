"""Permission matrix rows for passes/ pages and the /api/passes/ operations (see tests/accounts)."""

import uuid
from datetime import timedelta

from django.utils import timezone

from tests.accounts.test_permission_matrix import expect, only
from xiachen.passes import services
from xiachen.passes.models import CheckpointEntry, CorrectionRequest, Disagreement, FeverAlert, RevocationRequest, Scan

MANAGERS = ["manager1", "manager2"]
GATE_STAFF = ["worker1", "cadre_user1"]


def _objects(request):
    """One pass, one policy version and one pending bulk revocation in community1, built once per test."""
    node = request.node
    if not hasattr(node, "_passes_objects"):
        tree, people, resident1 = (request.getfixturevalue(n) for n in ("tree", "people", "resident1"))
        now = timezone.now()
        issued = services.issue_pass(
            by=people.manager1,
            resident=resident1,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=7),
        )
        version = services.publish_policy(
            by=people.manager1,
            community=tree.community1,
            rules={},
            effective_at=now - timedelta(hours=1),
            change_note="矩阵",
        )
        pending = RevocationRequest.objects.create(
            community=tree.community1,
            community_path=tree.community1.path,
            pass_ids=[str(issued.public_id)] * 11,
            reason="矩阵",
            requested_by=people.manager1,
        )
        scan = Scan.objects.create(
            client_uuid=uuid.uuid4(),
            device_id="matrix",
            gate=tree.compound1,
            gate_path=tree.compound1.path,
            recorded_by=people.worker1,
            scanned_at=now,
            received_at=now,
            pass_public_id=issued.public_id,
            household_public_id=resident1.household.public_id,
            direction="in",
            temperature="38.1",
            client_valid=True,
            client_reason="valid",
            server_valid=False,
            server_reason="fever",
        )
        disagreement = Disagreement.objects.create(scan=scan, gate_path=scan.gate_path)
        alert = FeverAlert.objects.create(scan=scan, gate_path=scan.gate_path, temperature=scan.temperature)
        entry = CheckpointEntry.objects.create(
            client_uuid=uuid.uuid4(),
            device_id="matrix",
            gate=tree.compound1,
            gate_path=tree.compound1.path,
            recorded_by=people.worker1,
            registered_at=now,
            received_at=now,
            name="王访客",
            phone="13800000000",
        )
        correction = CorrectionRequest.objects.create(
            resident=resident1,
            community=tree.community1,
            community_path=tree.community1.path,
            subject="scan",
            scan=scan,
            message="矩阵",
        )
        node._passes_objects = {
            "pass": issued,
            "policy": version,
            "request": pending,
            "tree": tree,
            "disagreement": disagreement,
            "alert": alert,
            "entry": entry,
            "correction": correction,
        }
    return node._passes_objects


ARGS = {
    "pass1": lambda request: [_objects(request)["pass"].public_id],
    "policy1": lambda request: [_objects(request)["policy"].public_id],
    "revocation1": lambda request: [_objects(request)["request"].public_id],
    "key1": lambda request: [_objects(request)["pass"].key.key_id],
    "compound1": lambda request: [_objects(request)["tree"].compound1.public_id],
    "pass1_household": lambda request: [_objects(request)["pass"].household.public_id],
    "disagreement1": lambda request: [_objects(request)["disagreement"].public_id],
    "fever1": lambda request: [_objects(request)["alert"].public_id],
    "correction1": lambda request: [_objects(request)["correction"].public_id],
    "checkpoint1_phone": lambda request: [_objects(request)["entry"].public_id, "phone"],
}

MATRIX = {
    ("passes:list", None, "get"): only(200, [*MANAGERS, "worker1"], 403),
    ("passes:issue", None, "get"): only(200, MANAGERS, 403),
    ("passes:mine", None, "get"): only(200, ["resident_user1"], 404),
    ("passes:revoke", None, "get"): only(200, MANAGERS, 403),
    ("passes:revocations", None, "get"): only(200, MANAGERS, 403),
    ("passes:revocation_decide", "revocation1", "post"): only(302, ["manager1"], 404),
    ("passes:policies", None, "get"): only(200, ["org_department", *MANAGERS, *GATE_STAFF], 403),
    ("passes:policy_new", None, "get"): only(200, [*MANAGERS, "org_department"], 403),
    ("passes:policy_detail", "policy1", "get"): only(200, ["org_department", "manager1", *GATE_STAFF], 404),
    ("passes:outing_member", "pass1_household", "post"): only(302, ["manager1"], 404)
    | {"org_department": 403, "worker1": 403},
    ("passes:policy_acknowledge", "policy1", "post"): only(302, GATE_STAFF, 404)
    | {"org_department": 403, "manager1": 403},
    ("passes:keys", None, "get"): only(200, MANAGERS, 403),
    ("passes:key_rotate", None, "post"): only(404, MANAGERS, 403),
    ("passes:key_revoke", "key1", "post"): only(302, ["manager1"], 404),
    ("passes:scans", None, "get"): only(200, MANAGERS, 403),
    ("passes:disagreements", None, "get"): only(200, MANAGERS, 403),
    ("passes:fever", None, "get"): only(200, MANAGERS, 403),
    # empty POSTs: the service refuses (no decision / note / answer) with a message and a redirect
    ("passes:disagreement_resolve", "disagreement1", "post"): only(302, ["manager1"], 404),
    ("passes:fever_close", "fever1", "post"): only(302, ["manager1"], 404),
    ("passes:corrections", None, "get"): only(200, MANAGERS, 403),
    ("passes:correction_answer", "correction1", "post"): only(302, ["manager1"], 404),
    ("passes:checkpoint_search", None, "get"): only(200, MANAGERS, 403),
    ("passes:checkpoint_reveal", "checkpoint1_phone", "post"): only(200, ["manager1"], 404),
    # 流调 (ADR 2011): unit managers in their subtree; an empty export names no one
    ("passes:tracing", None, "get"): only(200, MANAGERS, 403),
    ("passes:tracing_export", None, "post"): only(404, MANAGERS, 403),
    ("passes:detail", "pass1", "get"): only(200, ["manager1", "worker1"], 404),
    ("passes:card", "pass1", "get"): only(200, ["manager1", "worker1"], 404),
    ("api:trust_list", "compound1", "get"): only(200, GATE_STAFF, 404, anonymous=401),
    ("api:revocations", "compound1", "get"): only(200, GATE_STAFF, 404, anonymous=401),
    ("api:policy", "compound1", "get"): only(200, GATE_STAFF, 404, anonymous=401),
    ("api:manual_lookup", "compound1", "get"): expect(422, anonymous=401),
    ("api:upload_scans", None, "post"): expect(415, anonymous=401),
    ("api:verify_pass", None, "post"): expect(415, anonymous=401),
    ("api:upload_checkpoint", None, "post"): expect(415, anonymous=401),
    ("api:list_scans", None, "get"): expect(200, anonymous=401),
}
