"""Pages of demands (岗位需求) and of the affinity matrix: parse → selector/service → render."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.import_views import import_page, template_download
from xiachen.core.views import paginate, query_without_page
from xiachen.org.models import AgencyKind

from ..demand_services import DemandError, close_demand, create_demand, set_affinity, update_demand
from ..enums import DemandStatus
from ..forms import AffinityForm, DemandForm
from ..importers import DEMAND_IMPORTER
from ..models import PostType
from ..selectors import access_demand, affinity_cell, affinity_matrix, can_read_demands, search_demands


def _require_reader(request: HttpRequest) -> None:
    if not can_read_demands(request.user):
        raise PermissionDenied("deployments.demands")


@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filters = {key: request.GET.get(key, "") for key in ("q", "post_type", "status")}
    demands = search_demands(
        request.user, query=filters["q"], post_type=filters["post_type"], status=filters["status"]
    )
    context = {
        "page": paginate(request, demands),
        "filters": filters,
        "querystring": query_without_page(request),
        "post_types": PostType.objects.all(),
        "statuses": DemandStatus.choices,
        "can_manage": has_permission(request.user, "deployments.manage_demands"),
        "can_edit_affinity": has_permission(request.user, "deployments.edit_affinity"),
    }
    template = "deployments/demand_list.html#results" if request.htmx else "deployments/demand_list.html"
    return render(request, template, context)


@require_GET
def demand_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    demand = access_demand(request.user, public_id)
    must_have, nice_to_have = list(demand.must_have_any.all()), list(demand.nice_to_have.all())
    context = {
        "demand": demand,
        "must_have": must_have or demand.post_type.must_have_any.all(),
        "must_have_is_default": not must_have,
        "nice_to_have": nice_to_have or demand.post_type.nice_to_have.all(),
        "nice_to_have_is_default": not nice_to_have,
        "preferred_kinds": demand.preferred_agency_kinds.all(),
        "can_manage": has_permission(request.user, "deployments.manage_demands", demand.unit),
        "is_open": demand.status == DemandStatus.OPEN,
    }
    return render(request, "deployments/demand_detail.html", context)


@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "deployments.manage_demands")
    form = DemandForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            demand = create_demand(by=request.user, **form.service_values())
        except DemandError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已发布岗位需求"))
            return redirect("deployments:demand_detail", demand.public_id)
    return render(request, "deployments/demand_form.html", {"form": form, "demand": None})


@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    demand = access_demand(request.user, public_id)
    require_permission(request.user, "deployments.manage_demands", demand.unit)
    form = DemandForm(request.POST or None, instance=demand, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            update_demand(by=request.user, demand=demand, **form.service_values())
        except DemandError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存岗位需求"))
            return redirect("deployments:demand_detail", public_id)
    return render(request, "deployments/demand_form.html", {"form": form, "demand": demand})


@require_POST
def demand_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    demand = access_demand(request.user, public_id)
    try:
        close_demand(by=request.user, demand=demand)
    except DemandError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已关闭岗位需求"))
    return redirect("deployments:demand_detail", public_id)


@require_http_methods(["GET", "POST"])
def demand_import(request: HttpRequest) -> HttpResponse:
    return import_page(request, DEMAND_IMPORTER)


@require_GET
def demand_import_template(request: HttpRequest) -> HttpResponse:
    return template_download(request, DEMAND_IMPORTER)


@require_GET
def affinity(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "deployments.edit_affinity")
    return render(request, "deployments/affinity.html", {"matrix": affinity_matrix()})


@require_POST
def affinity_set(request: HttpRequest, agency_kind: str, post_type: str) -> HttpResponse:
    """Save one cell; htmx gets the updated cell back (with the error in it), a plain form a redirect."""
    require_permission(request.user, "deployments.edit_affinity")
    kind = get_object_or_404(AgencyKind, code=agency_kind)
    post = get_object_or_404(PostType, code=post_type)
    form = AffinityForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise DemandError(form.errors["weight"][0])
        set_affinity(by=request.user, agency_kind=kind, post_type=post, weight=form.cleaned_data["weight"])
    except DemandError as refused:
        error = str(refused)
    if not request.htmx:
        messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or _("已保存匹配度"))
        return redirect("deployments:affinity")
    context = {"cell": affinity_cell(kind, post), "error": error, "saved": not error}
    return render(request, "deployments/affinity.html#cell", context)
