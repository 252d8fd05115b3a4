"""Builds the pass test-vector corpus (tests/passes/vectors.json) from fixed seeds: deterministic.

Regenerate with `.venv/bin/python -m tests.passes.vector_builder`; a test checks the committed file
matches. Each case names its expected verdict; the Python and the JavaScript verifier must agree.
"""

import base64
import json
import uuid
from pathlib import Path

from nacl.signing import SigningKey

from xiachen.passes.tokens import PREFIX, PassClaims, b32encode, encode_claims, sign_token

PATH = Path(__file__).with_name("vectors.json")
NOW = 1_767_250_800  # 2026-01-01 15:00 in Shanghai (07:00 UTC)
HOUR = 3600
DAY = 86400
SEEDS = {name: bytes([i + 1]) * 32 for i, name in enumerate(["current", "previous", "stranger", "revoked"])}
KEY_IDS = {
    "current": b"\x01\x02\x03\x04",
    "previous": b"\x05\x06\x07\x08",
    "stranger": b"\x09\x0a\x0b\x0c",
    "revoked": b"\x0d\x0e\x0f\x10",
}
COMPOUND = uuid.UUID("00000000-0000-4000-8000-0000000000c1")
COMMUNITY = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
OTHER_COMPOUND = uuid.UUID("00000000-0000-4000-8000-0000000000c2")
HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
BUSY_HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-0000000000b2")
REVOKED_PASS = uuid.UUID("00000000-0000-4000-8000-00000000dead")
EARLIER_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
# 每户外出间隔 in calendar days: households with outings at chosen local times before NOW
LATE_HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-0000000000b3")  # went out the day before yesterday, 20:00
LATE_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000e3")
TODAY_HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-0000000000b4")  # went out today at 09:00
TODAY_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000e4")
NIGHT_HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-0000000000b5")  # went out today at 23:59
NIGHT_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000e5")
HELD_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000f1")  # household in home quarantine
DESIGNATED_PASS = uuid.UUID("00000000-0000-4000-8000-0000000000f2")  # the household's designated member
ALL_DAY = {"hours": ["00:00", "24:00"]}


def _pass(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x10000000_0000_4000_8000_000000000000 + n)


def _token(key: str = "current", *, signer: str | None = None, **overrides) -> str:
    values = {
        "pass_id": _pass(1),
        "household_id": HOUSEHOLD,
        "audience_id": COMPOUND,
        "not_before": NOW - DAY,
        "not_after": NOW + 30 * DAY,
        "group": "",
    } | overrides
    return sign_token(PassClaims(**values), key_id=KEY_IDS[key], seed=SEEDS[signer or key])


def _public(name: str) -> str:
    return base64.b64encode(bytes(SigningKey(SEEDS[name]).verify_key)).decode()


def _flip(token: str, index: int) -> str:
    replacement = "B" if token[index] != "B" else "C"
    return token[:index] + replacement + token[index + 1 :]


def _raw_token(payload: bytes, signature_bytes: int = 64) -> str:
    signed = f"{PREFIX}:{b32encode(KEY_IDS['current'])}:{b32encode(payload)}"
    signature = SigningKey(SEEDS["current"]).sign(signed.encode()).signature[:signature_bytes]
    return f"{signed}:{b32encode(signature)}"


def _malleated(token: str) -> str:
    """The same token with L added to the signature's S half: still verifies in a lax Ed25519."""
    from xiachen.passes.tokens import ED25519_L, b32decode

    signed, signature_text = token.rsplit(":", 1)
    signature = b32decode(signature_text)
    s = int.from_bytes(signature[32:], "little") + ED25519_L
    return f"{signed}:{b32encode(signature[:32] + s.to_bytes(32, 'little'))}"


def _cases() -> list[dict]:
    good = _token()
    payload_start = len("XC1:AEBAGBA:")
    claims = PassClaims(_pass(1), HOUSEHOLD, COMPOUND, NOW - DAY, NOW + DAY, "")
    bad_group = encode_claims(claims)[:-1] + bytes([99])
    cases = [
        ("valid_in", good, "in", None, 0, "valid"),
        ("valid_out_in_hours", good, "out", 36.5, 0, "valid"),
        ("valid_community_audience", _token(audience_id=COMMUNITY), "in", None, 0, "valid"),
        ("valid_previous_key_in_overlap", _token("previous"), "in", None, 0, "valid"),
        ("valid_with_surrounding_whitespace", f"  {good}\n", "in", None, 0, "valid"),
        ("valid_with_tab_and_crlf", f"\t{good}\r\n", "in", None, 0, "valid"),
        ("leading_byte_order_mark", f"\ufeff{good}", "in", None, 0, "malformed"),
        ("trailing_unit_separator", f"{good}\x1f", "in", None, 0, "malformed"),
        ("trailing_next_line", f"{good}\x85", "in", None, 0, "malformed"),
        ("leading_no_break_space", f"\u00a0{good}", "in", None, 0, "malformed"),
        ("trailing_line_separator", f"{good}\u2028", "in", None, 0, "malformed"),
        ("signature_s_plus_group_order", _malleated(good), "in", None, 0, "bad_signature"),
        ("expired", _token(not_after=NOW - HOUR), "in", None, 0, "expired"),
        ("expired_exactly_at_end", _token(not_after=NOW), "in", None, 0, "expired"),
        ("not_yet_valid", _token(not_before=NOW + HOUR), "in", None, 0, "not_yet_valid"),
        ("unknown_key", _token("stranger"), "in", None, 0, "unknown_key"),
        ("wrong_key", _token("current", signer="stranger"), "in", None, 0, "bad_signature"),
        ("payload_byte_flipped", _flip(good, payload_start + 10), "in", None, 0, "bad_signature"),
        ("signature_byte_flipped", _flip(good, len(good) - 20), "in", None, 0, "bad_signature"),
        ("key_id_flipped", _flip(good, 6), "in", None, 0, "unknown_key"),
        ("wrong_audience", _token(audience_id=OTHER_COMPOUND), "in", None, 0, "wrong_audience"),
        ("revoked_pass", _token(pass_id=REVOKED_PASS), "in", None, 0, "pass_revoked"),
        ("revoked_key", _token("revoked"), "in", None, 0, "key_revoked"),
        ("truncated_half", good[: len(good) // 2], "in", None, 0, "truncated"),
        ("truncated_signature", good[:-8], "in", None, 0, "malformed"),
        ("short_signature", _raw_token(encode_claims(claims), 40), "in", None, 0, "truncated"),
        ("signature_too_short", _raw_token(encode_claims(claims), 60), "in", None, 0, "truncated"),
        ("missing_signature_part", good.rsplit(":", 1)[0], "in", None, 0, "truncated"),
        ("oversize", good + "A" * 300, "in", None, 0, "oversize"),
        ("garbage", "hello, world", "in", None, 0, "malformed"),
        ("empty", "", "in", None, 0, "malformed"),
        ("url_instead_of_token", "https://example.org/pass/123", "in", None, 0, "malformed"),
        ("lowercase", good.lower(), "in", None, 0, "malformed"),
        ("unsupported_version", "XC2" + good[3:], "in", None, 0, "unsupported_version"),
        ("not_base32_digit", good[:20] + "1" + good[21:], "in", None, 0, "malformed"),
        ("non_canonical_padding_bits", good[:-1] + ("B" if good[-1] == "A" else "A"), "in", None, 0, "malformed"),
        ("extra_part", good + ":AAAA", "in", None, 0, "malformed"),
        ("non_ascii", "XC1:通行证:AAAA:BBBB", "in", None, 0, "malformed"),
        ("unknown_group_code", _raw_token(bad_group), "in", None, 0, "malformed"),
        ("fever_at_threshold", good, "in", 37.3, 0, "fever"),
        ("just_below_threshold", good, "out", 37.2, 0, "valid"),
        ("out_after_hours", good, "out", None, 8 * HOUR, "outside_hours"),
        ("in_after_hours", good, "in", None, 8 * HOUR, "valid"),
        ("exempt_out_after_hours", _token(group="medical_staff"), "out", None, 8 * HOUR, "valid"),
        ("household_went_out_recently", _token(household_id=BUSY_HOUSEHOLD), "out", None, 0, "too_frequent"),
        ("exempt_goes_out_again", _token(household_id=BUSY_HOUSEHOLD, group="delivery"), "out", None, 0, "valid"),
    ]
    return [_case(*case) for case in cases] + _household_rule_cases()


PASSING = {"valid", "held_warning", "overstayed"}


def _case(name, token, direction, temperature, shift, reason, policy=None) -> dict:
    case = {
        "name": name,
        "token": token,
        "direction": direction,
        "temperature": temperature,
        "now": NOW + shift,
        "expected": {"valid": reason in PASSING, "reason": reason},
    }
    if policy:
        case["policy"] = policy  # overrides of the corpus policy for this case
    return case


def _household_rule_cases() -> list[dict]:
    """每户外出间隔 (calendar days, any member), the designated member, time out, held at home."""
    busy, late = _token(household_id=BUSY_HOUSEHOLD), _token(household_id=LATE_HOUSEHOLD)
    today_same = _token(household_id=TODAY_HOUSEHOLD, pass_id=TODAY_PASS)
    night_other = _token(household_id=NIGHT_HOUSEHOLD)
    held, designated = _token(pass_id=HELD_PASS), _token(pass_id=DESIGNATED_PASS)
    one_day, all_day_one = {"out_every_days": 1}, {**ALL_DAY, "out_every_days": 1}
    cases = [
        ("same_pass_went_out_yesterday", _token(household_id=BUSY_HOUSEHOLD, pass_id=EARLIER_PASS), "out", None, 0,
         "too_frequent"),
        ("two_calendar_days_later_within_48_hours", late, "out", None, 0, "valid"),
        ("same_pass_two_calendar_days_later", _token(household_id=LATE_HOUSEHOLD, pass_id=LATE_PASS), "out", None, 0,
         "valid"),
        ("three_day_rule_day_before_yesterday", late, "out", None, 0, "too_frequent", {"out_every_days": 3}),
        ("one_day_rule_next_day_within_24_hours", busy, "out", None, 0, "valid", one_day),
        ("one_day_rule_same_person_same_day", today_same, "out", None, 0, "too_frequent", one_day),
        ("one_day_rule_other_member_same_day", _token(household_id=TODAY_HOUSEHOLD), "out", None, 0, "too_frequent",
         one_day),
        ("one_day_rule_two_minutes_after_midnight", night_other, "out", None, 9 * HOUR + 61, "valid", all_day_one),
        ("one_day_rule_before_midnight", night_other, "out", None, 9 * HOUR - 30, "too_frequent", all_day_one),
        ("two_day_rule_after_midnight", night_other, "out", None, 9 * HOUR + 61, "too_frequent",
         {**ALL_DAY, "out_every_days": 2}),
        ("no_interval_rule", busy, "out", None, 0, "valid", {"out_every_days": 0}),
        ("coming_in_is_never_too_frequent", today_same, "in", None, 0, "valid", one_day),
        ("returns_after_the_longest_outing", today_same, "in", None, 0, "overstayed", {"max_hours_out": 4}),
        ("returns_within_the_longest_outing", today_same, "in", None, 0, "valid", {"max_hours_out": 8}),
        ("exempt_returns_late", _token(household_id=TODAY_HOUSEHOLD, pass_id=TODAY_PASS, group="delivery"), "in",
         None, 0, "valid", {"max_hours_out": 4}),
        ("returns_without_an_outing_on_record", _token(), "in", None, 0, "valid", {"max_hours_out": 4}),
        ("late_return_with_fever", today_same, "in", 38.0, 0, "fever", {"max_hours_out": 4}),
        ("designated_member_goes_out", designated, "out", None, 0, "valid", {"designated_only": True}),
        ("other_member_when_designated_only", _token(), "out", None, 0, "not_designated", {"designated_only": True}),
        ("other_member_comes_in_when_designated_only", _token(), "in", None, 0, "valid", {"designated_only": True}),
        ("exempt_member_when_designated_only", _token(group="medical_staff"), "out", None, 0, "valid",
         {"designated_only": True}),
        ("designated_member_after_hours", designated, "out", None, 8 * HOUR, "outside_hours",
         {"designated_only": True}),
        ("designated_member_too_frequent", _token(household_id=BUSY_HOUSEHOLD, pass_id=DESIGNATED_PASS), "out",
         None, 0, "too_frequent", {"designated_only": True}),
        ("held_goes_out", held, "out", None, 0, "held"),
        ("held_goes_out_warned", held, "out", None, 0, "held_warning", {"held_action": "warn"}),
        ("held_comes_in", held, "in", None, 0, "valid"),
        ("held_exempt_goes_out", _token(pass_id=HELD_PASS, group="medical_staff"), "out", None, 0, "held"),
        ("held_exempt_goes_out_warned", _token(pass_id=HELD_PASS, group="medical_staff"), "out", None, 0,
         "held_warning", {"held_action": "warn"}),
        ("held_with_fever", held, "out", 38.5, 0, "fever"),
        ("held_goes_out_after_hours", held, "out", None, 8 * HOUR, "held"),
        ("held_warned_but_after_hours", held, "out", None, 8 * HOUR, "outside_hours", {"held_action": "warn"}),
        ("held_warned_but_too_frequent", _token(household_id=BUSY_HOUSEHOLD, pass_id=HELD_PASS), "out", None, 0,
         "too_frequent", {"held_action": "warn"}),
    ]
    return [_case(*case) for case in cases]


def build() -> dict:
    return {
        "description": "Pass verifier test vectors: same verdict from xiachen/passes/verifier.py and gate/verifier.js",
        "keys": {b32encode(KEY_IDS[name]): _public(name) for name in ("current", "previous", "revoked")},
        "revoked_keys": [b32encode(KEY_IDS["revoked"])],
        "revoked_passes": [str(REVOKED_PASS)],
        "audiences": [str(COMPOUND), str(COMMUNITY)],
        "policy": {
            "version": 3,
            "out_every_days": 2,
            "hours": ["06:00", "22:00"],
            "fever_threshold": 37.3,
            "exempt_groups": ["delivery", "medical_staff"],
            "designated_only": False,
            "max_hours_out": 0,
            "held_action": "refuse",
        },
        "held_passes": [str(HELD_PASS)],
        "designated_passes": [str(DESIGNATED_PASS)],
        # the shape of the policy endpoint's recent_outs, which the gate merges with its own outings
        "recent_outs": [
            {"household": str(household), "pass_id": str(pass_id), "at": at}
            for household, pass_id, at in [
                (BUSY_HOUSEHOLD, EARLIER_PASS, NOW - DAY),  # yesterday 15:00
                (LATE_HOUSEHOLD, LATE_PASS, NOW - 43 * HOUR),  # the day before yesterday, 20:00
                (TODAY_HOUSEHOLD, TODAY_PASS, NOW - 6 * HOUR),  # today 09:00
                (NIGHT_HOUSEHOLD, NIGHT_PASS, NOW + 9 * HOUR - 60),  # today 23:59
            ]
        ],
        "cases": _cases(),
    }


if __name__ == "__main__":
    PATH.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n")
