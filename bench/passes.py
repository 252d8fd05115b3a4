"""Pass benchmarks: server verifications/s (end to end) beside the raw Ed25519 verify rate of the same
library in the same run, and scan ingest through the HTTP endpoint in batches of 500.

    .venv/bin/python bench/passes.py                     # SQLite (a throwaway database file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiachen_bench .venv/bin/python bench/passes.py
    ... bench/passes.py --ingest-only                    # ingest only, the verification numbers kept

The scan table is partitioned by month on PostgreSQL (ADR 2111). For the plain table, run this script
at a commit before ADR 2111 on a fresh database in the same session; its entry is kept here as
`ingest_postgresql_plain_tables`, naming that commit.

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
from statistics import median

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


def _served_like_production():
    """The test settings without the test suite's personal-data tripwire, which scans every response
    body (500 results) and is not part of the application."""
    from django.conf import settings

    return override_settings(
        ALLOWED_HOSTS=["*"], MIDDLEWARE=[m for m in settings.MIDDLEWARE if not m.startswith("tests.")]
    )


def _rate(work, seconds: float = 2.0) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    return count / (time.perf_counter() - start)


def verification_rates(compound) -> dict:
    """Raw Ed25519 verify against the server verifier end to end — decode, key, signature, validity
    window, audience, revocation and the policy in force (an "out" scan, so every policy rule runs) —
    over 2,000 distinct tokens (nothing memoized), with the trust list, revocation list and policy read
    from the database once; the raw rate is libsodium's work only on the same 2,000 signatures.
    Also the batch API `verify_tokens`, which reads that snapshot from the database again for every
    500 tokens (three queries), and the verifier on one repeated message against the raw verify of it.
    Seven rounds of raw / measured / raw: the machine's speed drifts over seconds, so each round's
    ratio is taken against the raw rate around it; ratios are the medians of the rounds'."""
    import base64

    from django.utils import timezone

    from xiachen.passes.selectors import audiences_of, snapshot_for
    from xiachen.passes.services import current_key
    from xiachen.passes.verification import verify_tokens
    from xiachen.passes.verifier import Scan

    case = CORPUS["cases"][0]
    corpus_snapshot, corpus_scan = snapshot_of(CORPUS), scan_of(CORPUS, case)
    parsed = parse_token(case["token"])
    verify_key = SigningKey(bytes([1]) * 32).verify_key
    tokens = _distinct_tokens(compound, 2000)
    batches = [tokens[i : i + 500] for i in range(0, len(tokens), 500)]
    community_key = SigningKey(bytes([1]) * 32).verify_key.__class__(
        base64.b64decode(current_key(community=compound.parent).public_key)
    )
    signed = [(p.signed_part, p.signature) for p in map(parse_token, tokens)]
    now = timezone.now()
    snapshot = snapshot_for(compound.parent, at=now, audiences=audiences_of(compound))
    out_scan = Scan(int(now.timestamp()), "out")
    assert snapshot.policy is not None and snapshot.revoked_passes, "the bench exercises policy and revocations"

    def raw_batch():  # the same 2,000 distinct signatures, pre-decoded: libsodium's work only
        for message, signature in signed:
            community_key.verify(message, signature)

    def verifier_batch():
        assert all(verify(token, snapshot, out_scan).valid for token in tokens)

    def server_batch():
        for batch in batches:
            assert all(v.valid for v in verify_tokens(batch, gate=compound))

    def against_raw(work) -> tuple[float, float, float]:
        before = _rate(raw_batch, 1.0) * len(tokens)
        rate = _rate(work, 1.0) * len(tokens)
        raw = (before + _rate(raw_batch, 1.0) * len(tokens)) / 2
        return raw, rate, rate / raw

    rounds = {"end_to_end": [], "server_batch": [], "single": []}
    for _round in range(7):
        rounds["end_to_end"].append(against_raw(verifier_batch))
        rounds["server_batch"].append(against_raw(server_batch))
        single = _rate(lambda: verify_key.verify(parsed.signed_part, parsed.signature), 0.5)
        pure = _rate(lambda: verify(case["token"], corpus_snapshot, corpus_scan), 0.5)
        rounds["single"].append((single, pure, pure / single))
    assert verify(case["token"], corpus_snapshot, corpus_scan).valid

    def column(name: str, index: int) -> list[float]:
        return [entry[index] for entry in rounds[name]]

    return {
        "raw_ed25519_verify_per_s": round(median(column("end_to_end", 0))),
        "end_to_end_verify_per_s": round(median(column("end_to_end", 1))),
        "ratio": round(median(column("end_to_end", 2)), 3),
        "server_batch_verify_per_s": round(median(column("server_batch", 1))),
        "server_batch_ratio": round(median(column("server_batch", 2)), 3),
        "raw_single_message_per_s": round(median(column("single", 0))),
        "verifier_function_per_s": round(median(column("single", 1))),
        "verifier_function_ratio": round(median(column("single", 2)), 3),
        "runs": {name: [[round(value, 3) for value in entry] for entry in entries] for name, entries in rounds.items()},
        "library": "PyNaCl (libsodium)",
    }


def _distinct_tokens(compound, count: int) -> list[str]:
    """Tokens for `count` distinct pass ids, signed with the community's current key (no Pass rows:
    verification does not read them; revocation is by id)."""
    import base64

    from django.utils import timezone

    from xiachen.passes.services import current_key
    from xiachen.passes.tokens import PassClaims, sign_token

    key = current_key(community=compound.parent)
    seed = base64.b64decode(key.seed)  # the field decrypts (bound encryption, passes 0007)
    now = int(timezone.now().timestamp())
    return [
        sign_token(
            PassClaims(uuid.uuid4(), uuid.uuid4(), compound.public_id, now - 3600, now + 86400),
            key_id=base64.b32decode(key.key_id + "="),
            seed=seed,
        )
        for _ in range(count)
    ]


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
    moved_out = [  # a revocation list to check against (10 at once: no second approver needed)
        services.issue_pass(
            by=manager,
            resident=ResidentFactory(household=HouseholdFactory(compound=compound)),
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=1),
        )
        for _ in range(10)
    ]
    services.revoke_passes(by=manager, passes=moved_out, reason="基准：已搬离")
    return compound, worker, tokens, int(now.timestamp())


def ingest_rate(compound, worker, tokens, now, *, batches: int = 20, size: int = 500) -> dict:
    with _served_like_production():
        return _ingest_rate(compound, worker, tokens, now, batches=batches, size=size)


def _ingest_rate(compound, worker, tokens, now, *, batches: int, size: int) -> float:
    client = Client()
    client.force_login(worker)
    client.get(f"/api/passes/gates/{compound.public_id}/policy")  # warm-up: URLconf import and first queries
    total_seconds = 0.0
    distinct = len(tokens) >= batches * size
    for b in range(batches):
        scans = [
            {
                "client_uuid": str(uuid.uuid4()),
                "gate": str(compound.public_id),
                "scanned_at": now - i % 3600,
                "token": tokens[b * size + i] if distinct else tokens[i % len(tokens)],
                "direction": "in",
                "temperature": 36.5,
                "client_valid": True,
                "client_reason": "valid",
            }
            for i in range(size)
        ]
        body = json.dumps({"device_id": f"bench-{uuid.uuid4().hex[:8]}", "scans": scans})
        start = time.perf_counter()
        response = client.post("/api/passes/scans", body, content_type="application/json")
        total_seconds += time.perf_counter() - start
        assert response.status_code == 200, response.content[:200]
        assert all(r["status"] == "stored" for r in response.json()["results"])
    return batches * size / total_seconds


def _upload_worker(compound_pk: int, worker_pk: int, tokens: list, now: int, batches: int, size: int, start, out):
    """One uploading gate phone in its own process (own database connection), started at the barrier."""
    from django.db import connections

    from xiachen.accounts.models import User
    from xiachen.org.models import Unit

    connections.close_all()  # never share the parent's socket
    compound, worker = Unit.objects.get(pk=compound_pk), User.objects.get(pk=worker_pk)
    bodies = [_batch_body(compound, tokens, now, size) for _ in range(batches)]
    with _served_like_production():
        client = Client()
        client.force_login(worker)
        client.get(f"/api/passes/gates/{compound.public_id}/policy")
        start.wait()
        began = time.perf_counter()
        for body in bodies:
            response = client.post("/api/passes/scans", body, content_type="application/json")
            assert response.status_code == 200, response.content[:200]
        out.put((began, time.perf_counter()))
    connections.close_all()


def _batch_body(compound, tokens: list, now: int, size: int) -> str:
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
    return json.dumps({"device_id": f"bench-{uuid.uuid4().hex[:8]}", "scans": scans})


def concurrent_ingest_rate(compound, worker, tokens, now, *, clients: int, batches: int = 10, size: int = 500) -> float:
    """Scans/s with `clients` phones uploading at once (separate processes): total / wall time."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(clients), context.Queue()
    args = (compound.pk, worker.pk, tokens, now, batches, size, start, out)
    processes = [context.Process(target=_upload_worker, args=args) for _ in range(clients)]
    for process in processes:
        process.start()
    spans = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return clients * batches * size / (max(end for _b, end in spans) - min(began for began, _e in spans))


def ingest_rates(compound, worker, tokens, now) -> dict:
    """Median of 3 runs of 20 HTTP batches of 500 new scans, with 20 passes in rotation (a day at a gate:
    the same residents come and go, each token's signature is checked once) and with 10,000 distinct
    tokens (every scan a new signature check: bounded by the raw Ed25519 rate); then 2 and 4 phones
    uploading at once, each in its own process with its own connection (20 batches of 500 each)."""
    repeated = [ingest_rate(compound, worker, tokens, now) for _ in range(3)]
    unique = [ingest_rate(compound, worker, _distinct_tokens(compound, 10_000), now) for _ in range(3)]
    concurrent = {
        clients: [concurrent_ingest_rate(compound, worker, tokens, now, clients=clients, batches=20) for _ in range(3)]
        for clients in (2, 4)
    }
    return {
        "scans": 10_000,
        "batch": 500,
        "scans_per_s": round(median(repeated)),
        "runs": [round(r) for r in repeated],
        "distinct_tokens_scans_per_s": round(median(unique)),
        "distinct_tokens_runs": [round(r) for r in unique],
        "concurrent_uploaders": {
            str(n): {"scans_per_s": round(median(runs)), "runs": [round(r) for r in runs]}
            for n, runs in concurrent.items()
        },
        "load_average": _load_average(),
    }


def _partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'passes_scan'")
        return cursor.fetchone()[0] == "p"


def _load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--ingest-only", action="store_true", help="keep the verification numbers on file")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    partitioned = vendor == "postgresql" and _partitioned()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    compound, worker, tokens, now = _fixtures()
    results["machine"]["note"] = (
        "2-core virtual machine, PostgreSQL on the same machine; the load average is recorded with each "
        "measurement; absolute rates vary by ±20 % between runs, ratios are measured in the same process"
    )
    if not args.ingest_only:
        results["verification"] = verification_rates(compound) | {"load_average": _load_average()}
    results[f"ingest_{vendor}"] = ingest_rates(compound, worker, tokens, now) | {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **({"scans_table": "monthly partitions (ADR 2111)" if partitioned else "plain table"}
           if vendor == "postgresql" else {}),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
