"""Where a user is reached on each channel: the phone of their cadre or resident record (decrypted
here, inside the transport, and never logged), their e-mail, their 企业微信 member id."""

import contextlib

from django.db import IntegrityError

from .base import NoAddress


def phone_of(user) -> str:
    for profile in ("cadre", "resident"):
        record = getattr(user, profile, None)  # a missing reverse one-to-one reads as None
        if record is not None and record.phone:
            return record.phone
    raise NoAddress("no mobile number")


def email_of(user) -> str:
    if not user.email:
        raise NoAddress("no e-mail address")
    return user.email


def wecom_userid_of(user, app) -> str:
    """The user's WeCom member id: by username, or looked up once by mobile and kept on their settings."""
    from xiachen.notices.models import ChannelPreference

    if getattr(user, "cadre", None) is None and getattr(user, "resident", None) is not None:
        raise NoAddress("residents are not members of the 企业微信")
    if app.config.get("userid_from", "mobile") == "username":
        return user.username
    preference = ChannelPreference.objects.filter(user=user).first()
    if preference and preference.wecom_userid:
        return preference.wecom_userid
    userid = app.userid_by_mobile(phone_of(user))
    with contextlib.suppress(IntegrityError):  # another worker stored it first
        ChannelPreference.objects.update_or_create(user=user, defaults={"wecom_userid": userid})
    return userid
