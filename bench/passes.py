"""Pass benchmarks: server verifications/s (end to end) beside the raw Ed25519 verify rate of the same
library in the same run, and scan ingest through the HTTP endpoint in batches of 500.

    .venv/bin/python bench/passes.py                     # SQLite (a throwaway database file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiachen_bench .venv/bin/python bench/passes.py

Writes bench/results/passes.json (one entry per database vendor, merged).
"""

import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from nacl.signing import SigningKey  # noqa: E402

from tests.passes.test_tokens import CORPUS, scan_of, snapshot_of  # noqa: E402
from xiachen.passes.tokens import parse_token  # noqa: E402
from xiachen.passes.verifier import verify  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "passes.json"


def _rate(work, seconds: float = 2.0) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    return count / (time.perf_counter() - start)


def verification_rates() -> dict:
    case = CORPUS["cases"][0]
    snapshot, scan = snapshot_of(CORPUS), scan_of(CORPUS, case)
    parsed = parse_token(case["token"])
    verify_key = SigningKey(bytes([1]) * 32).verify_key
    raw = _rate(lambda: verify_key.verify(parsed.signed_part, parsed.signature))
    end_to_end = _rate(lambda: verify(case["token"], snapshot, scan))
    assert verify(case["token"], snapshot, scan).valid
    return {
        "raw_ed25519_verify_per_s": round(raw),
        "end_to_end_verify_per_s": round(end_to_end),
        "ratio": round(end_to_end / raw, 3),
        "library": "PyNaCl (libsodium)",
    }


def _fixtures():
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import HouseholdFactory, ResidentFactory, ensure_vocabularies, make_unit, user_with_role
    from xiachen.passes import services

    ensure_vocabularies()
    city = make_unit("B0", "基准市", "city")
    street = make_unit("B01", "基准街道", "street", make_unit("B1", "基准区", "district", city))
    community = make_unit("B011", "基准社区", "community", street)
    compound = make_unit("B0111", "基准小区", "compound", community)
    manager = user_with_role("unit_manager", community, username="bench-manager")
    worker = user_with_role("community_worker", community, username="bench-worker")
    now = timezone.now()
    services.publish_policy(
        by=manager,
        community=community,
        rules={"hours": ["00:00", "24:00"]},
        effective_at=now - timedelta(days=1),
        change_note="基准",
    )
    household = HouseholdFactory(compound=compound)
    tokens = [
        services.issue_pass(
            by=manager,
            resident=ResidentFactory(household=household),
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=1),
        ).token
        for _ in range(20)
    ]
    return compound, worker, tokens, int(now.timestamp())


@override_settings(ALLOWED_HOSTS=["*"])
def ingest_rate(batches: int = 20, size: int = 500) -> dict:
    compound, worker, tokens, now = _fixtures()
    client = Client()
    client.force_login(worker)
    client.get(f"/api/passes/gates/{compound.public_id}/policy")  # warm-up: URLconf import and first queries
    total_seconds = 0.0
    for b in range(batches):
        scans = [
            {
                "client_uuid": str(uuid.uuid4()),
                "gate": str(compound.public_id),
                "scanned_at": now - i % 3600,
                "token": tokens[i % len(tokens)],
                "direction": "in",
                "temperature": 36.5,
                "client_valid": True,
                "client_reason": "valid",
            }
            for i in range(size)
        ]
        body = json.dumps({"device_id": f"bench-{b}", "scans": scans})
        start = time.perf_counter()
        response = client.post("/api/passes/scans", body, content_type="application/json")
        total_seconds += time.perf_counter() - start
        assert response.status_code == 200, response.content[:200]
    return {"scans": batches * size, "batch": size, "scans_per_s": round(batches * size / total_seconds)}


def main() -> None:
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    results["verification"] = verification_rates()
    results[f"ingest_{vendor}"] = ingest_rate()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
