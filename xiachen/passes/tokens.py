"""The pass token: `XC1:<key id>:<payload>:<signature>`, each part RFC 4648 base32 without padding.

Pure Python (no Django), shared by the server verifier, the `verify_pass` command, the benchmark and
the test-vector generator; `xiachen/static/gate/verifier.js` is its JavaScript twin. The format is
documented in docs/passes-token-format.md. Every failure is a `TokenError` with a reason code.
"""

import base64
import binascii
import struct
import uuid
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey as NaclSigningKey
from nacl.signing import VerifyKey

PREFIX = "XC1"
MAX_TOKEN_LENGTH = 400
KEY_ID_BYTES = 4
SIGNATURE_BYTES = 64
PAYLOAD_FORMAT = ">16s16s16sIIB"  # pass id, household id, audience unit id, not before, not after, group
PAYLOAD_BYTES = struct.calcsize(PAYLOAD_FORMAT)
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

# Exemption groups (VOCABULARY.md); 0 means "no exemption". Codes never change meaning.
GROUPS = ["", "medical_staff", "cadres_on_duty", "delivery", "utility_repair", "emergency"]


class TokenError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PassClaims:
    pass_id: uuid.UUID
    household_id: uuid.UUID
    audience_id: uuid.UUID
    not_before: int
    not_after: int
    group: str = ""


@dataclass(frozen=True)
class ParsedToken:
    key_id: str
    claims: PassClaims
    signed_part: bytes
    signature: bytes


def b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def b32decode(text: str) -> bytes:
    if not text or not set(text) <= ALPHABET or len(text) % 8 in (1, 3, 6):
        raise TokenError("malformed")
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as error:
        raise TokenError("malformed") from error
    if b32encode(data) != text:  # non-zero padding bits: one pass, one string
        raise TokenError("malformed")
    return data


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
    token = token.strip()
    parts = token.split(":")
    if parts[0] != PREFIX:
        raise TokenError("unsupported_version" if parts[0].startswith("XC") else "malformed")
    if len(parts) != 4:
        raise TokenError("truncated" if len(parts) < 4 else "malformed")
    key_id, payload, signature = (b32decode(part) for part in parts[1:])
    if len(key_id) != KEY_ID_BYTES or len(payload) != PAYLOAD_BYTES or len(signature) != SIGNATURE_BYTES:
        raise TokenError("truncated")
    pass_id, household_id, audience_id, not_before, not_after, group = struct.unpack(PAYLOAD_FORMAT, payload)
    if group >= len(GROUPS):
        raise TokenError("malformed")
    claims = PassClaims(
        uuid.UUID(bytes=pass_id),
        uuid.UUID(bytes=household_id),
        uuid.UUID(bytes=audience_id),
        not_before,
        not_after,
        GROUPS[group],
    )
    return ParsedToken(parts[1], claims, token.rsplit(":", 1)[0].encode(), signature)


def signature_is_valid(parsed: ParsedToken, public_key: bytes) -> bool:
    try:
        VerifyKey(public_key).verify(parsed.signed_part, parsed.signature)
    except (BadSignatureError, ValueError):
        return False
    return True
