"""API tokens: issue (shown once), check, revoke (ADR 1821).

A token reads `xc_<prefix>_<secret>`: the prefix finds the row, the stored digest is an HMAC-SHA256
of the whole token under a key derived from SECRET_KEY (SECRET_KEY_FALLBACKS are accepted, so a key
rotation does not cut integrations off at once). The database alone therefore never yields a usable
token. A checked token becomes its service account for the request: the role over the token's units,
narrowed to the permissions its scopes lend (xiachen.accounts.permissions.scope_paths).
"""

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from xiachen.accounts.models import Membership
from xiachen.accounts.permissions import ROLE_PERMISSIONS, require_permission
from xiachen.audit import services as audit

from .enums import SCOPE_PERMISSIONS, TOKEN_ROLES
from .models import ApiToken

logger = logging.getLogger("xiachen.interop")
SALT = "xiachen.interop.api-token"


class TokenError(ValueError):
    pass


def _digest(raw: str, secret: str | None = None) -> str:
    return salted_hmac(SALT, raw, secret=secret, algorithm="sha256").hexdigest()


def _matches(raw: str, digest: str) -> bool:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_digest(raw, key), digest) for key in keys)


def use_audit_interval() -> timedelta:
    return timedelta(seconds=getattr(settings, "XIACHEN_API_TOKEN_USE_AUDIT_SECONDS", 900))


def token_permissions(*, role: str, scopes: list[str]) -> frozenset[str]:
    lent = frozenset().union(*(SCOPE_PERMISSIONS[scope] for scope in scopes if scope in SCOPE_PERMISSIONS))
    return lent & ROLE_PERMISSIONS[role]


@transaction.atomic
def issue_token(
    *, by, name: str, role: str, units: list, scopes: list[str], expires_at: datetime
) -> tuple[ApiToken, str]:
    """The system administrator issues a token; returns (token, the token text, shown once and never stored).

    Raises PermissionDenied for anyone but an administrator, TokenError on a role a token may not
    hold, no unit, no scope or an expiry in the past."""
    require_permission(by, "accounts.manage")
    if role not in TOKEN_ROLES:
        raise TokenError(_("接口令牌不能使用该角色"))
    if not units or not scopes:
        raise TokenError(_("请至少选择一个单位和一项权限范围"))
    if expires_at <= timezone.now():
        raise TokenError(_("到期时间须晚于现在"))
    prefix = secrets.token_hex(4)
    raw = f"xc_{prefix}_{secrets.token_urlsafe(32)}"
    user = get_user_model().objects.create(username=f"api-{prefix}", display_name=_("接口：%(name)s") % {"name": name})
    user.set_unusable_password()
    user.save(update_fields=["password"])
    token = ApiToken.objects.create(name=name, prefix=prefix, digest=_digest(raw), user=user, role=role,
                                    scopes=sorted(scopes), expires_at=expires_at, created_by=by)
    token.units.set(units)
    audit.record(actor=by, action="api_token.issued", target=token,
                 fields={"role": role, "scopes": token.scopes, "units": [str(u.public_id) for u in units]})
    return token, raw


@transaction.atomic
def revoke_token(*, by, token: ApiToken) -> ApiToken:
    """Revoke at once; the service account is disabled too. Revoking twice changes nothing."""
    require_permission(by, "accounts.manage")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
        audit.record(actor=by, action="api_token.revoked", target=token)
    return token


def _parse(raw: str) -> str | None:
    parts = raw.strip().split("_")
    if len(parts) < 3 or parts[0] != "xc" or len(parts[1]) != 8:
        return None
    return parts[1]


def authenticate(raw: str):
    """The token's service account, ready to act, or None for an unknown, wrong, expired or revoked token.
    Never logs the token (only its prefix, which identifies the row and grants nothing)."""
    prefix = _parse(raw or "")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    if token is None or not _matches(raw.strip(), token.digest):
        logger.warning("API token refused (prefix %s)", prefix or "-")
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        logger.warning("API token %s refused: revoked or expired", prefix)
        return None
    _record_use(token, now)
    return acting_user(token)


def acting_user(token: ApiToken):
    """The service account with its memberships (the role over each unit, not stored) and narrowed permissions."""
    user = token.user
    user._xiachen_memberships = [Membership(user=user, role=token.role, unit=unit) for unit in token.units.all()]
    user._xiachen_token_permissions = token_permissions(role=token.role, scopes=token.scopes)
    user.api_token = token
    return user


def require_scope(user, scope: str) -> None:
    """A token must carry the operation's scope even where its role's reading permission would let the
    service through (asking for an errand on behalf needs only `errands.view`). Sessions are not affected."""
    token = getattr(user, "api_token", None)
    if token is not None and scope not in token.scopes:
        raise PermissionDenied(f"scope {scope}")


def _record_use(token: ApiToken, now: datetime) -> None:
    """Count every use; audit the first use of each interval (writes are audited by their services anyway)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, use_count=F("use_count") + 1)
    last = token.last_audited_at
    if last is None or now - last >= use_audit_interval():
        claimed = ApiToken.objects.filter(pk=token.pk, last_audited_at=last).update(last_audited_at=now)
        if claimed:  # one row per interval even when calls race
            audit.record(actor=token.user, action="api_token.used", target=token, role=token.role)
