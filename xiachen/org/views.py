from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.import_views import import_page, template_download
from xiachen.core.views import paginate, query_without_page

from .importers import UNIT_IMPORTER
from .models import UnitKind
from .selectors import access_unit, children_with_counts, search_units


@require_GET
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "units.view")
    units = search_units(request.user, query=request.GET.get("q", ""), kind=request.GET.get("kind", ""))
    context = {
        "page": paginate(request, units),
        "kinds": UnitKind.objects.all(),
        "can_import": has_permission(request.user, "units.import"),
        "filters": request.GET,
        "querystring": query_without_page(request),
    }
    template = "org/unit_list.html#results" if request.htmx else "org/unit_list.html"
    return render(request, template, context)


@require_GET
def unit_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    unit = access_unit(request.user, public_id)
    return render(request, "org/unit_detail.html", {
        "unit": unit, "children": children_with_counts(unit), "ancestors": unit.ancestors(),
    })


@require_http_methods(["GET", "POST"])
def unit_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    return import_page(request, UNIT_IMPORTER)


@require_GET
def unit_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return template_download(request, UNIT_IMPORTER)
