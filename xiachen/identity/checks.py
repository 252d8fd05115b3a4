"""Production refuses to start with single sign-on or the directory configured insecurely (Error)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from xiachen.accounts.administration import PRIVILEGED_ROLES


def _https(url: str) -> bool:
    return url.startswith("https://")


@register(Tags.security)
def identity_sources_are_secure(app_configs, **kwargs) -> list[Error]:
    """xiachen.E101–E104 (OIDC), E111–E113 (LDAP); E120 for a privileged role taken from a claim or group."""
    errors = _role_maps()
    if not getattr(settings, "XIACHEN_PRODUCTION", False):
        return errors
    return errors + _oidc() + _ldap()


def _oidc() -> list[Error]:
    if not settings.OIDC_RP_CLIENT_ID:
        return []
    errors = []
    endpoints = {name: getattr(settings, name) for name in (
        "XIACHEN_OIDC_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT")}
    for name, url in endpoints.items():
        if not _https(url):
            errors.append(Error(f"{name} must be an https:// URL (is {url or 'unset'!r}): tokens and claims "
                                "would cross the network unprotected or be forged.", id="xiachen.E101"))
    if settings.OIDC_RP_SIGN_ALGO not in {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"}:
        errors.append(Error("OIDC_RP_SIGN_ALGO must be an asymmetric algorithm (RS256 …).", id="xiachen.E102"))
    if not getattr(settings, "OIDC_VERIFY_SSL", True) or getattr(settings, "OIDC_ALLOW_UNSECURED_JWT", False):
        errors.append(Error("OIDC certificate or token verification is switched off.", id="xiachen.E103"))
    if settings.XIACHEN_OIDC_SECOND_FACTOR not in {"totp", "idp"} or settings.XIACHEN_OIDC_UNKNOWN_USERS not in {
            "refuse", "create"}:
        errors.append(Error("XIACHEN_OIDC_SECOND_FACTOR must be totp or idp, XIACHEN_OIDC_UNKNOWN_USERS refuse "
                            "or create.", id="xiachen.E104"))
    if settings.XIACHEN_OIDC_SECOND_FACTOR == "idp" and not (
            settings.XIACHEN_OIDC_MFA_ACR_VALUES or settings.XIACHEN_OIDC_MFA_AMR_VALUES):
        errors.append(Error("XIACHEN_OIDC_SECOND_FACTOR=idp needs XIACHEN_OIDC_MFA_ACR_VALUES or _AMR_VALUES.",
                            id="xiachen.E104"))
    return errors


def _ldap() -> list[Error]:
    url = settings.XIACHEN_LDAP_URL
    if not url:
        return []
    errors = []
    if not (url.startswith("ldaps://") or (url.startswith("ldap://") and settings.XIACHEN_LDAP_START_TLS)):
        errors.append(Error("XIACHEN_LDAP_URL must be ldaps://, or ldap:// with XIACHEN_LDAP_START_TLS=1: "
                            "passwords would cross the network in clear.", id="xiachen.E111"))
    if not settings.XIACHEN_LDAP_BIND_DN or not settings.XIACHEN_LDAP_BIND_PASSWORD:
        errors.append(Error("XIACHEN_LDAP_BIND_DN and XIACHEN_LDAP_BIND_PASSWORD must be set (no anonymous "
                            "directory reads).", id="xiachen.E112"))
    if not settings.XIACHEN_LDAP_USER_BASE:
        errors.append(Error("XIACHEN_LDAP_USER_BASE must be set.", id="xiachen.E113"))
    return errors


def _role_maps() -> list[Error]:
    given = {*settings.XIACHEN_OIDC_ROLE_MAP.values(), *settings.XIACHEN_LDAP_ROLE_GROUPS.values(),
             settings.XIACHEN_LDAP_DEFAULT_ROLE}
    if given & set(PRIVILEGED_ROLES):
        return [Error("A privileged role (org_department, system_admin) cannot come from SSO claims or directory "
                      "groups: it needs a second administrator (ADR 1401).", id="xiachen.E120")]
    return []
