"""Small helpers shared by list pages."""

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission

from . import pickers

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def revealed_value_response(request: HttpRequest, value: str) -> HttpResponse:
    """The partial showing one personal value the user asked to see (the caller has audited it);
    marked so the test tripwire knows the full value is deliberate here."""
    response = render(request, "components/revealed_value.html", {"value": value})
    response.reveals_personal_data = True  # type: ignore[attr-defined]  # a marker tests/tripwire.py reads
    return response


@require_GET
def pick(request: HttpRequest, name: str) -> HttpResponse:
    """The options of a searchable picker (htmx partial): the user's valid choices matching `q`."""
    picker = pickers.REGISTRY.get(name)
    if picker is None:
        raise Http404
    require_permission(request.user, picker.permission)
    params = {key: request.GET.get(key, "") for key in request.GET if key != "q"}
    options = pickers.find(picker, user=request.user, params=params, text=request.GET.get("q", ""))
    return render(request, "components/picker_options.html", {
        "options": options, "limit": pickers.RESULT_LIMIT, "picker": name,
    })
