"""The server-error handler (handler500): a database outage is a 503 the client can retry.

Django calls the handler inside its `except` block for any exception a view *or a middleware*
raised (the session and user lookups of the middleware hit the database first), so the exception
is still in `sys.exc_info()`. A lost or locked database becomes 503 with `Retry-After` — JSON for
the API (the gate's queue keeps the scans and retries), a short Chinese page for people — and
everything else stays a 500. Neither response touches the database: no context processors, no
session, no user.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def _is_outage(error: BaseException | None) -> bool:
    """An OperationalError/InterfaceError anywhere in the exception's chain (wrapped or not)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OUTAGE_ERRORS) or (
            isinstance(error, DatabaseError) and "database is locked" in str(error)
        ):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After while the database is unreachable, the plain 500 page otherwise."""
    outage = _is_outage(sys.exc_info()[1])
    status = 503 if outage else 500
    response: HttpResponse
    if request.path.startswith("/api/"):
        detail = "database unavailable, retry later" if outage else "server error"
        response = JsonResponse({"detail": detail}, status=status)
    else:
        template = "errors/503.html" if outage else "errors/500.html"
        response = HttpResponse(loader.render_to_string(template, {"retry_after": RETRY_AFTER_SECONDS}),
                                status=status)
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
    return response

