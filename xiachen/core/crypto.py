"""Encryption at rest (AES-256-GCM) and keyed blind indexes for personal data.

Ciphertexts carry the index of the key that produced them, so keys can rotate: the first configured
key encrypts, every configured key decrypts, and `rotate_field_keys` re-encrypts old rows.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"


class DecryptionError(ValueError):
    pass


@lru_cache(maxsize=8)
def _keys(raw: str) -> tuple[bytes, ...]:
    keys = tuple(base64.b64decode(part.strip()) for part in raw.split(",") if part.strip())
    if not keys or any(len(key) != 32 for key in keys):
        raise ValueError("XIACHEN_FIELD_KEYS must hold base64 32-byte keys")
    return keys


def field_keys() -> tuple[bytes, ...]:
    return _keys(settings.XIACHEN_FIELD_KEYS)


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    """Encrypt with the current key; the result is ASCII (base64) and differs on every call."""
    nonce = os.urandom(12)
    sealed = _cipher(field_keys()[0]).encrypt(nonce, plaintext.encode(), None)
    return base64.b64encode(_VERSION + bytes([0]) + nonce + sealed).decode()


def decrypt(token: str) -> str:
    """Decrypt a value written by `encrypt` with any configured key. Raises DecryptionError."""
    raw = base64.b64decode(token)
    if raw[:1] != _VERSION:
        raise DecryptionError("unknown ciphertext version")
    nonce, sealed = raw[2:14], raw[14:]
    for key in field_keys():
        try:
            return _cipher(key).decrypt(nonce, sealed, None).decode()
        except Exception:  # noqa: S112 — try the next configured key
            continue
    raise DecryptionError("no configured key decrypts this value")


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed HMAC of a normalized value, for exact lookup without decrypting every row."""
    key = hashlib.sha256(settings.XIACHEN_BLIND_INDEX_KEY.encode() + purpose.encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
