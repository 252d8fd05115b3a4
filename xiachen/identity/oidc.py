"""OpenID Connect sign-in (authorization code + PKCE) through mozilla-django-oidc (ADR 1811).

The library runs the protocol (state, nonce, PKCE, token exchange, signature through the JWKS).
This module adds what it leaves out and this installation needs: the ID token's issuer, audience and
expiry are checked; userinfo must describe the same subject; the person is resolved by
`sso.user_for_claims`; the views answer 404 while SSO is not configured.
"""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from xiachen.audit import services as audit

from .sso import SECOND_FACTOR_IDP, SignInRefused, complete_sign_in, oidc_enabled, user_for_claims

logger = logging.getLogger("xiachen.identity")


class OidcBackend(OIDCAuthenticationBackend):
    """Answers only the OIDC callback's authenticate() call, and only when SSO is configured."""

    def __init__(self, *args, **kwargs):
        if oidc_enabled():  # the library insists on its settings; password sign-in must work without them
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or "nonce" not in kwargs or "username" in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs) -> dict:
        """The library checks signature, algorithm and nonce; the rest of OIDC Core 3.1.3.7 is here."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") != settings.XIACHEN_OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        client_id = self.OIDC_RP_CLIENT_ID
        if client_id not in audiences or (len(audiences) > 1 and payload.get("azp") != client_id):
            raise SuspiciousOperation("ID token for another client")
        if not isinstance(payload.get("exp"), int) or not payload.get("sub"):
            raise SuspiciousOperation("ID token without expiry or subject")  # PyJWT checks exp only when present
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo for another subject")  # OIDC Core 5.3.2
        try:
            return user_for_claims(request=self.request, token_claims=payload, claims=claims)
        except SignInRefused:
            return None


def _failure_reason(error: Exception) -> str:
    if isinstance(error, SuspiciousOperation):
        return "invalid_callback"
    unreachable = isinstance(error, requests.ConnectionError | requests.Timeout)
    return "provider_unreachable" if unreachable else "invalid_response"


@method_decorator(login_not_required, name="dispatch")
class OidcLoginView(OIDCAuthenticationRequestView):
    """「统一身份认证登录」: redirects to the provider with state, nonce and a PKCE challenge."""

    def __init__(self, *args, **kwargs):
        if oidc_enabled():
            super().__init__(*args, **kwargs)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)

    def get_extra_params(self, request) -> dict:
        """In "idp" mode, ask for the assurance we will check for (the provider may still answer with
        less) and for a sign-in no older than we accept, so the token carries `auth_time`."""
        if settings.XIACHEN_OIDC_SECOND_FACTOR != SECOND_FACTOR_IDP:
            return {}
        params = {"max_age": str(int(settings.XIACHEN_OIDC_MAX_AUTH_AGE.total_seconds()))}
        if settings.XIACHEN_OIDC_MFA_ACR_VALUES:
            params["acr_values"] = " ".join(settings.XIACHEN_OIDC_MFA_ACR_VALUES)
        return params


@method_decorator(login_not_required, name="dispatch")
class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; a failure of any kind is audited and shown plainly."""

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, KeyError, ValueError) as error:
            # A forged or replayed callback, or a provider that answered wrongly: no sign-in.
            logger.warning("OIDC sign-in failed: %s", type(error).__name__)
            audit.record(actor=None, action="sso.failed", result="denied", fields={"reason": _failure_reason(error)})
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        complete_sign_in(request=self.request, user=self.user)
        return response

    def login_failure(self):
        if self.request.user.is_authenticated:
            logout(self.request)
        if self.request.GET.get("error"):
            audit.record(actor=None, action="sso.failed", result="denied", fields={"reason": "provider_error"})
        messages.error(self.request, _("统一身份认证登录未成功，请重试或联系系统管理员。"))
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
