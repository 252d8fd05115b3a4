"""Sign-in, second factor, home page per role (the administrator's pages are in admin_views)."""

import base64
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiachen.core.redirects import safe_next
from xiachen.resident.access import resident_only

from .forms import LoginForm, TotpForm
from .http import AuthenticatedHttpRequest
from .selectors import home_panels
from .services import confirm_totp_device, may_enrol_totp, pending_totp_device, verify_totp


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from xiachen.identity.sso import oidc_enabled  # the sign-in button shows only when SSO is set up

        return super().get_context_data(**kwargs) | {"oidc_enabled": oidc_enabled()}


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if resident_only(request.user):  # a resident who signed in here belongs on the resident site
        return redirect("resident:home")
    return render(request, "accounts/home.html", {"panels": home_panels(request.user)})


@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_enrol_totp(user=request.user):
        messages.info(request, _("您已绑定身份验证器：请先输入当前验证码；手机丢失时请联系系统管理员重置。"))
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.path})}")
    device = pending_totp_device(user=request.user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_totp_device(user=request.user, device=device, token=form.cleaned_data["otp_token"], request=request):
            return redirect("accounts:home")
        form.add_error("otp_token", _("验证码不正确，请查看身份验证器后重试"))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request, "accounts/otp_setup.html", {"form": form, "config_url": device.config_url, "secret": secret}
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_totp(user=request.user, token=form.cleaned_data["otp_token"], request=request):
            return redirect(safe_next(request, default="accounts:home"))
        form.add_error("otp_token", _("验证码不正确或已过期"))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy_notice.html")
