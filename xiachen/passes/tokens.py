"""The pass token: `XC1:<key id>:<payload>:<signature>`, each part RFC 4648 base32 without padding.

Pure Python (no Django), shared by the server verifier, the `verify_pass` command, the benchmark and
the test-vector generator; `xiachen/static/gate/verifier.js` is its JavaScript twin. The format is
documented in docs/passes-token-format.md. Every failure is a `TokenError` with a reason code.
"""

import base64
import re
import struct
import uuid
from typing import NamedTuple

from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import SigningKey as NaclSigningKey

PREFIX = "XC1"
MAX_TOKEN_LENGTH = 400
KEY_ID_BYTES = 4
SIGNATURE_BYTES = 64
PAYLOAD_FORMAT = ">16s16s16sIIB"  # pass id, household id, audience unit id, not before, not after, group
PAYLOAD_BYTES = struct.calcsize(PAYLOAD_FORMAT)
_PAYLOAD_TAIL = struct.Struct(">IIB")  # after the three 16-byte ids
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_BASE32 = re.compile(r"[A-Z2-7]+")
# RFC 4648 letters → the digits int(…, 32) reads: decoding is one C-level int parse, not a Python loop
# (a bytes table: bytes.translate is three times faster than str.translate's dict lookups)
_TO_INT_DIGITS = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789abcdefghijklmnopqrstuv")
# A well-formed XC1 token: 4-byte key id (7 chars), 57-byte payload (92), 64-byte signature (103)
# The one whitespace rule (docs/passes-token-format.md), identical in gate/verifier.js: only what
# scanners and copy-paste add — space, tab, CR, LF — is stripped from either end. Anything else a
# language's own strip() would also remove (BOM, NBSP, \x1c–\x1f, \x85, U+2028) stays and makes the
# token malformed, so Python and JavaScript can never disagree about which text was signed.
TOKEN_WHITESPACE = " \t\r\n"  # noqa: S105 — not a secret
# Ed25519's group order: a signature's S half must be below it (RFC 8032 §5.1.7). libsodium
# refuses S >= L itself; the check is explicit so the gate's tweetnacl fallback can mirror it.
ED25519_L = 2**252 + 27742317777372353535851937790883648493
_WELL_FORMED = re.compile(r"XC1:([A-Z2-7]{7}):([A-Z2-7]{92}):([A-Z2-7]{103})")

# Exemption groups (docs/vocabulary.md); 0 means "no exemption". Codes never change meaning.
GROUPS = ["", "medical_staff", "cadres_on_duty", "delivery", "utility_repair", "emergency"]


class TokenError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PassClaims(NamedTuple):  # a NamedTuple, not a frozen dataclass: 3× cheaper to build per token
    pass_id: uuid.UUID
    household_id: uuid.UUID
    audience_id: uuid.UUID
    not_before: int
    not_after: int
    group: str = ""


class ParsedToken(NamedTuple):
    """A decoded token. The ids are canonical UUID text, made once at decode time: the verifier
    compares and returns them for every scan; `claims` builds UUID objects only when asked."""

    key_id: str
    signed_part: bytes
    signature: bytes
    pass_id: str
    household_id: str
    audience_id: str
    not_before: int
    not_after: int
    group: str

    @property
    def claims(self) -> PassClaims:
        return PassClaims(
            uuid.UUID(self.pass_id),
            uuid.UUID(self.household_id),
            uuid.UUID(self.audience_id),
            self.not_before,
            self.not_after,
            self.group,
        )


def b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def b32decode(text: str) -> bytes:
    """Canonical unpadded base32 → bytes; the 5·n bits minus whole bytes are padding and must be zero."""
    if not text or len(text) % 8 in (1, 3, 6) or _BASE32.fullmatch(text) is None:
        raise TokenError("malformed")
    size = len(text) * 5 // 8
    padding = len(text) * 5 - size * 8
    value = int(text.encode("ascii").translate(_TO_INT_DIGITS), 32)
    if value & ((1 << padding) - 1):  # non-zero padding bits: one pass, one string
        raise TokenError("malformed")
    return (value >> padding).to_bytes(size, "big")


def _b32_checked(text: str, size: int, padding: int) -> bytes:
    """`b32decode` for a part the token regex already matched (alphabet and length known)."""
    value = int(text.encode("ascii").translate(_TO_INT_DIGITS), 32)
    if value & ((1 << padding) - 1):
        raise TokenError("malformed")
    return (value >> padding).to_bytes(size, "big")


def encode_claims(claims: PassClaims) -> bytes:
    return struct.pack(
        PAYLOAD_FORMAT,
        claims.pass_id.bytes,
        claims.household_id.bytes,
        claims.audience_id.bytes,
        claims.not_before,
        claims.not_after,
        GROUPS.index(claims.group),
    )


def sign_token(claims: PassClaims, *, key_id: bytes, seed: bytes) -> str:
    """The token for `claims`, signed by the Ed25519 key with this 32-byte seed."""
    signed_part = f"{PREFIX}:{b32encode(key_id)}:{b32encode(encode_claims(claims))}"
    signature = NaclSigningKey(seed).sign(signed_part.encode()).signature
    return f"{signed_part}:{b32encode(signature)}"


def parse_token(token: str) -> ParsedToken:
    """Split and decode a token without checking its signature. Raises TokenError."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("oversize")
    token = token.strip(TOKEN_WHITESPACE)
    match = _WELL_FORMED.fullmatch(token)
    if match is not None:  # the common case: one regex, then only the canonical-padding checks
        key_id = match[1]
        _b32_checked(key_id, KEY_ID_BYTES, 3)
        payload = _b32_checked(match[2], PAYLOAD_BYTES, 4)
        signature = _b32_checked(match[3], SIGNATURE_BYTES, 3)
        return _parsed(key_id, payload, token[: match.end(2)].encode(), signature)
    parts = token.split(":")
    if parts[0] != PREFIX:
        raise TokenError("unsupported_version" if parts[0].startswith("XC") else "malformed")
    if len(parts) != 4:
        raise TokenError("truncated" if len(parts) < 4 else "malformed")
    key_id, payload, signature = (b32decode(part) for part in parts[1:])
    if len(key_id) != KEY_ID_BYTES or len(payload) != PAYLOAD_BYTES or len(signature) != SIGNATURE_BYTES:
        raise TokenError("truncated")
    return _parsed(parts[1], payload, token.rsplit(":", 1)[0].encode(), signature)


def _parsed(key_id: str, payload: bytes, signed_part: bytes, signature: bytes) -> ParsedToken:
    not_before, not_after, group = _PAYLOAD_TAIL.unpack_from(payload, 48)
    if group >= len(GROUPS):
        raise TokenError("malformed")
    h = payload.hex()  # the three 16-byte ids as text in one conversion
    return ParsedToken(
        key_id,
        signed_part,
        signature,
        f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
        f"{h[32:40]}-{h[40:44]}-{h[44:48]}-{h[48:52]}-{h[52:64]}",
        f"{h[64:72]}-{h[72:76]}-{h[76:80]}-{h[80:84]}-{h[84:96]}",
        not_before,
        not_after,
        GROUPS[group],
    )


def signature_is_valid(parsed: ParsedToken, public_key: bytes) -> bool:
    """Ed25519 over the signed part, refusing a non-canonical S (S >= L: a malleated signature)."""
    if int.from_bytes(parsed.signature[32:], "little") >= ED25519_L:
        return False
    try:
        crypto_sign_open(parsed.signature + parsed.signed_part, public_key)
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        return False
    return True
