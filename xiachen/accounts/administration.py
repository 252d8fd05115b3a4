"""The system administrator's writes on accounts and role memberships. Every one is audited.

Keyword-only, atomic, permission-checked (`accounts.manage` over the unit concerned). Refusals are
`AccountError`s with a Chinese message for the page. Temporary passwords are returned to the caller
to show once and are never stored or audited in clear.

Granting the organization department's or the system administrator's role takes a second
administrator (ADR 1401): `assign_role` files a pending `RoleGrant` for those roles and
`approve_grant` by a different administrator creates the membership.
"""

import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.audit import services as audit

from .enums import Role
from .models import GrantStatus, Membership, RoleGrant, User
from .permissions import require_permission
from .services import end_sessions_of

# Roles whose grant waits for a second administrator.
PRIVILEGED_ROLES = frozenset({Role.ORG_DEPARTMENT, Role.SYSTEM_ADMIN})
# Residents get their account by signing up with their phone on the resident site.
ASSIGNABLE_ROLES = [role for role in Role if role != Role.RESIDENT]
# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(Exception):
    """An account change refused for a reason the administrator can act on (message in Chinese)."""


def temporary_password() -> str:
    """Twelve random characters in three groups, e.g. `k7dm-p2qx-9hta` (about 59 bits)."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


@transaction.atomic
def create_user(*, by: User, username: str, display_name: str, email: str = "") -> tuple[User, str]:
    """Create an account with a temporary password it must change at first sign-in.

    Returns (user, temporary password); the caller shows the password once. Raises AccountError
    when the username is taken (compared without case).
    """
    require_permission(by, "accounts.manage")
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("用户名“%(username)s”已被使用") % {"username": username})
    password = temporary_password()
    user = User(username=username, display_name=display_name.strip(), email=email.strip(), must_change_password=True)
    user.set_password(password)
    user.save()
    audit.record(actor=by, action="user.created", target=user, fields={"fields": ["username", "display_name"]})
    return user, password


@transaction.atomic
def update_user(*, by: User, user: User, display_name: str, email: str = "") -> User:
    """Change an account's name and e-mail; audits the names of the fields changed (not values)."""
    require_permission(by, "accounts.manage")
    changed = [name for name, value in (("display_name", display_name.strip()), ("email", email.strip()))
               if getattr(user, name) != value]
    if changed:
        user.display_name, user.email = display_name.strip(), email.strip()
        user.save(update_fields=changed)
        audit.record(actor=by, action="user.updated", target=user, fields={"fields": changed})
    return user


@transaction.atomic
def set_user_active(*, by: User, user: User, active: bool, reason: str = "") -> User:
    """Disable (ending every session at once) or enable an account. Nobody disables themself."""
    require_permission(by, "accounts.manage")
    if user.pk == by.pk and not active:
        raise AccountError(_("不能停用自己的账号"))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if active:
        audit.record(actor=by, action="user.enabled", target=user, fields={"reason": reason})
    else:
        ended = end_sessions_of(user)
        audit.record(actor=by, action="user.disabled", target=user, fields={"reason": reason, "sessions_ended": ended})
    return user


@transaction.atomic
def unlock_user(*, by: User, username: str) -> int:
    """Clear django-axes' failed sign-ins for `username` (every address); returns how many were cleared."""
    require_permission(by, "accounts.manage")
    attempts = AccessAttempt.objects.filter(username=username).count()
    axes_reset(username=username)
    target = User.objects.filter(username=username).first() or ("accounts.User", username)
    audit.record(actor=by, action="user.unlocked", target=target, fields={"attempts_cleared": attempts})
    return attempts


@transaction.atomic
def reset_password(*, by: User, user: User) -> str:
    """Issue a temporary password (returned, shown once), end the account's sessions, and require a
    new password at the next sign-in. Also clears a lockout, since the person is being helped in."""
    require_permission(by, "accounts.manage")
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ended = end_sessions_of(user)
    axes_reset(username=user.username)
    audit.record(actor=by, action="user.password_reset", target=user, fields={"sessions_ended": ended})
    return password


@transaction.atomic
def reset_totp(*, by: User, user: User) -> int:
    """Remove the account's authenticator devices and end its sessions: the next sign-in enrols again."""
    require_permission(by, "accounts.manage")
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    ended = end_sessions_of(user)
    audit.record(actor=by, action="user.totp_reset", target=user, fields={"devices": removed, "sessions_ended": ended})
    return removed


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> User:
    """The account holder sets a new password (validated by the project's validators) and the
    must-change flag clears. Raises django's ValidationError with the validators' messages."""
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="user.password_changed", target=user)
    return user


@transaction.atomic
def assign_role(*, by: User, user: User, role: str, unit) -> Membership | RoleGrant:
    """Give `user` `role` over `unit` and its subtree.

    For the organization department's and the system administrator's role this only files a
    pending RoleGrant (returned) for a second administrator. Raises AccountError when the user
    already holds the role there, a grant is already pending, or the role cannot be assigned here.
    """
    require_permission(by, "accounts.manage", unit)
    if role not in ASSIGNABLE_ROLES:
        raise AccountError(_("居民账号由居民在居民端自行注册，不能在此授予"))
    if Membership.objects.filter(user=user, role=role, unit=unit, is_active=True).exists():
        raise AccountError(_("该用户已在此单位拥有该角色"))
    if role in PRIVILEGED_ROLES:
        return _file_grant(by=by, user=user, role=role, unit=unit)
    membership = _activate_membership(user=user, role=role, unit=unit)
    audit.record(actor=by, action="role.assigned", target=user, fields={"role": role, "unit": unit.code})
    return membership


def _file_grant(*, by: User, user: User, role: str, unit) -> RoleGrant:
    if RoleGrant.objects.filter(user=user, role=role, unit=unit, status=GrantStatus.PENDING).exists():
        raise AccountError(_("已有同样的授予申请在等待批准"))
    grant = RoleGrant.objects.create(user=user, role=role, unit=unit, requested_by=by)
    audit.record(actor=by, action="role.grant_requested", target=grant,
                 fields={"user": user.username, "role": role, "unit": unit.code})
    return grant


def _activate_membership(*, user: User, role: str, unit) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, role=role, unit=unit)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def approve_grant(*, by: User, grant: RoleGrant) -> Membership:
    """A second administrator approves a pending grant; the membership then exists.

    Raises AccountError when `by` filed the grant, is the person receiving the role, or the grant
    was already decided.
    """
    grant = _locked_pending(by=by, grant=grant)
    if grant.requested_by_id == by.pk:
        raise AccountError(_("不能批准自己提出的授予申请，须由另一名系统管理员批准"))
    if grant.user_id == by.pk:
        raise AccountError(_("不能批准授予自己的角色"))
    membership = _activate_membership(user=grant.user, role=grant.role, unit=grant.unit)
    _decide(grant, by=by, status=GrantStatus.APPROVED)
    audit.record(actor=by, action="role.grant_approved", target=grant,
                 fields={"user": grant.user.username, "role": grant.role, "unit": grant.unit.code})
    return membership


@transaction.atomic
def reject_grant(*, by: User, grant: RoleGrant) -> RoleGrant:
    """Turn down a pending grant (the requester may withdraw their own this way)."""
    grant = _locked_pending(by=by, grant=grant)
    _decide(grant, by=by, status=GrantStatus.REJECTED)
    audit.record(actor=by, action="role.grant_rejected", target=grant,
                 fields={"user": grant.user.username, "role": grant.role, "unit": grant.unit.code})
    return grant


def _locked_pending(*, by: User, grant: RoleGrant) -> RoleGrant:
    require_permission(by, "accounts.manage", grant.unit)
    grant = RoleGrant.objects.select_for_update().select_related("user", "unit").get(pk=grant.pk)
    if grant.status != GrantStatus.PENDING:
        raise AccountError(_("该申请已处理"))
    return grant


def _decide(grant: RoleGrant, *, by: User, status: str) -> None:
    grant.status, grant.decided_by, grant.decided_at = status, by, timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def withdraw_role(*, by: User, membership: Membership) -> Membership:
    """End a membership (kept, inactive, as history). Takes effect on the holder's next request.
    An administrator cannot withdraw their own system-administrator role."""
    require_permission(by, "accounts.manage", membership.unit)
    if membership.user_id == by.pk and membership.role == Role.SYSTEM_ADMIN:
        raise AccountError(_("不能撤销自己的系统管理员角色"))
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
        audit.record(actor=by, action="role.withdrawn", target=membership.user,
                     fields={"role": membership.role, "unit": membership.unit.code})
    return membership


def check_new_password(password: str, user: User | None = None) -> list[str]:
    """The validators' messages for `password` (empty: acceptable)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []
