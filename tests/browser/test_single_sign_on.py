"""A cadre signs in through the city's unified identity platform by clicking (OpenID Connect).

The provider is node-oidc-provider on loopback (tests/identity/servers.py), with its own login page;
its ID token proves a multi-factor sign-in, which this installation accepts in place of our TOTP.
"""

import pytest

from tests.identity.servers import oidc_provider, oidc_settings  # noqa: F401  # the session-scoped provider
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership
from xiachen.audit.models import AuditEvent

from .quality import PageWatch, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_unified_sign_in_and_back_signed_in(phone_page, settings, oidc_provider, tree):  # noqa: F811
    oidc_settings(settings, oidc_provider, XIACHEN_OIDC_SECOND_FACTOR="idp", XIACHEN_REQUIRE_TOTP=True,
                  XIACHEN_OIDC_MFA_ACR_VALUES=["urn:xiachen:mfa"], XIACHEN_OIDC_UNKNOWN_USERS="create")
    page = phone_page
    watch = PageWatch(page)
    page.goto(f"{page.base_url}/", timeout=60_000)  # the first request of a run imports every URLconf
    assert page.url.startswith(f"{page.base_url}/login/")
    assert horizontal_overflow(page) <= 0
    page.click("text=统一身份认证登录")

    page.wait_for_url(f"{oidc_provider}/interaction/**")
    assert page.locator("h1").inner_text() == "统一身份认证平台"
    page.fill("#login", "zhang.wei")
    page.fill("#password", "idp-pass-1")
    page.click("#submit")

    page.wait_for_url(f"{page.base_url}/")
    assert "张伟" in page.locator("header").inner_text()
    assert page.locator("section.card h2").first.inner_text().startswith("社区/接收单位负责人")
    assert horizontal_overflow(page) <= 0
    own = [p for p in watch.problems if page.base_url in p and "favicon.ico" not in p]
    assert own == []
    membership = Membership.objects.get(user__username="zhang.wei")
    assert (membership.role, membership.unit) == (Role.UNIT_MANAGER, tree.community1)
    assert AuditEvent.objects.get(action="sso.signed_in").fields == {"second_factor": "idp"}
