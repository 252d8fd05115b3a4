"""Hostile or broken uploads reject the bad item alone; a lost database is a 503 to retry (issue 15, item 10)."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from xiachen.passes.models import CheckpointEntry, Scan
from xiachen.passes.temperatures import TemperatureError, parse_temperature

BAD_TEMPERATURES = ["NaN", "nan", "Infinity", "-Infinity", "1e999", "abc", True, [36.5], {"v": 1}, 29.9, 45.1]


@pytest.mark.parametrize("value", BAD_TEMPERATURES)
def test_a_temperature_is_a_finite_reading_in_range_or_an_error(value):
    with pytest.raises(TemperatureError):
        parse_temperature(value)


def test_good_temperatures_parse_to_one_decimal():
    parsed = [parse_temperature(v) for v in (None, "", 36.55, "37.3", 45)]
    assert parsed == [None, None, Decimal("36.6"), Decimal("37.3"), Decimal("45.0")]


def _scan(gate, token, *, temperature):
    return {
        "client_uuid": str(uuid.uuid4()), "gate": str(gate.public_id), "scanned_at": int(timezone.now().timestamp()),
        "token": token, "direction": "in", "temperature": temperature, "client_valid": True, "client_reason": "valid",
    }


def test_nan_in_one_scan_rejects_that_scan_and_keeps_the_good_ones(client, tree, people, pass1, policy1):
    client.force_login(people.worker1)
    good = [_scan(tree.compound1, pass1.token, temperature=36.5) for _ in range(2)]
    literal_nan = _scan(tree.compound1, pass1.token, temperature=0)
    string_nan = _scan(tree.compound1, pass1.token, temperature="NaN")
    body = json.dumps({"device_id": "d1", "scans": [good[0], literal_nan, string_nan, good[1]]})
    body = body.replace('"temperature": 0,', '"temperature": NaN,')  # the JSON literal, as a broken device sends it
    assert "NaN," in body
    response = client.post("/api/passes/scans", body, content_type="application/json")
    assert response.status_code == 200
    statuses = [(r["status"], r["error"]) for r in response.json()["results"]]
    rejected = ("rejected", "bad_temperature")
    assert statuses == [("stored", ""), rejected, rejected, ("stored", "")]
    assert Scan.objects.count() == 2


def test_nan_in_one_checkpoint_entry_rejects_that_entry_alone(client, tree, people, policy1):
    client.force_login(people.worker1)

    def entry(temperature):
        return {"client_uuid": str(uuid.uuid4()), "gate": str(tree.compound1.public_id),
                "registered_at": int(timezone.now().timestamp()), "name": "李四", "phone": "13912345678",
                "temperature": temperature}

    body = json.dumps({"device_id": "d1", "entries": [entry(36.6), entry(0), entry("Infinity")]})
    body = body.replace('"temperature": 0}', '"temperature": NaN}')
    response = client.post("/api/passes/checkpoint", body, content_type="application/json")
    assert response.status_code == 200
    assert [r["error"] for r in response.json()["results"]] == ["", "bad_temperature", "bad_temperature"]
    assert CheckpointEntry.objects.count() == 1


@pytest.mark.parametrize("path", ["/api/passes/scans", "/api/passes/checkpoint"])
def test_json_nested_100000_deep_is_a_400_not_a_crash(client, people, path):
    client.force_login(people.worker1)
    body = '{"device_id": "d1", "scans": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/passes/scans", "/households/"])
def test_while_the_database_is_unreachable_the_answer_is_503_with_retry_after(tree, people, path):
    client = Client(raise_request_exception=False)
    client.force_login(people.worker1 if path.startswith("/api/") else people.manager1)
    saved = dict(connection.settings_dict)
    # A real outage, not a mock: the connection is closed and pointed at a database that does not
    # answer (SQLite: a file in a directory that does not exist; PostgreSQL: a closed port).
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/xiachen.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
    try:
        response = client.post(path, json.dumps({"device_id": "d1", "scans": []}), content_type="application/json") \
            if path.startswith("/api/") else client.get(path)
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    if path.startswith("/api/"):
        assert response.json() == {"detail": "database unavailable, retry later"}
    else:
        assert "暂时无法访问" in response.content.decode()
