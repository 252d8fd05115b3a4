"""The token format and the Python verifier against the test-vector corpus; the decoder fuzzed."""

import base64
import json

import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from xiachen.passes.rules import policy_from
from xiachen.passes.tokens import MAX_TOKEN_LENGTH, TokenError, parse_token
from xiachen.passes.verifier import Scan, Snapshot, TrustedKey, verify

from .vector_builder import PATH, build

CORPUS = json.loads(PATH.read_text())


def snapshot_of(corpus: dict, case: dict | None = None) -> Snapshot:
    """The corpus snapshot; a case's "policy" overrides fields of the corpus policy (as in the JS runner)."""
    policy = corpus["policy"] | ((case or {}).get("policy") or {})
    return Snapshot(
        keys={kid: TrustedKey(base64.b64decode(pub), "") for kid, pub in corpus["keys"].items()},
        revoked_keys=frozenset(corpus["revoked_keys"]),
        revoked_passes=frozenset(corpus["revoked_passes"]),
        audiences=frozenset(corpus["audiences"]),
        policy=policy_from({k: v for k, v in policy.items() if k != "version"}, policy["version"]),
        held_passes=frozenset(corpus["held_passes"]),
        designated_passes=frozenset(corpus["designated_passes"]),
    )


def scan_of(corpus: dict, case: dict) -> Scan:
    outs = corpus["recent_outs"]

    def outs_of(household):
        return [(o["pass_id"], o["at"]) for o in outs if o["household"] == household]

    return Scan(case["now"], case["direction"], case["temperature"], outs_of)


def test_committed_corpus_is_what_the_builder_makes():
    assert json.loads(json.dumps(build())) == CORPUS


def test_corpus_has_at_least_25_cases_of_every_kind():
    reasons = {case["expected"]["reason"] for case in CORPUS["cases"]}
    assert len(CORPUS["cases"]) >= 25
    assert {
        "valid",
        "expired",
        "not_yet_valid",
        "unknown_key",
        "bad_signature",
        "wrong_audience",
        "pass_revoked",
        "key_revoked",
        "truncated",
        "oversize",
        "malformed",
    } <= reasons


def test_python_verifier_gives_every_expected_verdict():
    actual = {c["name"]: verify(c["token"], snapshot_of(CORPUS, c), scan_of(CORPUS, c)) for c in CORPUS["cases"]}
    assert {n: {"valid": v.valid, "reason": v.reason} for n, v in actual.items()} == {
        c["name"]: c["expected"] for c in CORPUS["cases"]
    }


def test_pass_fits_qr_version_10_at_level_m_in_alphanumeric_mode():
    token = CORPUS["cases"][0]["token"]
    qr = segno.make(token, error="m", boost_error=False)
    assert qr.mode == "alphanumeric"
    assert qr.version <= 10
    assert qr.error == "M"


def test_longest_possible_token_still_fits_version_10():
    token = max((c["token"] for c in CORPUS["cases"] if c["expected"]["valid"]), key=len).strip()
    assert segno.make(token, error="m", boost_error=False).version <= 10


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=MAX_TOKEN_LENGTH + 50))
def test_decoder_never_crashes_on_text(text):
    try:
        parse_token(text)
    except TokenError as error:
        assert error.reason in {"oversize", "malformed", "truncated", "unsupported_version"}


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=207), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567:=10 x"))
def test_any_single_character_change_is_a_clean_rejection(position, character):
    case = CORPUS["cases"][0]
    token = case["token"]
    mutated = token[:position] + character + token[position + 1 :]
    verdict = verify(mutated, snapshot_of(CORPUS), scan_of(CORPUS, case))
    assert verdict.valid == (mutated == token)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), min_size=0, max_size=120).map("".join),
    st.lists(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), min_size=0, max_size=120).map("".join),
)
def test_well_formed_looking_garbage_is_rejected(payload, signature):
    verdict = verify(f"XC1:AEBAGBA:{payload}:{signature}", snapshot_of(CORPUS), Scan(0))
    assert not verdict.valid
