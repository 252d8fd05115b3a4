from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.exports import xlsx_response
from xiachen.core.import_views import import_page, template_download
from xiachen.core.views import paginate, query_without_page, revealed_value_response
from xiachen.downloads.registry import inline_rows
from xiachen.downloads.views import large_export_page

from .downloads import CADRES, cadres_for
from .enums import Rank
from .exports import export_cadres
from .importers import CADRE_IMPORTER
from .models import Specialty
from .selectors import access_cadre, agencies_for_filter
from .services import REVEALABLE_FIELDS, reveal_cadre_field


def _filters(request: AuthenticatedHttpRequest) -> dict:
    return {key: request.GET.get(key, "") for key in ("q", "agency", "specialty", "rank")}


def _search(request: AuthenticatedHttpRequest, filters: dict):
    return cadres_for(request.user, filters)


@require_GET
def cadre_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "cadres.view")
    filters = _filters(request)
    cadres = _search(request, filters)
    context = {
        "page": paginate(request, cadres),
        "filters": filters,
        "querystring": query_without_page(request),
        "specialties": Specialty.objects.all(),
        "agencies": agencies_for_filter(request.user),
        "ranks": Rank.choices,
        "can_import": has_permission(request.user, "cadres.import"),
        "can_export_full": has_permission(request.user, "cadres.export_full"),
    }
    template = "cadres/cadre_list.html#results" if request.htmx else "cadres/cadre_list.html"
    return render(request, template, context)


@require_GET
def cadre_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    cadre = access_cadre(request.user, public_id)
    return render(
        request,
        "cadres/cadre_detail.html",
        {
            "cadre": cadre,
            "can_reveal": has_permission(request.user, "cadres.show_personal", cadre.agency),
            "specialties": cadre.specialties.all(),
            "certifications": cadre.certifications.all(),
            "availability": cadre.availability.all(),
            "service_records": cadre.service_records.select_related("unit"),
        },
    )


@require_POST
def cadre_reveal(request: AuthenticatedHttpRequest, public_id: UUID, field: str) -> HttpResponse:
    if field not in REVEALABLE_FIELDS:
        raise Http404
    cadre = access_cadre(request.user, public_id)
    return revealed_value_response(request, reveal_cadre_field(by=request.user, cadre=cadre, field=field))


@require_http_methods(["GET", "POST"])
def cadre_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    return import_page(request, CADRE_IMPORTER)


@require_GET
def cadre_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return template_download(request, CADRE_IMPORTER)


@require_GET
def cadre_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "cadres.view")
    filters = _filters(request)
    full = request.GET.get("full") == "1"
    if full:
        require_permission(request.user, "cadres.export_full")
    rows = CADRES.count(request.user, filters)
    if rows > inline_rows():
        return large_export_page(request, kind=CADRES.code, params=filters, rows=rows, full=full)
    cadres = _search(request, filters)
    return xlsx_response(export_cadres(by=request.user, cadres=cadres, full=full), "cadres.xlsx",
                         reveals_personal_data=full)
