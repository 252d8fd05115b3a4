"""Following a `next` parameter without becoming an open redirect."""

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, *, default: str, field: str = "next") -> str:
    """The `next` URL from the query string or form if it stays on this site, else `default`.

    Only relative paths and this host (HTTPS when the request is) are accepted, as Django's own
    login view does: `//evil.example`, `https://evil.example/` and `javascript:` all fall back.
    `default` may be a URL name or a path.
    """
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
