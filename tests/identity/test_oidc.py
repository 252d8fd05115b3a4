"""Single sign-on against a real OpenID Connect provider (node-oidc-provider on loopback).

Each sign-in runs the whole code flow: our login view → the provider's authorization endpoint and
login form (driven with `requests`, as a browser would) → our callback, which exchanges the code
with PKCE and checks the ID token. The site is addressed as 127.0.0.1, a loopback redirect URI the
provider's client accepts on any port.
"""

import time
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.urls import reverse

from tests.identity.servers import oidc_settings
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit.models import AuditEvent
from xiachen.identity.models import DirectoryMembership, ExternalAccount, Source
from xiachen.identity.sso import provider_second_factor_proven

HOST = "127.0.0.1"
CALLBACK = "/identity/oidc/callback/"


@pytest.fixture
def sso(settings, oidc_provider, tree):
    oidc_settings(settings, oidc_provider)
    return tree


def provider_redirect(client, login: str, password: str) -> str:
    """Start at our login view, sign in on the provider's form; the callback URL it sends back."""
    start = client.get(reverse("identity:oidc_login"), HTTP_HOST=HOST)
    assert start.status_code == 302
    browser = requests.Session()
    response = browser.get(start["Location"], allow_redirects=True, timeout=10)
    assert "统一身份认证平台" in response.text
    response = browser.post(response.url.rstrip("/") + "/login", data={"login": login, "password": password},
                            allow_redirects=False, timeout=10)
    while response.status_code in (302, 303) and CALLBACK not in response.headers["Location"]:
        response = browser.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False, timeout=10)
    location = response.headers["Location"]
    assert CALLBACK in location, response.text
    return location


def sso_sign_in(client, login: str, password: str):
    location = urlsplit(provider_redirect(client, login, password))
    return client.get(f"{location.path}?{location.query}", HTTP_HOST=HOST)


def link(username: str, subject: str | None = None, **fields) -> User:
    user = User.objects.create_user(username=username, password=None, **fields)
    ExternalAccount.objects.create(user=user, source=Source.OIDC, external_id=subject or username)
    return user


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_login_page_offers_sso_only_when_configured(client, settings, oidc_provider):
    assert "统一身份认证登录" not in client.get(reverse("accounts:login")).content.decode()
    oidc_settings(settings, oidc_provider)
    page = client.get(reverse("accounts:login") + "?next=/units/").content.decode()
    assert "统一身份认证登录" in page
    assert f'href="{reverse("identity:oidc_login")}?next=/units/"' in page


def test_authorization_request_uses_pkce_state_and_nonce(client, sso, settings):
    location = client.get(reverse("identity:oidc_login"), HTTP_HOST=HOST)["Location"]
    assert location.startswith(f"{settings.XIACHEN_OIDC_ISSUER}/auth?")
    for parameter in ("code_challenge=", "code_challenge_method=S256", "state=", "nonce=", "response_type=code"):
        assert parameter in location


def test_sso_stands_for_the_password_only_by_default(client, sso, settings, people):
    settings.XIACHEN_REQUIRE_TOTP = True
    user = link("li.na")
    Membership.objects.create(user=user, role=Role.CADRE, unit=people.cadre_user1.memberships.get().unit)
    response = sso_sign_in(client, "li.na", "idp-pass-2")
    assert response.status_code == 302
    assert signed_in_user(client) == user
    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("accounts:otp_setup"))
    user.refresh_from_db()
    assert (user.display_name, user.email) == ("李娜", "li.na@example.gov.cn")
    event = AuditEvent.objects.get(action="sso.signed_in")
    assert (event.actor_id, event.fields) == (user.pk, {"second_factor": "totp"})


def test_idp_second_factor_accepted_when_the_id_token_proves_it(client, sso, settings):
    settings.XIACHEN_REQUIRE_TOTP = True
    settings.XIACHEN_OIDC_SECOND_FACTOR = "idp"
    settings.XIACHEN_OIDC_MFA_ACR_VALUES = ["urn:xiachen:mfa"]
    settings.XIACHEN_OIDC_MFA_AMR_VALUES = []
    settings.XIACHEN_OIDC_UNKNOWN_USERS = "create"
    response = sso_sign_in(client, "zhang.wei", "idp-pass-1")
    user = User.objects.get(username="zhang.wei")
    assert response.status_code == 302 and signed_in_user(client) == user
    assert not user.has_usable_password()
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 200  # no TOTP asked: the provider's MFA counted
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.unit.code) == (Role.UNIT_MANAGER, "420102001001")
    assert DirectoryMembership.objects.get(membership=membership).source == Source.OIDC
    assert AuditEvent.objects.get(action="sso.signed_in").fields == {"second_factor": "idp"}
    assert AuditEvent.objects.filter(action="sso.user_created", actor_id=user.pk).count() == 1


def test_idp_mode_without_multi_factor_in_the_token_still_asks_for_totp(client, sso, settings, people):
    settings.XIACHEN_REQUIRE_TOTP = True
    settings.XIACHEN_OIDC_SECOND_FACTOR = "idp"
    settings.XIACHEN_OIDC_MFA_ACR_VALUES = ["urn:xiachen:mfa"]
    user = link("li.na")
    Membership.objects.create(user=user, role=Role.CADRE, unit=people.cadre_user1.memberships.get().unit)
    sso_sign_in(client, "li.na", "idp-pass-2")
    assert signed_in_user(client) == user
    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("accounts:otp_setup"))
    assert AuditEvent.objects.get(action="sso.signed_in").fields == {"second_factor": "totp"}


def test_unknown_people_are_refused_by_default(client, sso):
    response = sso_sign_in(client, "wang.fang", "idp-pass-3")
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="wang.fang").exists()
    assert AuditEvent.objects.get(action="sso.refused").fields == {"reason": "unknown_user"}


def test_an_unlinked_local_account_of_the_same_name_is_not_taken_over(client, sso, settings):
    settings.XIACHEN_OIDC_UNKNOWN_USERS = "create"
    User.objects.create_user(username="wang.fang", password="local-password-123")
    sso_sign_in(client, "wang.fang", "idp-pass-3")
    assert signed_in_user(client) is None
    assert not ExternalAccount.objects.exists()
    assert AuditEvent.objects.get(action="sso.refused").fields == {"reason": "username_taken"}


def test_linking_by_username_spares_privileged_accounts(client, sso, settings):
    settings.XIACHEN_OIDC_LINK_EXISTING = True
    admin = User.objects.create_user(username="li.na", password="local-password-123")
    Membership.objects.create(user=admin, role=Role.SYSTEM_ADMIN, unit=sso.city)
    sso_sign_in(client, "li.na", "idp-pass-2")
    assert signed_in_user(client) is None
    assert AuditEvent.objects.get(action="sso.refused").fields == {"reason": "privileged_account"}
    other = User.objects.create_user(username="wang.fang", password="local-password-123")
    sso_sign_in(client, "wang.fang", "idp-pass-3")
    assert signed_in_user(client) == other
    assert ExternalAccount.objects.get(source=Source.OIDC, external_id="wang.fang").user == other


def test_disabled_and_locked_out_accounts_are_refused(client, sso):
    user = link("li.na", is_active=False)
    sso_sign_in(client, "li.na", "idp-pass-2")
    assert signed_in_user(client) is None
    user.is_active = True
    user.save()
    AccessAttempt.objects.create(username="li.na", ip_address="127.0.0.1", user_agent="", failures_since_start=5,
                                 get_data="", post_data="", http_accept="", path_info="/login/")
    sso_sign_in(client, "li.na", "idp-pass-2")
    assert signed_in_user(client) is None
    reasons = list(AuditEvent.objects.filter(action="sso.refused").order_by("id").values_list("fields", flat=True))
    assert reasons == [{"reason": "inactive"}, {"reason": "locked_out"}]


def test_a_replayed_callback_signs_nobody_in(client, sso):
    link("li.na")
    callback = urlsplit(provider_redirect(client, "li.na", "idp-pass-2"))
    url = f"{callback.path}?{callback.query}"
    assert client.get(url, HTTP_HOST=HOST).status_code == 302
    client.logout()
    assert client.get(url, HTTP_HOST=HOST)["Location"] == reverse("accounts:login")
    assert signed_in_user(client) is None


def test_an_id_token_from_another_issuer_is_refused(client, sso, settings):
    link("li.na")
    settings.XIACHEN_OIDC_ISSUER = "https://other-idp.example.gov.cn"
    sso_sign_in(client, "li.na", "idp-pass-2")
    assert signed_in_user(client) is None
    assert AuditEvent.objects.get(action="sso.failed").fields == {"reason": "invalid_callback"}


def test_roles_from_claims_follow_the_provider_and_spare_an_administrators_grants(client, sso, settings, people):
    user = link("zhang.wei")
    by_admin = Membership.objects.create(user=user, role=Role.CADRE, unit=people.cadre_user1.memberships.get().unit)
    sso_sign_in(client, "zhang.wei", "idp-pass-1")
    assert set(user.memberships.filter(is_active=True).values_list("role", flat=True)) == {Role.CADRE,
                                                                                           Role.UNIT_MANAGER}
    client.logout()
    settings.XIACHEN_OIDC_ROLE_MAP = {}  # the provider no longer vouches for the manager role
    sso_sign_in(client, "zhang.wei", "idp-pass-1")
    assert list(user.memberships.filter(is_active=True)) == [by_admin]


@pytest.mark.parametrize(("mode", "claims", "proven"), [
    ("idp", {"amr": ["pwd", "otp"]}, True),
    ("idp", {"acr": "urn:xiachen:mfa"}, True),
    ("idp", {"amr": ["pwd"], "acr": "urn:xiachen:pwd"}, False),
    ("idp", {"amr": "otp"}, False),  # amr must be a list (RFC 8176)
    ("idp", {"amr": ["otp"], "auth_age": 11 * 60}, False),  # signed in at the provider too long ago
    ("idp", {"amr": ["otp"], "auth_age": None}, False),  # no auth_time at all
    ("totp", {"amr": ["otp"], "acr": "urn:xiachen:mfa"}, False),  # our TOTP mode ignores the provider's
])
def test_provider_second_factor_is_proven_only_by_a_fresh_multi_factor_token(settings, mode, claims, proven):
    settings.XIACHEN_OIDC_SECOND_FACTOR = mode
    settings.XIACHEN_OIDC_MFA_ACR_VALUES = ["urn:xiachen:mfa"]
    settings.XIACHEN_OIDC_MFA_AMR_VALUES = ["otp", "hwk"]
    claims = dict(claims)
    age = claims.pop("auth_age", 30)
    token = claims | ({"auth_time": int(time.time()) - age} if age is not None else {})
    assert provider_second_factor_proven(token) is proven
