"""Dashboard pages and their per-chart Excel downloads. Thin: check access, read, render."""

from urllib.parse import urlencode
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import has_permission
from xiachen.core.excel import build_workbook
from xiachen.core.exports import xlsx_response

from . import charts, regions, selectors


def _period(request: HttpRequest, unit) -> selectors.Period:
    return selectors.period_for(unit, start=request.GET.get("from"), end=request.GET.get("to"))


def _city(request: HttpRequest) -> charts.Dashboard:
    city = selectors.city_for(request.user)
    dashboard = charts.area_dashboard(city, _period(request, city), child_kinds=selectors.DISTRICT_KINDS,
                                      link_name="dashboards:district")
    dashboard.agencies = charts.agencies_of(city)
    return dashboard


def _district(request: HttpRequest, public_id: UUID) -> charts.Dashboard:
    district = selectors.access_district(request.user, public_id)
    return charts.area_dashboard(district, _period(request, district), child_kinds=selectors.COMMUNITY_KINDS,
                                 link_name="dashboards:community")


def _community(request: HttpRequest, public_id: UUID) -> charts.Dashboard:
    community = selectors.access_community(request.user, public_id)
    return charts.area_dashboard(community, _period(request, community))


def _agency(request: HttpRequest, public_id: UUID) -> charts.Dashboard:
    agency = selectors.access_agency(request.user, public_id)
    return charts.agency_dashboard(agency, _period(request, agency))


def _page(request: HttpRequest, dashboard: charts.Dashboard, *, level: str, xlsx_args: list) -> HttpResponse:
    query = urlencode({"from": dashboard.period.start.isoformat(), "to": dashboard.period.end.isoformat()})
    for chart in dashboard.charts:
        chart.xlsx_url = f"{reverse(f'dashboards:{level}_xlsx', args=[*xlsx_args, chart.id])}?{query}"
    units = dashboard.chart("units")
    map_url = (f"{reverse('dashboards:map', args=[dashboard.unit.public_id])}?{query}"
               if level in ("city", "district") else "")
    return render(request, "dashboards/dashboard.html", {
        "map_url": map_url,
        "dashboard": dashboard, "level": level, "charts_json": [chart.as_json() for chart in dashboard.charts],
        "units_xlsx_url": units.xlsx_url if units else "", "breadcrumbs": _breadcrumbs(request, dashboard.unit, level),
    })


def _breadcrumbs(request: HttpRequest, unit, level: str) -> list[tuple[str, str]]:
    """City → district → community links the user may follow (the city only with its permission)."""
    crumbs = []
    if level in ("district", "community") and has_permission(request.user, selectors.CITY):
        crumbs.append((reverse("dashboards:city"), _("全市")))
    if level == "community" and has_permission(request.user, selectors.AREA):
        district = selectors.district_of(unit)
        if district is not None and has_permission(request.user, selectors.AREA, district):
            crumbs.append((reverse("dashboards:district", args=[district.public_id]), district.name))
    return crumbs


def _xlsx(dashboard: charts.Dashboard, chart_id: str) -> HttpResponse:
    chart = dashboard.chart(chart_id)
    if chart is None:
        raise Http404
    headers, rows = chart.table()
    period = dashboard.period
    content = build_workbook(headers, rows, title=chart.title[:31])
    return xlsx_response(content, f"{dashboard.unit.code}-{chart.id}-{period.start}-{period.end}.xlsx")


@require_GET
def city(request: HttpRequest) -> HttpResponse:
    """The city dashboard for the organization department; others go to their own unit's."""
    if not has_permission(request.user, selectors.CITY):
        unit = selectors.home_unit(request.user)
        if unit is None:
            selectors.city_for(request.user)  # raises 403
        kind = unit.kind.code
        level = "agency" if kind == "agency" else "district" if kind in selectors.DISTRICT_KINDS else "community"
        return redirect(f"dashboards:{level}", unit.public_id)
    return _page(request, _city(request), level="city", xlsx_args=[])


@require_GET
def district(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _page(request, _district(request, public_id), level="district", xlsx_args=[public_id])


@require_GET
def community(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _page(request, _community(request, public_id), level="community", xlsx_args=[public_id])


@require_GET
def agency(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _page(request, _agency(request, public_id), level="agency", xlsx_args=[public_id])


@require_GET
def city_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    return _xlsx(_city(request), chart)


@require_GET
def district_xlsx(request: HttpRequest, public_id: UUID, chart: str) -> HttpResponse:
    return _xlsx(_district(request, public_id), chart)


@require_GET
def community_xlsx(request: HttpRequest, public_id: UUID, chart: str) -> HttpResponse:
    return _xlsx(_community(request, public_id), chart)


@require_GET
def agency_xlsx(request: HttpRequest, public_id: UUID, chart: str) -> HttpResponse:
    return _xlsx(_agency(request, public_id), chart)


@require_GET
def region_map(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """The map of a city, district or street: its regions' boundaries and rollup measures (JSON)."""
    unit = regions.access_map_unit(request.user, public_id)
    return JsonResponse(regions.region_map(request.user, unit, _period(request, unit)))
