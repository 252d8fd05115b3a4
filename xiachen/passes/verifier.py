"""The pass verifier: one pure function over a snapshot of what a gate knows (no Django).

The server builds the snapshot from the database; the gate page builds the same snapshot from its
cache and runs `xiachen/static/gate/verifier.js`, which applies the same checks in the same order,
so both give the same verdict and reason code for the same input (tests/passes/vectors.json).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .tokens import TokenError, parse_token, signature_is_valid

SHANGHAI_OFFSET_SECONDS = 8 * 3600  # China has no daylight saving time
DAY_SECONDS = 86400
# Reasons that let the person through: "valid", and two warnings the gate shows in amber.
PASSING_REASONS = frozenset({"valid", "held_warning", "overstayed"})


@dataclass(frozen=True)
class TrustedKey:
    public_key: bytes
    issuer_id: str  # public id of the issuing community


@dataclass(frozen=True)
class Policy:
    version: int
    # 每户外出间隔: the household may go out once every N local calendar days (0: no limit). An
    # outing on day D, by any member (the same person included), refuses every other outing of the
    # household on days D … D+N−1.
    out_every_days: int = 0
    hours: tuple[str, str] = ("00:00", "24:00")
    fever_threshold: float = 37.3
    exempt_groups: frozenset[str] = frozenset()
    designated_only: bool = False  # only the household's designated member may go out
    max_hours_out: int = 0  # the longest outing; a later return is let in with a warning (0: no limit)
    held_action: str = "refuse"  # quarantined / monitored people going out: "refuse" or "warn"
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
    # Pass ids only, never why: passes held at home (居家隔离 of the household or 健康监测 of the
    # person), and passes of the households' designated members.
    held_passes: frozenset[str] = frozenset()
    designated_passes: frozenset[str] = frozenset()


def _no_outs(household: str) -> Iterable[tuple[str, int]]:
    return ()


@dataclass(frozen=True)
class Scan:
    now: int
    direction: str = "in"
    temperature: float | None = None
    # household id → (pass id, epoch seconds) of the household's outings let through before (any order)
    outs_of: Callable[[str], Iterable[tuple[str, int]]] = _no_outs


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


def local_day(epoch: int) -> int:
    """The Shanghai calendar day of an instant, as a day number (days since 1970-01-01)."""
    return (epoch + SHANGHAI_OFFSET_SECONDS) // DAY_SECONDS


def went_out_within_days(outs: Iterable[tuple[str, int]], now: int, days: int) -> bool:
    """Some outing before `now` fell on one of the last `days` calendar days (today included)."""
    today = local_day(now)
    return any(at < now and today - local_day(at) < days for _pass_id, at in outs)


def overstayed(outs: Iterable[tuple[str, int]], pass_id: str, now: int, max_hours: int) -> bool:
    """The pass's latest outing before `now` began more than `max_hours` ago."""
    last = max((at for p, at in outs if p == pass_id and at < now), default=None)
    return last is not None and now - last > max_hours * 3600


def _policy_reason(policy: Policy, parsed, scan: Scan, snapshot: Snapshot) -> str:
    """Fever, then coming back late, then held at home, exemptions, hours, designated member, interval."""
    if scan.temperature is not None and scan.temperature >= policy.fever_threshold:
        return "fever"
    exempt = parsed.group in policy.exempt_groups
    if scan.direction != "out":
        late = policy.max_hours_out and not exempt and overstayed(
            scan.outs_of(parsed.household_id), parsed.pass_id, scan.now, policy.max_hours_out
        )
        return "overstayed" if late else "valid"
    warning = "valid"
    if parsed.pass_id in snapshot.held_passes:  # a health order: no exempt group lifts it
        if policy.held_action != "warn":
            return "held"
        warning = "held_warning"
    if exempt:
        return warning
    local_minute = (scan.now + SHANGHAI_OFFSET_SECONDS) % DAY_SECONDS // 60
    if not policy.opens_at <= local_minute < policy.closes_at:
        return "outside_hours"
    if policy.designated_only and parsed.pass_id not in snapshot.designated_passes:
        return "not_designated"
    if policy.out_every_days and went_out_within_days(scan.outs_of(parsed.household_id), scan.now,
                                                      policy.out_every_days):
        return "too_frequent"
    return warning


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
        reason = _policy_reason(snapshot.policy, parsed, scan, snapshot)
    elif parsed.pass_id in snapshot.held_passes and scan.direction == "out":
        reason = "held"  # no policy published: a health order still holds (the default action)
    else:
        reason = "valid"
    return Verdict(reason in PASSING_REASONS, reason, parsed.pass_id, parsed.key_id, parsed.household_id, version)
