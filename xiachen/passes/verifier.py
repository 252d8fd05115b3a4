"""The pass verifier: one pure function over a snapshot of what a gate knows (no Django).

The server builds the snapshot from the database; the gate page builds the same snapshot from its
cache and runs `xiachen/static/gate/verifier.js`, which applies the same checks in the same order,
so both give the same verdict and reason code for the same input (tests/passes/vectors.json).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from .tokens import TokenError, parse_token, signature_is_valid

SHANGHAI_OFFSET_SECONDS = 8 * 3600  # China has no daylight saving time


@dataclass(frozen=True)
class TrustedKey:
    public_key: bytes
    issuer_id: str  # public id of the issuing community


@dataclass(frozen=True)
class Policy:
    version: int
    out_every_days: int = 0  # 0: no limit
    hours: tuple[str, str] = ("00:00", "24:00")
    fever_threshold: float = 37.3
    exempt_groups: frozenset[str] = frozenset()
    # the allowed hours as minutes of the day, derived once (checked on every "out" scan)
    opens_at: int = field(init=False, repr=False, compare=False)
    closes_at: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "opens_at", _minutes(self.hours[0]))
        object.__setattr__(self, "closes_at", _minutes(self.hours[1]))


@dataclass(frozen=True)
class Snapshot:
    keys: dict[str, TrustedKey]
    revoked_keys: frozenset[str] = frozenset()
    revoked_passes: frozenset[str] = frozenset()
    audiences: frozenset[str] = frozenset()  # unit ids this gate accepts; empty: accept any
    policy: Policy | None = None


@dataclass(frozen=True)
class Scan:
    now: int
    direction: str = "in"
    temperature: float | None = None
    # (household id, pass id) → True when another member of the household went out within N days
    went_out_recently: Callable[[str, str, int], bool] = field(default=lambda household, pass_id, days: False)


class Verdict(NamedTuple):
    valid: bool
    reason: str
    pass_id: str = ""
    key_id: str = ""
    household_id: str = ""
    policy_version: int | None = None

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "pass_id": self.pass_id,
            "key_id": self.key_id,
            "policy_version": self.policy_version,
        }


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _policy_reason(policy: Policy, parsed, scan: Scan) -> str:
    if scan.temperature is not None and scan.temperature >= policy.fever_threshold:
        return "fever"
    if scan.direction != "out" or parsed.group in policy.exempt_groups:
        return "valid"
    local_minute = (scan.now + SHANGHAI_OFFSET_SECONDS) % 86400 // 60
    if not policy.opens_at <= local_minute < policy.closes_at:
        return "outside_hours"
    if policy.out_every_days and scan.went_out_recently(parsed.household_id, parsed.pass_id, policy.out_every_days):
        return "too_frequent"
    return "valid"


def _parse_memoized(token: str, memo: dict):
    parsed = memo.get(token)
    if parsed is None:
        try:
            parsed = parse_token(token)
        except TokenError as error:
            parsed = error
        memo[token] = parsed
    return parsed


def _signature_memoized(token: str, parsed, public_key: bytes, memo: dict) -> bool:
    entry = (token, public_key)
    valid = memo.get(entry)
    if valid is None:
        valid = memo[entry] = signature_is_valid(parsed, public_key)
    return valid


def verify(token: str, snapshot: Snapshot, scan: Scan, memo: dict | None = None) -> Verdict:
    """Decode, check key, signature, window, audience, revocation, then the policy in force.

    `memo` (optional) remembers decoded tokens and signature checks keyed by token string and public
    key — both are pure functions of those inputs, so a gate phone scanned at twice, or the same pass
    at many gates, is decoded and verified once. Key trust, revocation and policy are never memoized.
    """
    if memo is None:
        try:
            parsed = parse_token(token)
        except TokenError as error:
            return Verdict(False, error.reason)
    else:
        parsed = _parse_memoized(token, memo) if isinstance(token, str) else TokenError("oversize")
        if isinstance(parsed, TokenError):
            return Verdict(False, parsed.reason)
    version = snapshot.policy.version if snapshot.policy else None
    key = snapshot.keys.get(parsed.key_id)
    if parsed.key_id in snapshot.revoked_keys:
        reason = "key_revoked"
    elif key is None:
        reason = "unknown_key"
    elif not (
        signature_is_valid(parsed, key.public_key)
        if memo is None
        else _signature_memoized(token, parsed, key.public_key, memo)
    ):
        reason = "bad_signature"
    elif scan.now < parsed.not_before:
        reason = "not_yet_valid"
    elif scan.now >= parsed.not_after:
        reason = "expired"
    elif snapshot.audiences and parsed.audience_id not in snapshot.audiences:
        reason = "wrong_audience"
    elif parsed.pass_id in snapshot.revoked_passes:
        reason = "pass_revoked"
    elif snapshot.policy is not None:
        reason = _policy_reason(snapshot.policy, parsed, scan)
    else:
        reason = "valid"
    return Verdict(reason == "valid", reason, parsed.pass_id, parsed.key_id, parsed.household_id, version)
