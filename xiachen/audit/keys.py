"""The keys that make the audit chain's digests unforgeable, and the anchor file outside the database.

A plain SHA-256 chain proves nothing against someone who can write to the database: they rewrite
a row and recompute every later digest. Each digest is therefore an HMAC-SHA256 under a key kept
outside the database (`XIACHEN_AUDIT_KEYS`, base64, comma-separated; the first signs, the others
only verify — rotated like the field keys). Each event records which key signed it (`key_id`);
events written before keys existed carry "" and a plain SHA-256 digest.

Deleting the newest rows or emptying the table leaves a shorter chain that is still consistent,
so a signed checkpoint — event count, last id and head digest, HMAC'd with the current key — is
appended daily to a file outside the database (`XIACHEN_AUDIT_ANCHOR_FILE`, opened in append
mode; production points it at a separate, append-only log destination). Verification checks the
chain against every checkpoint in that file.
"""

import base64
import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from django.conf import settings


class AuditKeyError(RuntimeError):
    pass


@lru_cache(maxsize=4)
def _parse(spec: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        try:
            raw = base64.b64decode(item, validate=True)
        except ValueError as error:
            raise AuditKeyError("XIACHEN_AUDIT_KEYS holds a value that is not base64") from error
        if len(raw) < 32:
            raise AuditKeyError("each XIACHEN_AUDIT_KEYS key needs at least 32 random bytes")
        keys.append((key_id(raw), raw))
    if not keys:
        raise AuditKeyError("XIACHEN_AUDIT_KEYS is empty")
    return tuple(keys)


def key_id(raw: bytes) -> str:
    """A short public name of a key (never the key): the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(b"xiachen-audit-key:" + raw).hexdigest()[:8]


def keys() -> tuple[tuple[str, bytes], ...]:
    return _parse(settings.XIACHEN_AUDIT_KEYS)


def current() -> tuple[str, bytes]:
    """(key id, key) that signs new events and checkpoints."""
    return keys()[0]


def by_id(identifier: str) -> bytes | None:
    return dict(keys()).get(identifier)


def mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_path() -> Path:
    return Path(settings.XIACHEN_AUDIT_ANCHOR_FILE)
