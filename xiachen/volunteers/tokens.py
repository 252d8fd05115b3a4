"""The signed token an activity's sign-in QR code carries (the roster attendance pattern,
xiachen.rosters.tokens): it names only the activity's public id; a forged token is refused."""

from django.core import signing
from django.urls import reverse

ACTIVITY_SALT = "xiachen.volunteers.activity"
MAX_AGE_SECONDS = 60 * 60 * 24 * 60


def activity_token(activity) -> str:
    return signing.dumps({"activity": str(activity.public_id)}, salt=ACTIVITY_SALT, compress=True)


def activity_of_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=ACTIVITY_SALT, max_age=MAX_AGE_SECONDS)["activity"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def activity_scan_url(request, activity) -> str:
    """The address the activity's QR code encodes (drawn by `{% qr_image %}`)."""
    return request.build_absolute_uri(reverse("resident:volunteer_scan", args=[activity_token(activity)]))
