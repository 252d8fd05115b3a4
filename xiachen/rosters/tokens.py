"""Signed tokens: the QR code a post shows for attendance, and a cadre's calendar subscription link.

Both are signed (not encrypted) and name only public ids; a forged or altered token is refused.
"""

from django.core import signing
from django.urls import reverse

POST_SALT = "xiachen.rosters.post"
CALENDAR_SALT = "xiachen.rosters.calendar"
POST_MAX_AGE_SECONDS = 60 * 60 * 24 * 180


def post_token(post) -> str:
    return signing.dumps({"post": str(post.public_id)}, salt=POST_SALT, compress=True)


def post_of_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=POST_SALT, max_age=POST_MAX_AGE_SECONDS)["post"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


CALENDAR_MAX_AGE_SECONDS = 60 * 60 * 24 * 366  # a subscription link lives a year, then the cadre copies a new one


def calendar_token(cadre) -> str:
    """The cadre's current subscription token: their public id and feed version, signed and dated."""
    payload = {"cadre": str(cadre.public_id), "v": cadre.calendar_feed_version}
    return signing.dumps(payload, salt=CALENDAR_SALT, compress=True)


def calendar_claims(token: str) -> tuple[str, int] | None:
    """(cadre public id, feed version) of a valid, unexpired token; None otherwise. The caller
    compares the version with the cadre's current one (a reset link is refused)."""
    try:
        payload = signing.loads(token, salt=CALENDAR_SALT, max_age=CALENDAR_MAX_AGE_SECONDS)
        return payload["cadre"], int(payload.get("v", 0))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def post_scan_url(request, post) -> str:
    """The address the post's attendance QR code encodes (drawn by `{% qr_image %}`): the phone app's
    clock-in (xiachen/field), which works offline and sends the phone's position with the scan."""
    return request.build_absolute_uri(reverse("field:scan", args=[post_token(post)]))
