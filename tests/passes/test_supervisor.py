"""Supervisor screens: resolving disagreements (both verdicts kept), closing fever alerts with a note,
answering residents' correction requests; list pages with a query count independent of their size."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory
from xiachen.audit.models import AuditEvent
from xiachen.passes import checkpoint, services
from xiachen.passes.models import CorrectionRequest, Disagreement, FeverAlert, Scan


def _scan(tree, people, issued, **fields):
    now = timezone.now()
    return Scan.objects.create(
        **{
            "client_uuid": uuid.uuid4(),
            "device_id": "d1",
            "gate": tree.compound1,
            "gate_path": tree.compound1.path,
            "recorded_by": people.worker1,
            "scanned_at": now,
            "received_at": now,
            "pass_public_id": issued.public_id,
            "household_public_id": issued.household.public_id,
            "direction": "in",
            "temperature": "38.2",
            "client_valid": True,
            "client_reason": "valid",
            "server_valid": False,
            "server_reason": "pass_revoked",
        }
        | fields
    )


def test_resolving_a_disagreement_keeps_both_verdicts_and_records_the_decision(client, tree, people, pass1):
    scan = _scan(tree, people, pass1)
    disagreement = Disagreement.objects.create(scan=scan, gate_path=scan.gate_path)
    client.force_login(people.manager1)
    url = reverse("passes:disagreement_resolve", args=[disagreement.public_id])
    client.post(url, {"decision": "server", "note": ""})
    assert Disagreement.objects.get().resolved_at is None  # a note is required
    client.post(url, {"decision": "server", "note": "吊销在扫码前已生效"})
    disagreement.refresh_from_db()
    scan.refresh_from_db()
    assert (disagreement.decision, disagreement.note, disagreement.resolved_by) == (
        "server",
        "吊销在扫码前已生效",
        people.manager1,
    )
    assert (scan.client_valid, scan.client_reason, scan.server_valid, scan.server_reason) == (
        True,
        "valid",
        False,
        "pass_revoked",
    )
    assert AuditEvent.objects.filter(action="scan_disagreement.resolved", fields__decision="server").exists()
    client.post(url, {"decision": "device", "note": "改主意"})
    disagreement.refresh_from_db()
    assert disagreement.decision == "server"  # decided once


def test_closing_a_fever_alert_needs_a_follow_up_note(client, tree, people, pass1):
    scan = _scan(tree, people, pass1)
    alert = FeverAlert.objects.create(scan=scan, gate_path=scan.gate_path, temperature=scan.temperature)
    client.force_login(people.manager1)
    url = reverse("passes:fever_close", args=[alert.public_id])
    client.post(url, {"note": " "})
    assert FeverAlert.objects.get().status == "open"
    client.post(url, {"note": "已送发热门诊，核酸阴性"})
    alert.refresh_from_db()
    assert (alert.status, alert.follow_up_note, alert.closed_by) == (
        "closed",
        "已送发热门诊，核酸阴性",
        people.manager1,
    )
    assert AuditEvent.objects.filter(action="fever_alert.closed").count() == 1
    client.force_login(people.manager2)  # another community: not found
    assert client.post(url, {"note": "x"}).status_code == 404


def test_resident_files_a_correction_and_the_community_answers(client, tree, people, pass1, resident1):
    services.revoke_passes(by=people.manager1, passes=[pass1], reason="误填")
    scan = _scan(tree, people, pass1)
    client.force_login(people.resident_user1)
    url = reverse("resident:pass_correction")
    page = client.get(url).content.decode()
    assert f"pass:{pass1.public_id}" in page and f"scan:{scan.client_uuid}" in page
    assert client.post(url, {"subject_ref": f"pass:{pass1.public_id}", "message": "我没有外出"}).status_code == 302
    client.post(url, {"subject_ref": f"scan:{scan.client_uuid}", "message": "那天我不在家"})
    client.post(url, {"subject_ref": f"scan:{uuid.uuid4()}", "message": "别人的记录"})  # refused
    assert CorrectionRequest.objects.count() == 2
    assert AuditEvent.objects.filter(action="pass_correction.filed").count() == 2
    correction = CorrectionRequest.objects.get(subject="revocation")
    client.force_login(people.manager1)
    assert "我没有外出" in client.get(reverse("passes:corrections")).content.decode()
    client.post(reverse("passes:correction_answer", args=[correction.public_id]), {"answer": "已核实，重新签发"})
    correction.refresh_from_db()
    assert (correction.status, correction.answer, correction.answered_by) == (
        "answered",
        "已核实，重新签发",
        people.manager1,
    )
    assert AuditEvent.objects.filter(action="pass_correction.answered").exists()
    client.force_login(people.resident_user1)
    assert "已核实，重新签发" in client.get(url).content.decode()


def test_a_resident_cannot_file_about_another_households_scan(tree, people, pass1):
    other = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    scan = _scan(tree, people, pass1, household_public_id=other.household.public_id)
    with pytest.raises(services.PassError):
        services.file_correction(
            by=people.resident_user1, resident=people.resident_user1.resident, subject="scan", message="x", scan=scan
        )


def _fill(count, tree, people, resident1):
    now = timezone.now()
    for _i in range(count):
        issued = services.issue_pass(
            by=people.manager1,
            resident=ResidentFactory(household=resident1.household),
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=1),
        )
        scan = _scan(tree, people, issued)
        Disagreement.objects.create(scan=scan, gate_path=scan.gate_path)
        FeverAlert.objects.create(scan=scan, gate_path=scan.gate_path, temperature=scan.temperature)
        CorrectionRequest.objects.create(
            resident=resident1,
            community=tree.community1,
            community_path=tree.community1.path,
            subject="scan",
            scan=scan,
            message="x",
        )
        checkpoint.ingest_entries(
            by=people.worker1,
            device_id="d",
            entries=[
                {
                    "client_uuid": str(uuid.uuid4()),
                    "gate": str(tree.compound1.public_id),
                    "registered_at": int(now.timestamp()),
                    "name": "张三",
                    "phone": "13700001111",
                }
            ],
        )


PAGES = ["passes:list", "passes:scans", "passes:disagreements", "passes:fever", "passes:corrections"]


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_query_count_is_independent_of_size(client, tree, people, resident1, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.manager1)
    counts = []
    for size in (1, 2):  # 1 item, then 3 in all
        _fill(size, tree, people, resident1)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_checkpoint_search_query_count_is_independent_of_size(client, tree, people, resident1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.manager1)
    counts = []
    for size in (1, 2):
        _fill(size, tree, people, resident1)
        with CaptureQueriesContext(connection) as context:
            html = client.post(reverse("passes:checkpoint_search"), {"phone": "13700001111"}).content.decode()
        counts.append(len(context.captured_queries))
        assert html.count('id="phone-') == (1 if size == 1 else 3)
    assert counts[0] == counts[1]
