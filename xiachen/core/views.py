"""Small helpers shared by list pages."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    response.reveals_personal_data = True
    return response
