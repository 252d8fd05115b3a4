from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.exports import xlsx_response
from xiachen.core.import_views import import_page, template_download
from xiachen.core.pagination import keyset_page
from xiachen.core.views import revealed_value_response
from xiachen.downloads.registry import inline_rows
from xiachen.downloads.views import large_export_page

from .downloads import HOUSEHOLDS
from .exports import export_households
from .importers import HOUSEHOLD_IMPORTER
from .models import Vulnerability
from .selectors import (
    HOUSEHOLD_ORDER,
    access_household,
    access_resident,
    compounds_for_filter,
    members_of,
    search_households,
    with_member_counts,
)
from .services import REVEALABLE_FIELDS, reveal_resident_field


def _filters(request: AuthenticatedHttpRequest) -> dict:
    return {key: request.GET.get(key, "") for key in ("q", "compound", "vulnerability")}


@require_GET
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "households.view")
    filters = _filters(request)
    households = search_households(
        request.user, query=filters["q"], compound=filters["compound"], vulnerability=filters["vulnerability"]
    )
    page = keyset_page(request, households, ordering=HOUSEHOLD_ORDER)
    page.items = with_member_counts(page.items)
    context = {
        "page": page,
        "filters": filters,
        "querystring": page.querystring,
        "vulnerabilities": Vulnerability.objects.all(),
        "compounds": compounds_for_filter(request.user),
        "can_import": has_permission(request.user, "households.import"),
        "can_export_full": has_permission(request.user, "households.export_full"),
    }
    template = "households/household_list.html#results" if request.htmx else "households/household_list.html"
    return render(request, template, context)


@require_GET
def household_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    household = access_household(request.user, public_id)
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "members": members_of(household),
            "can_reveal": has_permission(request.user, "households.show_personal", household.compound),
            "can_designate": has_permission(request.user, "passes.issue", household.compound),
        },
    )


@require_POST
def resident_reveal(request: AuthenticatedHttpRequest, public_id: UUID, field: str) -> HttpResponse:
    if field not in REVEALABLE_FIELDS:
        raise Http404
    resident = access_resident(request.user, public_id)
    return revealed_value_response(request, reveal_resident_field(by=request.user, resident=resident, field=field))


@require_http_methods(["GET", "POST"])
def household_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    return import_page(request, HOUSEHOLD_IMPORTER)


@require_GET
def household_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return template_download(request, HOUSEHOLD_IMPORTER)


@require_GET
def household_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "households.view")
    filters = _filters(request)
    full = request.GET.get("full") == "1"
    if full:
        require_permission(request.user, "households.export_full")
    rows = HOUSEHOLDS.count(request.user, filters)
    if rows > inline_rows():
        return large_export_page(request, kind=HOUSEHOLDS.code, params=filters, rows=rows, full=full)
    households = search_households(
        request.user, query=filters["q"], compound=filters["compound"], vulnerability=filters["vulnerability"]
    )
    return xlsx_response(export_households(by=request.user, households=households, full=full), "households.xlsx",
                         reveals_personal_data=full)
