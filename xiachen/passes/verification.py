"""Server-side verification of one token now: the verification endpoint and `verify_pass` use this."""

from datetime import datetime

from django.utils import timezone

from .models import SigningKey
from .selectors import audiences_of, household_outs, outs_since, snapshot_for
from .tokens import TokenError, parse_token
from .verifier import Scan, Snapshot, Verdict, verify


def _scan(parsed, snapshot: Snapshot, at: datetime, direction: str, temperature: float | None) -> Scan:
    """The scan, with the household's outings the policy looks at read from the scan log."""
    since = outs_since(snapshot.policy, at)
    if since is None:
        return Scan(int(at.timestamp()), direction, temperature)
    outs = household_outs(parsed.household_id, since=since, before=at)
    return Scan(int(at.timestamp()), direction, temperature, lambda household: outs)


def verify_token(
    token: str, *, gate=None, direction: str = "in", temperature: float | None = None, at: datetime | None = None
) -> Verdict:
    """The verdict for `token` at `gate` (any audience when None), under the policy in force at `at`
    (the community's, tightened by its district's and city's), the household's earlier outings and
    who is held at home — the same inputs as the gate page and the ingest re-check."""
    at = at or timezone.now()
    try:
        parsed = parse_token(token)
    except TokenError as error:
        return Verdict(False, error.reason)
    key = SigningKey.objects.select_related("community").filter(key_id=parsed.key_id).first()
    if gate is not None:
        community = gate.parent
    elif key is not None:
        community = key.community
    else:
        return verify(token, Snapshot(keys={}), Scan(int(at.timestamp())))
    audiences = audiences_of(gate) if gate is not None else frozenset()
    snapshot = snapshot_for(community, at=at, audiences=audiences)
    return verify(token, snapshot, _scan(parsed, snapshot, at, direction, temperature))


def verify_tokens(tokens: list[str], *, gate, direction: str = "in", at: datetime | None = None) -> list[Verdict]:
    """Many tokens at one gate: the snapshot (trust list with decoded keys, revocations, policy) is read
    once — a fixed number of queries per call, no ORM work per token. Outings are not read: for
    "out" under an interval or time-limit rule use verify_token per pass."""
    at = at or timezone.now()
    snapshot = snapshot_for(gate.parent, at=at, audiences=audiences_of(gate))
    scan = Scan(int(at.timestamp()), direction)
    return [verify(token, snapshot, scan) for token in tokens]
