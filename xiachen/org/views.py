from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.core.views import paginate, query_without_page

from .models import UnitKind
from .selectors import access_unit, children_with_counts, search_units


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    units = search_units(request.user, query=request.GET.get("q", ""), kind=request.GET.get("kind", ""))
    context = {
        "page": paginate(request, units),
        "kinds": UnitKind.objects.all(),
        "filters": request.GET,
        "querystring": query_without_page(request),
    }
    template = "org/unit_list.html#results" if request.htmx else "org/unit_list.html"
    return render(request, template, context)


@require_GET
def unit_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    unit = access_unit(request.user, public_id)
    return render(request, "org/unit_detail.html", {
        "unit": unit, "children": children_with_counts(unit), "ancestors": unit.ancestors(),
    })
