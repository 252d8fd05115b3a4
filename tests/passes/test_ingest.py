"""Batch ingest: idempotent on client UUIDs, re-verified, disagreements kept, fever alerts, bad scans reported."""

import math
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import ResidentFactory
from tests.passes.concurrency import upload_both_ways_at_once
from xiachen.notices.models import Notification
from xiachen.passes import services
from xiachen.passes.ingest import ingest_scans
from xiachen.passes.models import Disagreement, FeverAlert, Scan


def _scan(gate, token, *, at, valid=True, reason="valid", direction="in", temperature=None):
    return {
        "client_uuid": str(uuid.uuid4()),
        "gate": str(gate.public_id),
        "scanned_at": at,
        "token": token,
        "direction": direction,
        "temperature": temperature,
        "client_valid": valid,
        "client_reason": reason,
    }


def test_sync_of_10000_scans_from_20_devices_loses_and_duplicates_nothing(tree, people, pass1, policy1):
    rng = random.Random(5)
    now = int(timezone.now().timestamp())
    devices = {}
    wrong = set()
    for device in range(20):
        scans = []
        for _i in range(500):
            stale = rng.random() < 0.02
            scan = _scan(
                tree.compound1,
                pass1.token,
                at=now - rng.randint(0, 3000),
                valid=not stale,
                reason="expired" if stale else "valid",
            )
            if stale:
                wrong.add(scan["client_uuid"])
            scans.append(scan)
        devices[f"device-{device}"] = scans
    uploads = []
    for device, scans in devices.items():
        batches = [scans[i : i + 100] for i in range(0, len(scans), 100)]
        for batch in batches:
            uploads.append((device, batch))
            if rng.random() < 0.3:  # a retry after a lost response
                uploads.append((device, list(batch)))
            if rng.random() < 0.2:  # a reload mid-upload re-sends part of the queue
                uploads.append((device, batch[: rng.randint(1, len(batch))] + batch))
    rng.shuffle(uploads)  # reordered across and within devices
    for device, batch in uploads:
        ingest_scans(by=people.worker1, device_id=device, scans=batch)
    sent = {s["client_uuid"] for scans in devices.values() for s in scans}
    stored = set(map(str, Scan.objects.values_list("client_uuid", flat=True)))
    assert Scan.objects.count() == 10_000
    assert stored == sent
    assert set(map(str, Disagreement.objects.values_list("scan_id", flat=True))) == wrong


def test_batch_with_bad_scans_stores_the_good_ones_and_reports_each_bad_one(tree, people, pass1):
    now = int(timezone.now().timestamp())
    good = _scan(tree.compound1, pass1.token, at=now)
    bad = [
        {"client_uuid": "not-a-uuid", "gate": str(tree.compound1.public_id), "scanned_at": now, "direction": "in"},
        _scan(tree.compound2, pass1.token, at=now),  # not this user's gate
        _scan(tree.compound1, pass1.token, at=now) | {"direction": "sideways"},
        _scan(tree.compound1, pass1.token, at=now) | {"temperature": 99},
        "garbage",
    ]
    results = ingest_scans(by=people.worker1, device_id="d1", scans=[good, *bad])
    assert [r["status"] for r in results] == ["stored"] + ["rejected"] * 5
    assert [r["error"] for r in results[1:]] == [
        "bad_field",
        "unknown_gate",
        "bad_field",
        "bad_temperature",
        "not_an_object",
    ]
    assert Scan.objects.count() == 1


def test_garbage_token_is_stored_as_an_invalid_scan(tree, people):
    now = int(timezone.now().timestamp())
    scan = _scan(tree.compound1, "XC1:garbage", at=now, valid=False, reason="truncated")
    assert ingest_scans(by=people.worker1, device_id="d1", scans=[scan])[0]["status"] == "stored"
    stored = Scan.objects.get()
    assert (stored.server_valid, stored.server_reason, stored.disagrees) == (False, "truncated", False)


def test_fever_creates_alert_and_notifies_the_community_manager(tree, people, pass1, policy1):
    now = int(timezone.now().timestamp())
    scan = _scan(tree.compound1, pass1.token, at=now, valid=False, reason="fever", temperature=38.2)
    ingest_scans(by=people.worker1, device_id="d1", scans=[scan])
    assert str(FeverAlert.objects.get().temperature) == "38.2"
    assert Notification.objects.filter(recipient=people.manager1, kind="fever_alert").count() == 1
    assert Notification.objects.filter(recipient=people.manager2).count() == 0


def test_server_recheck_uses_household_outings_and_records_disagreement(tree, people, pass1, policy1, resident1):
    sibling = ResidentFactory(household=resident1.household)
    other = services.issue_pass(
        by=people.manager1,
        resident=sibling,
        valid_from=timezone.now() - timedelta(hours=1),
        valid_until=timezone.now() + timedelta(days=1),
    )
    now = int(timezone.now().timestamp())
    first = _scan(tree.compound1, pass1.token, at=now - 600, direction="out")
    second = _scan(tree.compound1, other.token, at=now, direction="out")  # offline device said valid
    ingest_scans(by=people.worker1, device_id="d1", scans=[second])
    ingest_scans(by=people.cadre_user1, device_id="d2", scans=[first])
    assert Scan.objects.get(client_uuid=second["client_uuid"]).server_reason == "valid"
    third = _scan(tree.compound1, other.token, at=now + 60, direction="out")
    earlier = _scan(tree.compound1, pass1.token, at=now - 30, direction="out")
    ingest_scans(by=people.worker1, device_id="d1", scans=[earlier, third])
    assert Scan.objects.get(client_uuid=third["client_uuid"]).server_reason == "too_frequent"
    assert Disagreement.objects.filter(scan_id=third["client_uuid"]).exists()


def test_a_device_clock_reset_to_1970_loses_no_scans_and_the_times_are_corrected(tree, people, pass1, policy1):
    device_now = 86_400 * 3  # the phone believes it is 4 January 1970
    scans = [_scan(tree.compound1, pass1.token, at=device_now - 600, valid=False, reason="not_yet_valid")]
    results = ingest_scans(by=people.worker1, device_id="d1", scans=scans, device_time=device_now)
    assert results[0]["status"] == "stored"
    stored = Scan.objects.get()
    offset = stored.received_at - datetime.fromtimestamp(device_now, tz=UTC)  # server clock at receipt − device's
    assert stored.clock_offset == math.floor(offset.total_seconds())  # whole seconds
    assert stored.scanned_at == datetime.fromtimestamp(device_now - 600 + stored.clock_offset, tz=UTC)
    # re-checked at the corrected time, the pass was valid: the device's verdict is kept as a disagreement
    assert (stored.server_valid, stored.server_reason) == (True, "valid")
    assert Disagreement.objects.filter(scan_id=stored.client_uuid).exists()


def test_a_clock_within_two_minutes_is_taken_as_it_is(tree, people, pass1, policy1):
    now = int(timezone.now().timestamp())
    scan = _scan(tree.compound1, pass1.token, at=now - 300)
    ingest_scans(by=people.worker1, device_id="d1", scans=[scan], device_time=now + 90)
    stored = Scan.objects.get()
    assert (stored.clock_offset, int(stored.scanned_at.timestamp())) == (0, now - 300)


def test_without_the_device_clock_a_scan_from_1970_is_refused_not_stored(tree, people, pass1, policy1):
    results = ingest_scans(by=people.worker1, device_id="d1", scans=[_scan(tree.compound1, pass1.token, at=3600)])
    assert (results[0]["status"], results[0]["error"]) == ("rejected", "bad_field")
    assert Scan.objects.count() == 0


def test_the_upload_endpoint_applies_the_device_clock(client, tree, people, pass1, policy1):
    import json

    client.force_login(people.worker1)
    now = int(timezone.now().timestamp())
    skew = 5 * 86_400  # five days ahead
    body = {"device_id": "d9", "device_time": now + skew, "scans": [_scan(tree.compound1, pass1.token, at=now + skew)]}
    response = client.post("/api/passes/scans", json.dumps(body), content_type="application/json")
    assert response.json()["results"][0]["status"] == "stored"
    stored = Scan.objects.get()
    # taken at the moment the device sent it (its clock five days ahead): the server's receipt time,
    # to the second below
    assert stored.scanned_at == stored.received_at.replace(microsecond=0)
    assert stored.clock_offset == math.floor(stored.received_at.timestamp() - (now + skew))


def test_an_upload_is_audited_once_with_what_it_stored(tree, people, pass1, policy1):
    from xiachen.audit.models import AuditEvent

    now = int(timezone.now().timestamp())
    scans = [_scan(tree.compound1, pass1.token, at=now - i) for i in range(3)]
    ingest_scans(by=people.worker1, device_id="d7", scans=scans)
    event = AuditEvent.objects.get(action="scans.ingested")
    assert (event.actor_id, event.fields) == (people.worker1.pk, {"count": 3, "device": "d7"})
    ingest_scans(by=people.worker1, device_id="d7", scans=scans)  # all duplicates: nothing new, no audit
    assert AuditEvent.objects.filter(action="scans.ingested").count() == 1
    ingest_scans(by=people.worker1, device_id="d7", scans=[*scans, _scan(tree.compound1, pass1.token, at=now)])
    assert list(AuditEvent.objects.filter(action="scans.ingested").values_list("fields", flat=True)) == [
        {"count": 3, "device": "d7"},
        {"count": 1, "device": "d7"},  # only the scan this upload added
    ]


def test_a_failed_upload_leaves_neither_scans_nor_an_audit_line(tree, people, pass1, policy1, monkeypatch):
    from xiachen.audit import services as audit
    from xiachen.audit.models import AuditEvent

    def broken_audit(**_kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken_audit)
    scan = _scan(tree.compound1, pass1.token, at=int(timezone.now().timestamp()))
    with pytest.raises(RuntimeError):
        ingest_scans(by=people.worker1, device_id="d7", scans=[scan])
    assert (Scan.objects.count(), AuditEvent.objects.filter(action="scans.ingested").count()) == (0, 0)


def test_free_text_with_tabs_newlines_backslashes_and_nul_is_stored_exactly(tree, people, pass1, policy1):
    now = int(timezone.now().timestamp())
    scan = _scan(tree.compound1, pass1.token, at=now) | {
        "client_reason": "a\tb\\n\nc",
        "manual_reason": "line 1\r\nline\t2 \\N \x00end",
    }
    results = ingest_scans(by=people.worker1, device_id="dev\t\\1\n", scans=[scan])
    assert results[0]["status"] == "stored"
    stored = Scan.objects.get()
    assert (stored.device_id, stored.client_reason, stored.manual_reason) == (
        "dev\t\\1\n",
        "a\tb\\n\nc",
        "line 1\r\nline\t2 \\N end",  # NUL dropped: PostgreSQL text cannot hold it
    )
    assert stored.method == "manual"


def test_a_scan_sent_with_an_uppercase_or_braced_uuid_is_stored_under_its_canonical_form(tree, people, pass1):
    now = int(timezone.now().timestamp())
    canonical = str(uuid.uuid4())
    first = _scan(tree.compound1, pass1.token, at=now) | {"client_uuid": canonical.upper()}
    again = _scan(tree.compound1, pass1.token, at=now) | {"client_uuid": "{" + canonical + "}"}
    results = ingest_scans(by=people.worker1, device_id="d1", scans=[first, again])
    assert [(r["client_uuid"], r["status"]) for r in results] == [(canonical, "stored"), (canonical, "duplicate")]
    assert [r["status"] for r in ingest_scans(by=people.worker1, device_id="d1", scans=[first])] == ["duplicate"]
    assert str(Scan.objects.get().client_uuid) == canonical


def test_the_upload_endpoint_refuses_a_bad_envelope_with_a_reason_and_stores_nothing(client, tree, people, pass1):
    import json

    client.force_login(people.worker1)
    good = _scan(tree.compound1, pass1.token, at=int(timezone.now().timestamp()))

    def post(body: str) -> tuple[int, str]:
        response = client.post("/api/passes/scans", body, content_type="application/json")
        return response.status_code, response.json().get("detail", "")

    assert post("{not json") == (400, "invalid JSON")
    assert post(json.dumps([good])) == (422, "a JSON object is required")
    assert post(json.dumps({"scans": [good]}))[0] == 422  # no device_id
    assert post(json.dumps({"device_id": "x" * 41, "scans": [good]}))[0] == 422
    assert post(json.dumps({"device_id": "d", "device_time": "soon", "scans": [good]}))[0] == 422
    assert post(json.dumps({"device_id": "d", "device_time": True, "scans": [good]}))[0] == 422
    assert post(json.dumps({"device_id": "d", "scans": {"0": good}}))[0] == 422
    assert post(json.dumps({"device_id": "d", "scans": [good] * 1001})) == (
        422,
        "scans: a list of at most 1000 scans is required",
    )
    assert Scan.objects.count() == 0


def test_one_bad_scan_in_an_upload_is_reported_alone(client, tree, people, pass1):
    import json

    client.force_login(people.worker1)
    now = int(timezone.now().timestamp())
    good = _scan(tree.compound1, pass1.token, at=now)
    oversize = _scan(tree.compound1, "X" * 5000, at=now, valid=False, reason="oversize")
    no_time = _scan(tree.compound1, pass1.token, at=now) | {"scanned_at": None}
    body = {"device_id": "d1", "scans": [good, oversize, no_time]}
    response = client.post("/api/passes/scans", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert [(r["status"], r["error"]) for r in response.json()["results"]] == [
        ("stored", ""),
        ("stored", ""),  # kept as an invalid scan: the server's verdict says why
        ("rejected", "bad_field"),
    ]
    assert Scan.objects.get(client_uuid=oversize["client_uuid"]).server_reason == "malformed"


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_scans_at_once_store_each_scan_once(tree, people, pass1, policy1):
    """Both uploads hold the same 300 scans (one second: ties broken by UUID), in opposite orders, on
    their own connections: the second waits on the first's rows, then stores nothing and says so."""
    from collections import Counter

    now = int(timezone.now().timestamp())
    scans = [_scan(tree.compound1, pass1.token, at=now) for _ in range(300)]
    results, errors = upload_both_ways_at_once(
        lambda device, batch: ingest_scans(by=people.worker1, device_id=device, scans=batch), scans
    )
    assert errors == []
    assert Counter(r["status"] for r in results["a"] + results["b"]) == {"stored": 300, "duplicate": 300}
    assert Scan.objects.count() == 300
