"""Encryption at rest (AES-256-GCM) and keyed blind indexes for personal data.

Token format (ADR 0003, 1508), base64 of:

    version 0x02 (1 byte) || key id (4 bytes) || nonce (12 bytes) || ciphertext || GCM tag (16 bytes)

The key id is a fingerprint of the key (not its position in the list), so decryption goes straight to
the right key and a value written with a key that is no longer configured says so. Every ciphertext is
bound by AES-GCM associated data to where it is stored (`field_context`: table, column, row), so a
value copied into another row or column fails to decrypt instead of being read as that row's value.

Version 0x01 tokens (before ADR 1508) carry no associated data and a key slot byte that was always 0;
only `open_any`, used when re-sealing old rows, still reads them.
"""

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

LEGACY_VERSION = 1
VERSION = 2
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = 1 + KEY_ID_BYTES + NONCE_BYTES
_LEGACY_HEADER = 2 + NONCE_BYTES


class DecryptionError(ValueError):
    """A stored value that cannot be read: malformed, from an unknown key, moved, or tampered with.
    The message never contains the value."""


def key_id(key: bytes) -> bytes:
    """The 4-byte fingerprint written into every token made with `key`."""
    return hashlib.sha256(b"xiachen.field-key-id\x00" + key).digest()[:KEY_ID_BYTES]


@lru_cache(maxsize=8)
def _keyring(raw: str) -> tuple[tuple[bytes, bytes], ...]:
    """(key id, key) pairs in configured order; the first encrypts."""
    try:
        keys = tuple(base64.b64decode(part.strip(), validate=True) for part in raw.split(",") if part.strip())
    except (binascii.Error, ValueError):
        raise ValueError("XIACHEN_FIELD_KEYS must hold base64 32-byte keys") from None
    if not keys or any(len(key) != 32 for key in keys):
        raise ValueError("XIACHEN_FIELD_KEYS must hold base64 32-byte keys")
    ring = tuple((key_id(key), key) for key in keys)
    if len({kid for kid, _ in ring}) != len(ring):
        raise ValueError("XIACHEN_FIELD_KEYS lists the same key twice")
    return ring


def _ring() -> tuple[tuple[bytes, bytes], ...]:
    return _keyring(settings.XIACHEN_FIELD_KEYS)


def field_keys() -> tuple[bytes, ...]:
    return tuple(key for _, key in _ring())


def current_key_id() -> bytes:
    return _ring()[0][0]


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def field_context(table: str, column: str, row: str) -> bytes:
    """The associated data binding a value to its place: table, column and a row identifier that is
    known before the row is inserted (the row's public UUID, see `EncryptedTextField`)."""
    if not row:
        raise ValueError("a sealed value needs its row identifier")
    return "\x00".join(("xiachen.field", table, column, row)).encode()


def encrypt(plaintext: str, *, associated_data: bytes) -> str:
    """Encrypt with the current key, bound to `associated_data`; ASCII, different on every call."""
    kid, key = _ring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key).encrypt(nonce, plaintext.encode(), associated_data)
    return base64.b64encode(bytes([VERSION]) + kid + nonce + sealed).decode()


def _unbase64(token) -> bytes:
    if not isinstance(token, str | bytes):
        raise DecryptionError("a ciphertext must be text")
    try:
        return base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("not base64") from None


def _text(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise DecryptionError("the plaintext is not UTF-8") from None


def _open_current(raw: bytes, associated_data: bytes) -> str:
    if len(raw) < _HEADER + TAG_BYTES:
        raise DecryptionError("truncated ciphertext")
    kid, nonce, sealed = raw[1:1 + KEY_ID_BYTES], raw[1 + KEY_ID_BYTES:_HEADER], raw[_HEADER:]
    key = dict(_ring()).get(kid)
    if key is None:
        raise DecryptionError(f"no configured key has id {kid.hex()}")
    try:
        return _text(_cipher(key).decrypt(nonce, sealed, associated_data))
    except InvalidTag:
        raise DecryptionError("authentication failed: tampered, or stored in another row or column") from None


def decrypt(token: str, *, associated_data: bytes) -> str:
    """Decrypt a value written by `encrypt` with the same associated data. Raises DecryptionError for
    anything else, including unbound tokens of the old format."""
    raw = _unbase64(token)
    if raw[:1] != bytes([VERSION]):
        raise DecryptionError("unknown or outdated ciphertext version")
    return _open_current(raw, associated_data)


def _open_legacy(raw: bytes) -> str:
    if len(raw) < _LEGACY_HEADER + TAG_BYTES:
        raise DecryptionError("truncated ciphertext")
    nonce, sealed = raw[2:_LEGACY_HEADER], raw[_LEGACY_HEADER:]
    for key in field_keys():
        try:
            return _text(_cipher(key).decrypt(nonce, sealed, None))
        except InvalidTag:
            continue
    raise DecryptionError("no configured key decrypts this value")


def open_any(token: str, *, associated_data: bytes) -> tuple[str, bool]:
    """For re-sealing only: the plaintext of a current or legacy (unbound) token, and whether it is
    already current (version 2, current key). Raises DecryptionError like `decrypt`."""
    raw = _unbase64(token)
    if raw[:1] == bytes([LEGACY_VERSION]):
        return _open_legacy(raw), False
    plaintext = decrypt(token, associated_data=associated_data)
    return plaintext, raw[1:1 + KEY_ID_BYTES] == current_key_id()


def encrypt_legacy(plaintext: str) -> str:
    """A version-1 token (no associated data): only to undo the re-sealing migrations."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(field_keys()[0]).encrypt(nonce, plaintext.encode(), None)
    return base64.b64encode(bytes([LEGACY_VERSION, 0]) + nonce + sealed).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed HMAC of a normalized value, for exact lookup without decrypting every row."""
    key = hashlib.sha256(settings.XIACHEN_BLIND_INDEX_KEY.encode() + purpose.encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
