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


def calendar_token(cadre) -> str:
    return signing.dumps({"cadre": str(cadre.public_id)}, salt=CALENDAR_SALT, compress=True)


def cadre_of_calendar_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=CALENDAR_SALT)["cadre"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def post_scan_url(request, post) -> str:
    """The address the post's attendance QR code encodes (drawn by `{% qr_image %}`)."""
    return request.build_absolute_uri(reverse("rosters:scan", args=[post_token(post)]))
