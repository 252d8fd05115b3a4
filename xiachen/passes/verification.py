"""Server-side verification of one token now: the verification endpoint and `verify_pass` use this."""

from datetime import datetime

from django.utils import timezone

from .models import SigningKey
from .selectors import audiences_of, snapshot_for
from .tokens import TokenError, parse_token
from .verifier import Scan, Snapshot, Verdict, verify


def verify_token(
    token: str, *, gate=None, direction: str = "in", temperature: float | None = None, at: datetime | None = None
) -> Verdict:
    """The verdict for `token` at `gate` (any audience when None), under the policy in force at `at`."""
    at = at or timezone.now()
    try:
        key_id = parse_token(token).key_id
    except TokenError as error:
        return Verdict(False, error.reason)
    key = SigningKey.objects.select_related("community").filter(key_id=key_id).first()
    if gate is not None:
        community = gate.parent
    elif key is not None:
        community = key.community
    else:
        return verify(token, Snapshot(keys={}), Scan(int(at.timestamp())))
    audiences = audiences_of(gate) if gate is not None else frozenset()
    snapshot = snapshot_for(community, at=at, audiences=audiences)
    return verify(token, snapshot, Scan(int(at.timestamp()), direction, temperature))


def verify_tokens(tokens: list[str], *, gate, direction: str = "in", at: datetime | None = None) -> list[Verdict]:
    """Many tokens at one gate: the snapshot (trust list with decoded keys, revocations, policy) is read
    once — a fixed number of queries per call, no ORM work per token."""
    at = at or timezone.now()
    snapshot = snapshot_for(gate.parent, at=at, audiences=audiences_of(gate))
    scan = Scan(int(at.timestamp()), direction)
    return [verify(token, snapshot, scan) for token in tokens]
