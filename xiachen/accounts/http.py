"""The request type of a view behind LoginRequiredMiddleware (every view not marked @login_not_required)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only (Django still passes an HttpRequest): `user` is a signed-in User, never
    AnonymousUser, because the middleware sends anonymous visitors to the sign-in page first; `htmx`
    is what HtmxMiddleware attaches to every request."""

    user: User
    htmx: HtmxDetails
