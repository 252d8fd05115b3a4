"""The webhook signature scheme (documented in docs/howto/integration-api.md; like Stripe's).

    Xiachen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

A receiver recomputes v1 over the raw body it received, compares in constant time and refuses a
timestamp more than TOLERANCE seconds from its clock (replay protection). Several v1 entries may
appear while a secret is being rotated; any one matching suffices.
"""

import hashlib
import hmac
import time

TOLERANCE = 300
HEADER = "Xiachen-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None, tolerance: int = TOLERANCE) -> bool:
    """True when `header` signs `body` with `secret` within `tolerance` seconds of `now`."""
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in parts)
