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


# A call-out invitation's one-tap reply link (no login: the signed token is the credential). It names
# the invite and the reply deadline; the reply service refuses a second answer, so a reused link
# only shows the answer already given.
INVITE_SALT = "xiachen.volunteers.callout-invite"


def invite_token(invite) -> str:
    return token_for(invite.public_id, invite.call_out.reply_deadline)


def token_for(public_id, deadline) -> str:
    return signing.dumps({"invite": str(public_id), "until": int(deadline.timestamp())}, salt=INVITE_SALT)


def invite_of_token(token: str, *, now=None) -> tuple[str | None, bool]:
    """(invite public id, expired) of a reply token; (None, False) when forged or malformed."""
    import time

    try:
        claims = signing.loads(token, salt=INVITE_SALT)
        public_id, until = str(claims["invite"]), int(claims["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, False
    moment = time.time() if now is None else now.timestamp()
    return public_id, moment > until


def reply_url_base() -> str:
    """The reply address up to the token (XIACHEN_SITE_URL in front, when set)."""
    from django.conf import settings

    site = (getattr(settings, "XIACHEN_SITE_URL", "") or "").rstrip("/")
    return site + reverse("volunteers:callout_reply", args=["T"])[:-2]


def invite_reply_url(invite) -> str:
    """The absolute reply address put into the message."""
    return reply_url_base() + invite_token(invite) + "/"
