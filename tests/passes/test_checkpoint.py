"""Checkpoint registration (卡口登记): idempotent batch ingest, encrypted + masked, audited search and
reveal for contact tracing, purge after the retention period (simulated clock) keeping aggregates."""

import json
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.passes.concurrency import upload_both_ways_at_once
from xiachen.audit.models import AuditEvent
from xiachen.core import crypto
from xiachen.core.personal_data import registered
from xiachen.passes import checkpoint
from xiachen.passes.models import CheckpointEntry
from xiachen.passes.personal_data import CHECKPOINT_RETENTION_DAYS

PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"


def _entry(gate, *, at=None, **fields):
    return {
        "client_uuid": str(uuid.uuid4()),
        "gate": str(gate.public_id),
        "registered_at": at or int(timezone.now().timestamp()),
        "name": "李四",
        "phone": PHONE,
        "id_number": ID_NUMBER,
        "coming_from": "武昌站",
        "going_to": "幸福小区",
        "temperature": 36.6,
        "reason": "探亲",
    } | fields


def test_upload_is_idempotent_encrypted_and_reports_bad_entries(client, tree, people, policy1):
    client.force_login(people.worker1)
    good = _entry(tree.compound1)
    fever = _entry(tree.compound1, temperature=38.0, phone="13912340000")
    bad = [_entry(tree.compound1, name=""), _entry(tree.compound2), _entry(tree.compound1, temperature=99)]
    body = {"device_id": "d1", "entries": [good, fever, good, *bad]}
    url = "/api/passes/checkpoint"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    statuses = [(r["status"], r["error"]) for r in response.json()["results"]]
    assert statuses == [
        ("stored", ""),
        ("stored", ""),
        ("duplicate", ""),
        ("rejected", "name_and_contact_required"),
        ("rejected", "unknown_gate"),
        ("rejected", "bad_temperature"),
    ]
    again = client.post(url, json.dumps({"device_id": "d1", "entries": [good]}), content_type="application/json")
    assert again.json()["results"][0]["status"] == "duplicate"
    assert CheckpointEntry.objects.count() == 2
    assert CheckpointEntry.objects.get(client_uuid=fever["client_uuid"]).fever is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, id_number FROM passes_checkpointentry")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert PHONE not in stored and ID_NUMBER not in stored and "李四" not in stored


def test_upload_needs_gate_duty(client, tree, people):
    client.force_login(people.manager2)
    body = {"device_id": "d1", "entries": [_entry(tree.compound1)]}
    response = client.post("/api/passes/checkpoint", json.dumps(body), content_type="application/json")
    assert response.status_code == 403


def test_search_is_exact_masked_audited_and_reveal_is_audited(client, tree, people):
    checkpoint.ingest_entries(by=people.worker1, device_id="d1", entries=[_entry(tree.compound1)])
    checkpoint.ingest_entries(by=people.worker1, device_id="d1", entries=[_entry(tree.compound1, phone="13900001111")])
    client.force_login(people.manager1)
    response = client.post(reverse("passes:checkpoint_search"), {"phone": PHONE})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="phone-') == 1  # exactly the one registration with that phone
    assert "139****5678" in html and PHONE not in html and ID_NUMBER not in html
    event = AuditEvent.objects.filter(action="checkpoint.searched").latest("id")
    assert event.fields == {"by": ["phone"], "found": 1}
    assert PHONE not in json.dumps(event.fields)
    entry = CheckpointEntry.objects.get(phone_index=crypto.blind_index(PHONE, purpose="checkpoint.phone"))
    reveal = client.post(reverse("passes:checkpoint_reveal", args=[entry.public_id, "id_number"]))
    assert ID_NUMBER in reveal.content.decode()
    assert AuditEvent.objects.filter(action="checkpoint.personal_revealed", fields__field="id_number").exists()


def test_search_outside_the_managers_community_finds_nothing(client, tree, people):
    checkpoint.ingest_entries(by=people.worker1, device_id="d1", entries=[_entry(tree.compound1)])
    client.force_login(people.manager2)
    html = client.post(reverse("passes:checkpoint_search"), {"phone": PHONE}).content.decode()
    assert 'id="phone-' not in html


def test_register_declares_retention_for_every_personal_field():
    fields = registered("passes.CheckpointEntry")
    for name in ("name", "phone", "id_number", "coming_from", "going_to", "temperature", "reason", "registered_at"):
        assert fields[name].retention_days == CHECKPOINT_RETENTION_DAYS


def test_purge_after_retention_with_a_simulated_clock_keeps_aggregates(tree, people, client):
    start = timezone.now()
    checkpoint.ingest_entries(
        by=people.worker1,
        device_id="d1",
        entries=[_entry(tree.compound1), _entry(tree.compound1, temperature=38.5, phone="13900002222")],
    )
    later = start + timedelta(days=CHECKPOINT_RETENTION_DAYS - 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("purge_checkpoint_entries")
    assert CheckpointEntry.objects.filter(purged_at__isnull=True).count() == 2  # not yet due
    after = start + timedelta(days=CHECKPOINT_RETENTION_DAYS + 1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        call_command("purge_checkpoint_entries")
    purged = list(CheckpointEntry.objects.all())
    assert len(purged) == 2
    for entry in purged:
        assert entry.purged_at == after
        assert (entry.name, entry.phone, entry.id_number, entry.phone_index, entry.id_number_index) == ("",) * 5
        assert (entry.coming_from, entry.going_to, entry.reason, entry.temperature) == ("", "", "", None)
        assert (entry.registered_at.hour, entry.registered_at.minute) == (0, 0)
    assert sorted(e.fever for e in purged) == [False, True]  # the aggregate survives
    assert AuditEvent.objects.filter(action="checkpoint.purged", fields__count=2).exists()
    assert checkpoint.search_entries(by=people.manager1, phone=PHONE) == []
    daily = checkpoint.daily_counts(people.manager1, since=start - timedelta(days=2))
    assert [(d["count"], d["fevers"]) for d in daily] == [(2, 1)]
    with mock.patch("django.utils.timezone.now", return_value=after + timedelta(days=1)):
        call_command("purge_checkpoint_entries")  # idempotent
    assert AuditEvent.objects.filter(action="checkpoint.purged", fields__count=0).exists()


def _publish_visitors(people, tree, *, allowed: bool, hours_ago: int):
    from xiachen.passes import services

    return services.publish_policy(
        by=people.manager1,
        community=tree.community1,
        effective_at=timezone.now() - timedelta(hours=hours_ago),
        rules={"out_every_days": 2, "hours": ["00:00", "24:00"], "fever_threshold": 37.3, "visitors_allowed": allowed},
        change_note="访客规则",
    )


def test_visitors_are_refused_under_the_policy_version_in_force_at_registration(tree, people, policy1):
    _publish_visitors(people, tree, allowed=True, hours_ago=10)
    _publish_visitors(people, tree, allowed=False, hours_ago=2)
    now = int(timezone.now().timestamp())
    entries = {
        "visitor_then": _entry(tree.compound1, at=now - 5 * 3600, kind="visitor"),  # visitors still allowed
        "visitor_now": _entry(tree.compound1, at=now - 60, kind="visitor"),
        "courier_now": _entry(tree.compound1, at=now - 60, kind="delivery"),
        "feverish_courier": _entry(tree.compound1, at=now - 60, kind="delivery", temperature=37.3),
    }
    results = checkpoint.ingest_entries(by=people.worker1, device_id="d1", entries=list(entries.values()))
    assert [r["status"] for r in results] == ["stored"] * 4
    stored = {name: CheckpointEntry.objects.get(client_uuid=e["client_uuid"]) for name, e in entries.items()}
    assert {name: (e.kind, e.admitted, e.refusal) for name, e in stored.items()} == {
        "visitor_then": ("visitor", True, ""),
        "visitor_now": ("visitor", False, "visitors_not_allowed"),
        "courier_now": ("delivery", True, ""),
        "feverish_courier": ("delivery", False, "fever"),
    }
    assert stored["feverish_courier"].fever is True


def test_an_unknown_person_kind_is_rejected_with_a_code(tree, people, policy1):
    results = checkpoint.ingest_entries(
        by=people.worker1, device_id="d1", entries=[_entry(tree.compound1, kind="astronaut")]
    )
    assert (results[0]["status"], results[0]["error"]) == ("rejected", "bad_kind")
    assert CheckpointEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_registrations_at_once_store_each_once(tree, people, policy1):
    """The same 100 registrations in opposite orders from two connections at once: both uploads succeed
    and each registration is stored once. (The encryption of each entry mostly keeps the two inserts
    from overlapping here; the deadlock that opposite orders can cause is reproduced for scans, in
    test_ingest, where the insert is the slow part.)"""
    entries = [_entry(tree.compound1) for _ in range(100)]
    _, errors = upload_both_ways_at_once(
        lambda device, batch: checkpoint.ingest_entries(by=people.worker1, device_id=device, entries=batch), entries
    )
    assert errors == []
    assert CheckpointEntry.objects.count() == 100
