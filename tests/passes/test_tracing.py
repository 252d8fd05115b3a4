"""Contact tracing over a hand-built gate log whose answer is known: interval edges, other gates, the
person's own scans, out-of-scope gates, purged registrations, households, the export (masked by
default, full only when permitted, both audited)."""

import io
import uuid
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory, make_unit
from xiachen.audit.models import AuditEvent
from xiachen.passes import services, tracing
from xiachen.passes.models import CheckpointEntry, Scan

PHONE = "13912345678"


def _scan(gate, at, *, pass_id=None, household=None, by):
    return Scan.objects.create(
        client_uuid=uuid.uuid4(), device_id="t", gate=gate, gate_path=gate.path, recorded_by=by,
        scanned_at=at, received_at=at, pass_public_id=pass_id,
        household_public_id=household.public_id if household else None, direction="in",
        client_valid=True, client_reason="valid", server_valid=True, server_reason="valid",
    )


def _entry(gate, at, *, by, name="李四", phone=PHONE, id_number="", purged=False):
    return CheckpointEntry.objects.create(
        client_uuid=uuid.uuid4(), device_id="t", gate=gate, gate_path=gate.path, recorded_by=by,
        registered_at=at, received_at=at, name=name, phone=phone, id_number=id_number, coming_from="武昌站",
        purged_at=at if purged else None,
    )


@pytest.fixture
def log(tree, people, resident1):
    """The traced pass P at gate1 (t1, t2), gate2 (t3) and, out of manager1's scope, gate_far (t1)."""
    day = timezone.localdate() - timedelta(days=2)
    t1 = datetime.combine(day, time(9, 0), tzinfo=timezone.get_current_timezone())
    t2, t3 = t1 + timedelta(hours=3), t1 + timedelta(hours=6)
    gate1, gate_far = tree.compound1, tree.compound2
    gate2 = make_unit("420102001001002", "车站路二号院", "compound", tree.community1)
    now = timezone.now()
    traced = services.issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(days=5),
                                 valid_until=now + timedelta(days=5))
    neighbour = HouseholdFactory(compound=gate1)
    ResidentFactory(household=neighbour, name="王五", phone="13800001111", relation="head")
    other_pass, by = uuid.uuid4(), people.worker1
    for at, gate in ((t1, gate1), (t2, gate1), (t3, gate2), (t1, gate_far)):
        _scan(gate, at, pass_id=traced.public_id, household=resident1.household, by=by)
    _scan(gate1, t1 + timedelta(minutes=2), pass_id=traced.public_id, household=resident1.household, by=by)
    expected = {
        "edge": _scan(gate1, t1 - timedelta(minutes=15), pass_id=other_pass, household=neighbour, by=by),
        "same_household": _scan(gate1, t2 + timedelta(minutes=10), pass_id=uuid.uuid4(),
                                household=neighbour, by=by),
        "no_household": _scan(gate1, t1 + timedelta(minutes=5), by=by),
        "other_gate_at_t3": _scan(gate2, t3 - timedelta(minutes=1), pass_id=uuid.uuid4(), by=by),
    }
    outside = {
        "past_edge": _scan(gate1, t1 - timedelta(minutes=15, seconds=1), pass_id=uuid.uuid4(), by=by),
        "other_gate": _scan(gate2, t1 + timedelta(minutes=1), pass_id=uuid.uuid4(), by=by),
        "out_of_scope": _scan(gate_far, t1 + timedelta(minutes=1), pass_id=uuid.uuid4(), by=by),
    }
    visitor = _entry(gate1, t2 + timedelta(minutes=14), by=by, name="赵六", phone="13700002222")
    _entry(gate1, t2, by=by, name="钱七", phone="13700003333", purged=True)
    return {"pass": traced, "t1": t1, "gate1": gate1, "gate2": gate2, "neighbour": neighbour,
            "expected": expected, "outside": outside, "visitor": visitor, "day": day}


def _window(log):
    return {"start": log["t1"] - timedelta(days=1), "end": log["t1"] + timedelta(days=1)}


def test_trace_by_pass_finds_exactly_the_known_contacts(people, log):
    trace = tracing.trace_pass(by=people.manager1, pass_obj=log["pass"], interval_minutes=15, **_window(log))
    assert len(trace.passages) == 4  # t1, t1+2min, t2, t3 at its own gates; the far gate is out of scope
    scans = {c.at for c in trace.contacts if c.kind == "scan"}
    assert scans == {scan.scanned_at for scan in log["expected"].values()}
    assert [c.entry for c in trace.contacts if c.kind == "checkpoint"] == [log["visitor"]]
    assert trace.households == [log["neighbour"]]
    edge = next(c for c in trace.contacts if c.at == log["expected"]["edge"].scanned_at)
    assert edge.gap_seconds == 15 * 60
    assert AuditEvent.objects.filter(action="tracing.traced", actor_id=people.manager1.pk).count() == 1


def test_a_wider_interval_reaches_past_the_edge(people, log):
    trace = tracing.trace_pass(by=people.manager1, pass_obj=log["pass"], interval_minutes=16, **_window(log))
    assert log["outside"]["past_edge"].scanned_at in {c.at for c in trace.contacts}
    assert log["outside"]["other_gate"].scanned_at not in {c.at for c in trace.contacts}


def test_trace_by_checkpoint_entry_follows_the_same_id_number(people, log):
    by, t1 = people.worker1, log["t1"]
    first = _entry(log["gate1"], t1 + timedelta(minutes=20), by=by, name="孙八", id_number="11010519491231002X")
    _entry(log["gate2"], t1 + timedelta(hours=6, minutes=3), by=by, name="孙八", id_number="11010519491231002X")
    trace = tracing.trace_entry(by=people.manager1, entry=first, interval_minutes=15, **_window(log))
    assert len(trace.passages) == 2
    found = {c.at for c in trace.contacts}
    # at gate1 ±15 of t1+20: the traced pass's own t1+2min? no (18 min); the t1+5 scan (15 min): yes
    assert log["expected"]["no_household"].scanned_at in found
    assert log["expected"]["other_gate_at_t3"].scanned_at in found  # gate2 at t3-1, 4 min from t3+3
    assert not any(c.kind == "checkpoint" and c.entry.name == "孙八" for c in trace.contacts)


def test_window_and_interval_are_checked(people, log):
    with pytest.raises(tracing.TracingError, match="时间范围不能超过"):
        tracing.trace_pass(by=people.manager1, pass_obj=log["pass"], start=log["t1"],
                           end=log["t1"] + timedelta(days=29), interval_minutes=15)
    with pytest.raises(tracing.TracingError, match="时间间隔"):
        tracing.trace_pass(by=people.manager1, pass_obj=log["pass"], interval_minutes=0, **_window(log))


def test_page_lists_contacts_and_other_communities_get_404(client, people, log):
    query = {"pass": str(log["pass"].public_id), "from": log["day"].isoformat(), "to": log["day"].isoformat()}
    client.force_login(people.manager2)
    assert client.get(reverse("passes:tracing"), query).status_code == 404
    client.force_login(people.manager1)
    page = client.get(reverse("passes:tracing"), query).content.decode()
    assert "赵**" in page or "赵*" in page
    assert "13700002222" not in page and "王五" not in page


def _export(client, log, full):
    day = log["day"].isoformat()
    data = {"pass": str(log["pass"].public_id), "from": day, "to": day, "interval": "15", "full": full}
    response = client.post(reverse("passes:tracing_export"), data)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def test_export_is_masked_unless_full_and_both_are_audited(client, people, log):
    client.force_login(people.manager1)
    masked = _export(client, log, "0")
    assert len(masked) == 5
    assert {row[5] for row in masked} >= {"王*", "赵*"} and "13800001111" not in str(masked)
    full = _export(client, log, "1")
    assert "13800001111" in {row[6] for row in full} and "13700002222" in {row[6] for row in full}
    actions = list(AuditEvent.objects.filter(action__startswith="tracing.exported").values_list("action", flat=True))
    assert sorted(actions) == ["tracing.exported", "tracing.exported_full"]
