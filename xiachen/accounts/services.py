"""Account writes: second-factor enrolment and verification, disabling accounts. All audited."""

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.audit import services as audit

from .models import User


def may_enrol_totp(*, user: User) -> bool:
    """Whether `user` may enrol a TOTP device in this session.

    A first device needs only the password (the account has no second factor yet). A replacement
    needs the current factor in this session (`is_verified()`), so a stolen password alone never
    enrols the thief's authenticator; a user who lost theirs asks an administrator to reset it,
    which removes the confirmed devices and makes the next enrolment a first one.
    """
    has_confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return not has_confirmed or bool(getattr(user, "is_verified", lambda: False)())


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first visit to the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="xiachen", confirmed=False)


def confirm_totp_device(*, user: User, device: TOTPDevice, token: str, request) -> bool:
    """Confirm enrolment when `token` is valid for the pending device; marks the session verified.

    Refuses (PermissionDenied) unless `may_enrol_totp` allows it. A confirmed replacement removes
    the user's earlier devices: one authenticator per account, the lost one stops working.
    """
    if not may_enrol_totp(user=user):
        audit.record(actor=user, action="otp.enrol_refused", target=user, result="denied")
        raise PermissionDenied
    return _confirm(user=user, device=device, token=token, request=request)


@transaction.atomic
def _confirm(*, user: User, device: TOTPDevice, token: str, request) -> bool:
    if not device.verify_token(token):
        audit.record(actor=user, action="otp.enrol_failed", target=user, result="denied")
        return False
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record(actor=user, action="otp.replaced" if replaced else "otp.enrolled", target=user)
    return True


def verify_totp(*, user: User, token: str, request) -> bool:
    """Check `token` against the user's confirmed devices; on success the session counts as verified."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            audit.record(actor=user, action="otp.verified", target=user)
            return True
    audit.record(actor=user, action="otp.failed", target=user, result="denied")
    return False


@transaction.atomic
def disable_user(*, by: User, user: User, reason: str) -> User:
    """Disable an account and end all its sessions at once."""
    from .permissions import require_permission

    require_permission(by, "accounts.view")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions_of(user)
    audit.record(actor=by, action="user.disabled", target=user, fields={"reason": reason, "sessions_ended": ended})
    return user


def end_sessions_of(user: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended
