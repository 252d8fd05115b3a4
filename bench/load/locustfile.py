"""Locust users that behave like the gate page (xiachen/static/gate/gate.js), run by bench/load_gate.py.

Each user is one gate device with its own staff account: it signs in with password + TOTP (staff
need a second factor), opens the gate page, then loops over what the page does:
- sync (weight 3): scan 1–3 passes, upload the queue (POST /api/passes/scans, session + CSRF header),
  then refresh trust list, revocations and policy (the three GETs the page makes after every sync);
- verify (weight 2): ask the server verifier about one pass (POST /api/passes/verify);
- catch-up (weight 1): a device back online uploads a backlog of 50 scans; one in four times it
  re-sends its previous backlog too (a reload mid-upload), which must come back as duplicates.

Production runs gunicorn behind nginx, which terminates TLS and sets X-Forwarded-Proto; here the
users talk to gunicorn on loopback and send that header themselves, so Django applies its HTTPS
rules (Secure cookies, CSRF origin check against https://host). Bounded: each user stops after
LOAD_MAX_ITERATIONS loops, and the run after --run-time.

Measured window: the sign-in phase (50 password hashes at once) is reported on its own; the stats
are reset when the last device has signed in, and the steady state runs for LOAD_STEADY_SECONDS.
"""

import hashlib
import hmac
import itertools
import json
import os
import random
import struct
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from locust.stats import StatsEntry

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text())
SUMMARY = os.environ.get("LOAD_SUMMARY", "")
MAX_ITERATIONS = int(os.environ.get("LOAD_MAX_ITERATIONS", "5000"))
ACCOUNTS = itertools.cycle(FIXTURE["accounts"])
GATE_ENDPOINTS = ("scans", "verify", "trust-list", "revocations", "policy")
USERS = int(os.environ.get("LOAD_USERS", "0"))
STEADY_SECONDS = int(os.environ.get("LOAD_STEADY_SECONDS", "0"))
PHASES: dict = {}
COUNTS = {"scans_sent": 0, "scans_acknowledged": 0, "resent": 0, "resent_duplicates": 0, "invalid_verdicts": 0}


# This process talks only to the loopback gunicorn, which stands in for nginx + TLS: let the cookie jars
# send Secure cookies over plain HTTP. (A policy on the session's jar is not enough: requests copies
# the cookies into a fresh jar with the default policy for every request and redirect.)
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 with django-otp's defaults: SHA-1, 30 s steps, 6 digits."""
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class GateDevice(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.account = next(ACCOUNTS)
        self.gate = self.account["gate"]
        self.tokens = FIXTURE["tokens"][self.gate]
        self.device_id = uuid.uuid4().hex[:16]
        self.iterations = 0
        self.backlog: list[dict] = []
        origin = self.host.replace("http://", "https://")
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})
        self._sign_in()
        self.client.get(f"/gate/{self.gate}/", name="/gate/[gate]/")
        _signed_in(self.environment)

    def _sign_in(self):
        self.client.get("/login/", name="login")
        form = {"username": self.account["username"], "password": FIXTURE["password"]}
        form["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        with self.client.post("/login/", data=form, name="login", catch_response=True) as response:
            if "/otp/verify/" not in response.url:
                response.failure(f"password step ended at {response.url}")
                raise StopUser
        code = {"otp_token": totp(self.account["totp_key"]), "csrfmiddlewaretoken": self.client.cookies["csrftoken"]}
        with self.client.post("/otp/verify/", data=code, name="login (TOTP)", catch_response=True) as response:
            if "/otp/" in response.url:
                response.failure("TOTP not accepted")
                raise StopUser

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def _scan(self, count: int) -> list[dict]:
        now = int(time.time())
        return [
            {
                "client_uuid": str(uuid.uuid4()),
                "gate": self.gate,
                "scanned_at": now - random.randint(0, 5),
                "token": random.choice(self.tokens),
                "direction": random.choice(("in", "out")),
                "temperature": round(random.uniform(36.0, 37.0), 1),
                "client_valid": True,
                "client_reason": "valid",
            }
            for _ in range(count)
        ]

    def _upload(self, scans: list[dict], *, resend: bool = False) -> None:
        body = {"device_id": self.device_id, "scans": scans}
        with self.client.post(
            "/api/passes/scans", json=body, headers=self._csrf(), name="/api/passes/scans", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            statuses = [r["status"] for r in response.json()["results"]]
            if resend and set(statuses) != {"duplicate"}:
                response.failure(f"re-sent scans not all duplicates: {sorted(set(statuses))}")
            elif not resend and set(statuses) != {"stored"}:
                response.failure(f"new scans not all stored: {sorted(set(statuses))}")
            COUNTS["resent" if resend else "scans_sent"] += len(scans)
            COUNTS["resent_duplicates" if resend else "scans_acknowledged"] += statuses.count(
                "duplicate" if resend else "stored"
            )

    def _refresh(self) -> None:
        for part in ("trust-list", "revocations", "policy"):
            self.client.get(f"/api/passes/gates/{self.gate}/{part}", name=f"/api/passes/gates/[gate]/{part}")

    def _count(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise StopUser

    @task(3)
    def sync(self):
        self._count()
        self._upload(self._scan(random.randint(1, 3)))
        self._refresh()

    @task(2)
    def verify(self):
        self._count()
        body = {"token": random.choice(self.tokens), "gate": self.gate, "direction": "in"}
        with self.client.post(
            "/api/passes/verify", json=body, headers=self._csrf(), name="/api/passes/verify", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not response.json()["valid"]:
                COUNTS["invalid_verdicts"] += 1
                response.failure(f"valid pass refused: {response.json()['reason']}")

    @task(1)
    def catch_up(self):
        self._count()
        previous, self.backlog = self.backlog, self._scan(50)
        self._upload(self.backlog)
        if previous and random.random() < 0.25:
            self._upload(previous, resend=True)


def _signed_in(environment) -> None:
    """When the last device has signed in, keep the sign-in phase's numbers apart, reset the stats and
    measure the steady state (every device syncing and verifying) for exactly LOAD_STEADY_SECONDS."""
    PHASES["signed_in"] = PHASES.get("signed_in", 0) + 1
    if PHASES["signed_in"] != USERS:
        return
    stats = environment.stats
    PHASES["sign_in"] = {
        "seconds": round(time.time() - stats.total.start_time, 1),
        "endpoints": {f"{method} {name}": _summary(entry) for (name, method), entry in sorted(stats.entries.items())},
    }
    stats.reset_all()
    PHASES["steady_started"] = time.time()
    if STEADY_SECONDS:
        gevent.spawn_later(STEADY_SECONDS, environment.runner.quit)


def _summary(entry: StatsEntry) -> dict:
    percentile = entry.get_response_time_percentile
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": round(percentile(0.50), 1),
        "p95_ms": round(percentile(0.95), 1),
        "p99_ms": round(percentile(0.99), 1),
        "max_ms": round(entry.max_response_time or 0, 1),
        "mean_ms": round(entry.avg_response_time, 1),
        "requests_per_s": round(entry.total_rps, 1),
    }


@events.test_stop.add_listener
def write_summary(environment, **_kwargs):
    """Per endpoint, all gate endpoints together (sign-in excluded), and the lost/duplicated scan counts."""
    if not SUMMARY:
        return
    stats = environment.stats
    gate = StatsEntry(stats, "gate endpoints", "", use_response_times_cache=False)
    endpoints = {}
    for (name, method), entry in sorted(stats.entries.items()):
        if not entry.num_requests:  # sign-in entries emptied by the reset
            continue
        endpoints[f"{method} {name}"] = _summary(entry)
        if any(part in name for part in GATE_ENDPOINTS):
            gate.extend(entry)
    errors = [
        {"name": error.name, "error": str(error.error)[:200], "occurrences": error.occurrences}
        for error in stats.errors.values()
    ]
    body = {
        "total": _summary(stats.total),
        "gate_endpoints": _summary(gate),
        "endpoints": endpoints,
        "errors": errors,
        "scans": COUNTS,
        "sign_in_phase": PHASES.get("sign_in"),
        "steady_seconds": round(time.time() - PHASES["steady_started"], 1) if "steady_started" in PHASES else None,
    }
    Path(SUMMARY).write_text(json.dumps(body, indent=1))
