"""Cross-cutting response policies."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class NoStoreForPersonalDataMiddleware:
    """Authenticated pages can show personal data: never let a shared cache or the browser keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class RejectNullCharactersMiddleware:
    """PostgreSQL cannot store or compare text holding NUL: refuse such input with a 400 up front
    instead of failing deep in a query (and, inside a transaction, every query after it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key + value for key, value in self._params(request)):
            return HttpResponseBadRequest(_("请求中含有不允许的空字符"))
        return self.get_response(request)

    @staticmethod
    def _params(request: HttpRequest):
        yield from ((key, value) for key, values in request.GET.lists() for value in values)
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
            yield from ((key, value) for key, values in request.POST.lists() for value in values)
