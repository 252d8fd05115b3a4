"""Who an OpenID Connect sign-in is, and what it may do: the service behind the OIDC backend.

The provider's claims have already been checked by the backend (signature, issuer, audience, expiry,
nonce, PKCE). Here they become a local user: by the (issuer, subject) link only; a first sign-in
links or creates per the settings; refusals are audited with their reason, never with claim values.
"""

import time
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login

from xiachen.accounts.models import User
from xiachen.audit import services as audit

from .directory_roles import holds_privileged_role, sync_directory_roles
from .models import ExternalAccount, IdentityProviderDevice, Source

SECOND_FACTOR_IDP = "idp"


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


class SignInRefused(Exception):
    """The provider vouched for someone this installation does not let in; `reason` is a short code."""

    def __init__(self, reason: str, user: User | None = None):
        super().__init__(reason)
        self.reason, self.user = reason, user


def user_for_claims(*, request, token_claims: dict, claims: dict) -> User:
    """The active local user the provider signed in, with profile and directory roles refreshed.

    `token_claims` come from the verified ID token, `claims` from the userinfo endpoint (same `sub`).
    Raises SignInRefused (audited) for an unknown person when unknown users are refused, a username
    already held by an unlinked local account, a disabled account, or a locked-out username+IP.
    """
    try:
        user = _resolve(request=request, token_claims=token_claims, claims=claims)
    except SignInRefused as refusal:  # audited outside the rolled-back transaction
        audit.record(actor=refusal.user, action="sso.refused", target=refusal.user, result="denied",
                     fields={"reason": refusal.reason})
        raise
    user.xiachen_idp_second_factor = provider_second_factor_proven(token_claims)
    return user


@transaction.atomic
def _resolve(*, request, token_claims: dict, claims: dict) -> User:
    user = _linked_user(token_claims["sub"]) or _first_sign_in(subject=token_claims["sub"], claims=claims)
    if not user.is_active:
        raise SignInRefused("inactive", user)
    if not AxesProxyHandler.is_allowed(request, {"username": user.username}):
        raise SignInRefused("locked_out", user)
    _update_profile(user, claims)
    sync_directory_roles(user=user, source=Source.OIDC, wanted=roles_from_claims(claims))
    return user


def _linked_user(subject: str) -> User | None:
    link = ExternalAccount.objects.filter(source=Source.OIDC, external_id=subject).select_related("user").first()
    return link.user if link else None


def _first_sign_in(*, subject: str, claims: dict) -> User:
    username = str(claims.get(settings.XIACHEN_OIDC_USERNAME_CLAIM) or "").strip()[:150]
    if not username:
        raise SignInRefused("no_username")
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        # Linking by username trusts the provider to own this installation's usernames: opt-in only.
        if not settings.XIACHEN_OIDC_LINK_EXISTING or ExternalAccount.objects.filter(
            source=Source.OIDC, user=existing
        ).exists():
            raise SignInRefused("username_taken")
        if holds_privileged_role(existing):
            raise SignInRefused("privileged_account")
        ExternalAccount.objects.create(user=existing, source=Source.OIDC, external_id=subject)
        audit.record(actor=existing, action="sso.linked", target=existing)
        return existing
    if settings.XIACHEN_OIDC_UNKNOWN_USERS != "create":
        raise SignInRefused("unknown_user")
    user = User(username=username)
    user.set_unusable_password()  # signs in through the provider only
    user.save()
    ExternalAccount.objects.create(user=user, source=Source.OIDC, external_id=subject)
    audit.record(actor=user, action="sso.user_created", target=user)
    return user


def _update_profile(user: User, claims: dict) -> None:
    """Name and e-mail follow the provider (an unverified e-mail is not taken)."""
    values = {"display_name": str(claims.get(settings.XIACHEN_OIDC_NAME_CLAIM) or "").strip()[:60]}
    if claims.get("email_verified", True) is True:
        values["email"] = str(claims.get("email") or "").strip()[:254]
    changed = [field for field, value in values.items() if value and getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    if changed:
        user.save(update_fields=changed)


def roles_from_claims(claims: dict) -> set[tuple[str, str]]:
    """(role, unit code) pairs the claims ask for, through XIACHEN_OIDC_ROLE_MAP; none unless configured."""
    unit_code = str(claims.get(settings.XIACHEN_OIDC_UNIT_CLAIM) or "") if settings.XIACHEN_OIDC_UNIT_CLAIM else ""
    groups = claims.get(settings.XIACHEN_OIDC_GROUPS_CLAIM) if settings.XIACHEN_OIDC_GROUPS_CLAIM else None
    if not unit_code or not groups:
        return set()
    groups = [groups] if isinstance(groups, str) else list(groups)
    return {(settings.XIACHEN_OIDC_ROLE_MAP[g], unit_code) for g in groups if g in settings.XIACHEN_OIDC_ROLE_MAP}


def provider_second_factor_proven(token_claims: dict) -> bool:
    """Whether the signed ID token proves a multi-factor sign-in we accept in place of our TOTP (ADR 1811).

    Only in "idp" mode; `acr` must be listed in XIACHEN_OIDC_MFA_ACR_VALUES or `amr` hold a value of
    XIACHEN_OIDC_MFA_AMR_VALUES, and `auth_time` must be recent (a week-old provider session is not
    a second factor presented now). Anything missing or malformed counts as not proven.
    """
    if settings.XIACHEN_OIDC_SECOND_FACTOR != SECOND_FACTOR_IDP:
        return False
    auth_time = token_claims.get("auth_time")
    if not isinstance(auth_time, int) or time.time() - auth_time > settings.XIACHEN_OIDC_MAX_AUTH_AGE.total_seconds():
        return False
    acr_ok = token_claims.get("acr") in set(settings.XIACHEN_OIDC_MFA_ACR_VALUES)
    amr = token_claims.get("amr")
    amr_ok = isinstance(amr, list) and bool(set(map(str, amr)) & set(settings.XIACHEN_OIDC_MFA_AMR_VALUES))
    return acr_ok or amr_ok


@dataclass(frozen=True)
class SignedIn:
    second_factor: str  # "idp": the provider's counts; "totp": ours is still asked for


def complete_sign_in(*, request, user: User) -> SignedIn:
    """After auth.login: mark the session verified when the provider proved a second factor; audit."""
    proven = getattr(user, "xiachen_idp_second_factor", False)
    if proven:
        device, _ = IdentityProviderDevice.objects.get_or_create(
            user=user, defaults={"name": "统一身份认证", "confirmed": True}
        )
        otp_login(request, device)
    outcome = SignedIn("idp" if proven else "totp")
    audit.record(actor=user, action="sso.signed_in", target=user, fields={"second_factor": outcome.second_factor})
    return outcome
