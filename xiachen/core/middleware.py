"""Cross-cutting response policies."""

from django.http import HttpRequest, HttpResponse


class NoStoreForPersonalDataMiddleware:
    """Authenticated pages can show personal data: never let a shared cache or the browser keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
