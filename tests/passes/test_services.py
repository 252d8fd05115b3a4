import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory
from xiachen.audit.models import AuditEvent
from xiachen.passes import services
from xiachen.passes.models import Pass, RevocationRequest
from xiachen.passes.rules import RulesError, diff_rules
from xiachen.passes.selectors import policy_in_force, unacknowledged_staff
from xiachen.passes.verification import verify_token


def test_issued_pass_verifies_on_the_server(pass1):
    verdict = verify_token(pass1.token)
    assert (verdict.valid, verdict.reason, verdict.pass_id) == (True, "valid", str(pass1.public_id))


def test_issue_pass_refuses_manager_of_other_community(people, resident1):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.issue_pass(by=people.manager2, resident=resident1, valid_from=now, valid_until=now + timedelta(days=1))


def test_verify_pass_command_prints_one_json_line(pass1):
    out = StringIO()
    call_command("verify_pass", pass1.token, stdout=out)
    line = json.loads(out.getvalue())
    assert line == {
        "valid": True,
        "reason": "valid",
        "pass_id": str(pass1.public_id),
        "key_id": pass1.key.key_id,
        "policy_version": None,
    }


def test_verify_pass_command_reads_standard_input(monkeypatch, db):
    monkeypatch.setattr("sys.stdin", StringIO("garbage\n"))
    out = StringIO()
    call_command("verify_pass", stdout=out)
    assert json.loads(out.getvalue())["reason"] == "malformed"


def test_rotated_key_keeps_old_passes_valid_during_overlap_then_not(pass1, people, tree):
    new_key = services.rotate_key(by=people.manager1, community=tree.community1, overlap=timedelta(days=7))
    assert verify_token(pass1.token).valid
    assert verify_token(pass1.token, at=timezone.now() + timedelta(days=8)).reason in {"unknown_key", "expired"}
    assert services.current_key(community=tree.community1) == new_key


def test_revoked_key_refuses_its_passes(pass1, people):
    services.revoke_key(by=people.manager1, key=pass1.key, reason="泄露")
    assert verify_token(pass1.token).reason == "key_revoked"


def test_revoking_up_to_ten_passes_is_immediate(pass1, people):
    assert services.revoke_passes(by=people.manager1, passes=[pass1], reason="搬离") == 1
    assert verify_token(pass1.token).reason == "pass_revoked"


def _many_passes(people, tree, count):
    now = timezone.now()
    household = HouseholdFactory(compound=tree.compound1)
    return [
        services.issue_pass(
            by=people.manager1,
            resident=ResidentFactory(household=household),
            valid_from=now,
            valid_until=now + timedelta(days=1),
        )
        for _ in range(count)
    ]


def test_revoking_more_than_ten_needs_a_second_approver(people, tree):
    passes = _many_passes(people, tree, 11)
    request = services.revoke_passes(by=people.manager1, passes=passes, reason="批量")
    assert isinstance(request, RevocationRequest)
    assert Pass.objects.filter(revoked_at__isnull=False).count() == 0
    with pytest.raises(services.PassError):
        services.decide_revocation(by=people.manager1, request=request, approve=True)
    other_manager = people.manager2
    other_manager.memberships.create(role="unit_manager", unit=tree.community1)
    other_manager.__dict__.pop("_xiachen_memberships", None)
    services.decide_revocation(by=other_manager, request=request, approve=True)
    assert Pass.objects.filter(revoked_at__isnull=False).count() == 11


def test_policy_versions_apply_by_effective_time_and_diff(tree, people, policy1):
    later = timezone.now() + timedelta(days=1)
    v2 = services.publish_policy(
        by=people.manager1,
        community=tree.community1,
        rules={"out_every_days": 3},
        effective_at=later,
        change_note="收紧",
    )
    assert policy_in_force(tree.community1, timezone.now()) == policy1
    assert policy_in_force(tree.community1, later + timedelta(minutes=1)) == v2
    assert ("out_every_days", 2, 3) in diff_rules(policy1.rules, v2.rules)
    assert v2.author == people.manager1 and v2.number == 2


def test_bad_rules_are_refused(tree, people):
    with pytest.raises(RulesError):
        services.publish_policy(
            by=people.manager1,
            community=tree.community1,
            rules={"hours": ["22:00", "06:00"]},
            effective_at=timezone.now(),
            change_note="x",
        )


def test_acknowledgement_removes_staff_from_pending(policy1, people):
    assert set(unacknowledged_staff(policy1)) == {people.worker1, people.cadre_user1}
    services.acknowledge_policy(by=people.worker1, version=policy1)
    assert list(unacknowledged_staff(policy1)) == [people.cadre_user1]
    assert AuditEvent.objects.filter(action="pass_policy.acknowledged").count() == 1


def test_pass_card_pdf_masks_the_name(client, people, pass1):
    client.force_login(people.manager1)
    response = client.get(f"/passes/{pass1.public_id}/card.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page = client.get(f"/passes/{pass1.public_id}/")
    assert pass1.resident.name not in page.content.decode() or len(pass1.resident.name) == 1


def test_resident_sees_own_pass_on_phone(client, people, pass1):
    client.force_login(people.resident_user1)
    response = client.get("/passes/mine/")
    assert response.status_code == 200
    assert "data:image/svg+xml;base64," in response.content.decode()
