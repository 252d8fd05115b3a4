"""Session lifetime and second-factor enforcement for staff (docs/security.md, 等保三级)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .enums import STAFF_ROLES
from .permissions import roles_of

LAST_SEEN = "xiachen_last_seen"
SIGNED_IN = "xiachen_signed_in"
LAST_SEEN_RESOLUTION = 60  # seconds


def stamp_session(sender, request, user, **kwargs) -> None:
    """At sign-in, record when the session started and was last used (saved with the new session)."""
    now = time.time()
    request.session[SIGNED_IN] = now
    request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Logs out after 30 min idle (staff) or 12 h in total, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and self._expired(request):
            logout(request)
            messages.info(request, _("会话已超时，请重新登录。"))
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _expired(self, request) -> bool:
        now = time.time()
        session = request.session
        signed_in = session.setdefault(SIGNED_IN, now)
        last_seen = session.get(LAST_SEEN, now)
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
            # Writing on every request would save the session (a query and a commit) on every gate
            # upload; the idle limit only needs minute resolution.
            session[LAST_SEEN] = now
        idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        is_staff = bool(roles_of(request.user) & STAFF_ROLES)
        if is_staff and now - last_seen > idle_limit:
            return True
        return now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()


class StaffSecondFactorMiddleware:
    """Completes a sign-in before anything else is served: staff who signed in with a password only
    are sent to set up or enter their TOTP code, then anyone holding a temporary password an
    administrator issued is sent to choose their own (one middleware, so the order is fixed)."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/logout/", "/otp/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._needs_second_factor(request) or self._needs_new_password(request)
        if blocked and request.headers.get("HX-Request"):
            # A fragment (the unread badge, a picker) asked for before the code or the new password
            # is in: answer nothing. Redirecting would swap the whole code page into the fragment,
            # whose own copy of the badge would ask again — forever.
            return HttpResponse(status=204)
        if self._needs_second_factor(request):
            has_device = request.user.totpdevice_set.filter(confirmed=True).exists()
            target = reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
            if has_device and request.method == "GET":
                # Back to the page asked for once the code is entered (checked by safe_next there).
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        if self._needs_new_password(request):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)

    def _needs_new_password(self, request) -> bool:
        if not request.user.is_authenticated or not getattr(request.user, "must_change_password", False):
            return False
        return not request.path.startswith((*self.EXEMPT_PREFIXES, reverse("accounts:password_change")))

    def _needs_second_factor(self, request) -> bool:
        if not settings.XIACHEN_REQUIRE_TOTP or not request.user.is_authenticated:
            return False
        if request.path.startswith(self.EXEMPT_PREFIXES) or request.user.is_verified():
            return False
        return bool(roles_of(request.user) & STAFF_ROLES)
