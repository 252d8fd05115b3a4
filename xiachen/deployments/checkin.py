"""Arrival (报到) codes: a receiving unit shows a QR code; a cadre's phone opens it to report for duty.

The code is a signed, expiring token naming the unit, so it cannot be forged or reused elsewhere.
"""

from django.core import signing
from django.urls import reverse

SALT = "xiachen.deployments.checkin"
MAX_AGE_SECONDS = 60 * 60 * 24 * 90


def checkin_token(unit) -> str:
    return signing.dumps({"unit": str(unit.public_id)}, salt=SALT, compress=True)


def unit_of_token(token: str) -> str | None:
    """The unit public id in a valid token, or None for a forged or expired one."""
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)["unit"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def checkin_url(request, unit) -> str:
    """The address the unit's arrival QR code encodes (drawn by `{% qr_image %}`)."""
    return request.build_absolute_uri(reverse("deployments:checkin", args=[checkin_token(unit)]))
