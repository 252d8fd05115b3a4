"""Production refuses to start with SSO or LDAP configured insecurely (system check Errors).

The refusal of a real production start (manage.py check in a subprocess) is in
tests/core/test_production_settings.py, in the run with demo senders: one subprocess for both.
"""

import pytest

from xiachen.identity.checks import identity_sources_are_secure

SECURE_OIDC = {
    "OIDC_RP_CLIENT_ID": "xiachen",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "XIACHEN_OIDC_ISSUER": "https://idp.example.gov.cn",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.gov.cn/auth",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.gov.cn/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.gov.cn/me",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.gov.cn/jwks",
}
SECURE_LDAP = {
    "XIACHEN_LDAP_URL": "ldaps://ad.example.gov.cn",
    "XIACHEN_LDAP_BIND_DN": "cn=reader,dc=example",
    "XIACHEN_LDAP_BIND_PASSWORD": "secret",
    "XIACHEN_LDAP_USER_BASE": "ou=people,dc=example",
}


def _errors(settings, **values) -> set[str]:
    settings.XIACHEN_PRODUCTION = True
    for name, value in (SECURE_OIDC | SECURE_LDAP | values).items():
        setattr(settings, name, value)
    return {error.id for error in identity_sources_are_secure(None)}


@pytest.mark.parametrize(("values", "expected"), [
    ({}, set()),
    ({"XIACHEN_OIDC_ISSUER": "http://idp.example.gov.cn"}, {"xiachen.E101"}),
    ({"OIDC_OP_TOKEN_ENDPOINT": "http://idp.example.gov.cn/token"}, {"xiachen.E101"}),
    ({"OIDC_RP_SIGN_ALGO": "HS256"}, {"xiachen.E102"}),
    ({"OIDC_VERIFY_SSL": False}, {"xiachen.E103"}),
    ({"XIACHEN_OIDC_SECOND_FACTOR": "none"}, {"xiachen.E104"}),
    ({"XIACHEN_LDAP_URL": "ldap://ad.example.gov.cn"}, {"xiachen.E111"}),
    ({"XIACHEN_LDAP_URL": "ldap://ad.example.gov.cn", "XIACHEN_LDAP_START_TLS": True}, set()),
    ({"XIACHEN_LDAP_BIND_PASSWORD": ""}, {"xiachen.E112"}),
    ({"XIACHEN_OIDC_ROLE_MAP": {"admins": "system_admin"}}, {"xiachen.E120"}),
    ({"XIACHEN_LDAP_ROLE_GROUPS": {"cn=org,dc=example": "org_department"}}, {"xiachen.E120"}),
])
def test_insecure_identity_settings_are_errors_in_production(settings, values, expected):
    assert _errors(settings, **values) == expected


def test_development_may_use_plain_loopback_servers(settings):
    settings.XIACHEN_PRODUCTION = False
    settings.XIACHEN_OIDC_ISSUER = "http://127.0.0.1:9000"
    settings.XIACHEN_LDAP_URL = "ldap://127.0.0.1:3389"
    assert identity_sources_are_secure(None) == []

