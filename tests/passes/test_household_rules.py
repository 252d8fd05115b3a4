"""每户外出间隔 and the other household rules on the server: the ingest re-check, the verifier behind
`verify-pass` and the gate's policy document agree with the corpus semantics (issue 16, items 6 and 8)."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import ResidentFactory
from tests.passes.vector_builder import build
from xiachen.errands import quarantine
from xiachen.passes import services
from xiachen.passes.ingest import ingest_scans
from xiachen.passes.models import Scan
from xiachen.passes.verification import verify_token


def _at(days_ago: int, hour: int, minute: int = 0) -> int:
    """Epoch seconds of a local (Shanghai) time `days_ago` days before today."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return int(timezone.make_aware(datetime.combine(day, datetime.min.time())).timestamp()) + hour * 3600 + minute * 60


def _out(by, gate, token, at, *, valid=True, reason="valid"):
    scan = {"client_uuid": str(uuid.uuid4()), "gate": str(gate.public_id), "scanned_at": at, "token": token,
            "direction": "out", "client_valid": valid, "client_reason": reason}
    ingest_scans(by=by, device_id="d1", scans=[scan])
    return Scan.objects.get(client_uuid=scan["client_uuid"])


@pytest.fixture
def sibling_pass(people, resident1):
    sibling = ResidentFactory(household=resident1.household)
    now = timezone.now()
    return services.issue_pass(by=people.manager1, resident=sibling, valid_from=now - timedelta(days=20),
                               valid_until=now + timedelta(days=20))


@pytest.fixture
def old_pass(people, resident1):
    now = timezone.now()
    return services.issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(days=20),
                               valid_until=now + timedelta(days=20))


def test_the_same_person_may_not_go_out_on_consecutive_days(people, tree, old_pass, policy1):
    """Every 2 days: the household's outing on day D refuses day D+1 too — for the same person."""
    assert _out(people.worker1, tree.compound1, old_pass.token, _at(5, 10)).server_reason == "valid"
    assert _out(people.worker1, tree.compound1, old_pass.token, _at(4, 10)).server_reason == "too_frequent"


def test_the_interval_counts_calendar_days_not_rolling_hours(people, tree, old_pass, sibling_pass, policy1):
    """Out at 20:00, again two calendar days later at 08:00 (36 h): allowed by "every 2 days"."""
    _out(people.worker1, tree.compound1, old_pass.token, _at(6, 20))
    assert _out(people.worker1, tree.compound1, sibling_pass.token, _at(4, 8)).server_reason == "valid"
    assert _out(people.worker1, tree.compound1, old_pass.token, _at(3, 23, 59)).server_reason == "too_frequent"


def test_verify_pass_applies_the_outings_like_the_gate(people, tree, old_pass, sibling_pass, policy1):
    _out(people.worker1, tree.compound1, old_pass.token, int(timezone.now().timestamp()) - 60)
    for token in (old_pass.token, sibling_pass.token):
        verdict = verify_token(token, gate=tree.compound1, direction="out")
        assert (verdict.valid, verdict.reason) == (False, "too_frequent")
    assert verify_token(old_pass.token, gate=tree.compound1, direction="in").reason == "valid"


def test_the_policy_document_sends_outings_in_the_shape_the_gate_verifier_reads(
    client, people, tree, old_pass, policy1
):
    _out(people.worker1, tree.compound1, old_pass.token, int(timezone.now().timestamp()) - 60)
    client.force_login(people.worker1)
    document = client.get(f"/api/passes/gates/{tree.compound1.public_id}/policy").json()
    corpus_keys = set(build()["recent_outs"][0])
    assert [set(out) for out in document["recent_outs"]] == [corpus_keys]
    assert document["recent_outs"][0]["pass_id"] == str(old_pass.public_id)
    assert set(document["rules"]) >= {"designated_only", "max_hours_out", "held_action"}
    assert document["held_passes"] == [] and document["designated_passes"] == []


def _quarantine(people, resident, kind="home_quarantine"):
    today = timezone.localdate()
    return quarantine.open_episode(by=people.manager1, resident=resident, kind=kind, start=today - timedelta(days=2),
                                   planned_end=today + timedelta(days=5))


def test_a_household_in_home_quarantine_is_refused_going_out(client, people, tree, old_pass, sibling_pass, policy1):
    episode = _quarantine(people, sibling_pass.resident)  # one member quarantined: the household stays home
    now = int(timezone.now().timestamp())
    scan = _out(people.worker1, tree.compound1, old_pass.token, now - 30)
    assert (scan.server_valid, scan.server_reason) == (False, "held")
    assert verify_token(old_pass.token, gate=tree.compound1, direction="out").reason == "held"
    client.force_login(people.worker1)
    held = client.get(f"/api/passes/gates/{tree.compound1.public_id}/policy").json()["held_passes"]
    assert sorted(held) == sorted([str(old_pass.public_id), str(sibling_pass.public_id)])  # ids, nothing else
    quarantine.end_episode(by=people.manager1, episode=episode)
    assert verify_token(old_pass.token, gate=tree.compound1, direction="out").reason == "valid"
    # the re-check of a scan taken while the episode ran still refuses it
    late_upload = _out(people.worker1, tree.compound1, old_pass.token, now - 20)
    assert late_upload.server_reason == "held"


def test_health_monitoring_holds_only_that_person(people, tree, old_pass, sibling_pass, policy1):
    _quarantine(people, sibling_pass.resident, kind="health_monitoring")
    assert verify_token(sibling_pass.token, gate=tree.compound1, direction="out").reason == "held"
    assert verify_token(old_pass.token, gate=tree.compound1, direction="out").reason == "valid"


def test_a_warning_policy_lets_a_held_person_out_with_an_amber_verdict(people, tree, old_pass, sibling_pass):
    services.publish_policy(by=people.manager1, community=tree.community1, effective_at=timezone.now() - timedelta(
        days=1), rules={"out_every_days": 0, "hours": ["00:00", "24:00"], "held_action": "warn"}, change_note="提醒")
    _quarantine(people, sibling_pass.resident)
    scan = _out(people.worker1, tree.compound1, old_pass.token, int(timezone.now().timestamp()) - 30,
                reason="held_warning")
    assert (scan.server_valid, scan.server_reason, scan.disagrees) == (True, "held_warning", False)


def test_only_the_designated_member_goes_out_when_the_policy_says_so(client, people, tree, old_pass, sibling_pass):
    services.publish_policy(by=people.manager1, community=tree.community1, effective_at=timezone.now() - timedelta(
        days=1), rules={"out_every_days": 0, "hours": ["00:00", "24:00"], "designated_only": True}, change_note="指定")
    assert verify_token(old_pass.token, gate=tree.compound1, direction="out").reason == "not_designated"
    client.force_login(people.manager1)
    household = old_pass.household
    response = client.post(f"/passes/households/{household.public_id}/outing-member/",
                           {"resident": str(old_pass.resident.public_id)})
    assert response.status_code == 302
    assert verify_token(old_pass.token, gate=tree.compound1, direction="out").reason == "valid"
    assert verify_token(sibling_pass.token, gate=tree.compound1, direction="out").reason == "not_designated"
    client.force_login(people.worker1)
    document = client.get(f"/api/passes/gates/{tree.compound1.public_id}/policy").json()
    assert document["designated_passes"] == [str(old_pass.public_id)]
    scan = _out(people.worker1, tree.compound1, sibling_pass.token, int(timezone.now().timestamp()) - 5)
    assert scan.server_reason == "not_designated"


def test_a_return_after_the_longest_outing_is_let_in_with_a_warning(people, tree, old_pass):
    services.publish_policy(by=people.manager1, community=tree.community1, effective_at=timezone.now() - timedelta(
        days=1), rules={"out_every_days": 0, "hours": ["00:00", "24:00"], "max_hours_out": 2}, change_note="时长")
    now = int(timezone.now().timestamp())
    _out(people.worker1, tree.compound1, old_pass.token, now - 3 * 3600)
    verdict = verify_token(old_pass.token, gate=tree.compound1, direction="in")
    assert (verdict.valid, verdict.reason) == (True, "overstayed")
