"""Staff pages of errands: the community's list, my round, asking on a resident's behalf, the
detail page with the moves the viewer may make, dispatch by hand."""

import uuid
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.views import paginate, query_without_page

from .. import services
from ..enums import ErrandStatus
from ..forms import AssignForm, DeliverForm, StaffErrandForm
from ..selectors import access_errand, errand_list, my_round


@require_GET
def errands(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.view")
    status = request.GET.get("status", "")
    unassigned, overdue = request.GET.get("unassigned") == "1", request.GET.get("overdue") == "1"
    return render(request, "errands/errand_list.html", {
        "page": paginate(request, errand_list(request.user, status=status, unassigned=unassigned, overdue=overdue)),
        "status": status, "unassigned": unassigned, "overdue": overdue,
        "statuses": ErrandStatus.choices, "querystring": query_without_page(request),
    })


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.work")
    return render(request, "errands/errand_round.html", {"errands": my_round(request.user)[:200]})


@require_http_methods(["GET", "POST"])
def errand_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.work")
    form = StaffErrandForm(request.POST or None, user=request.user, initial={"submission_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            errand, created = services.request_errand(
                by=request.user, household=data["household"], kind=data["kind"], details=data["details"],
                prescription_note=data["prescription_note"], submission_key=data["submission_key"],
            )
        except services.ErrandError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已代居民提交") if created else _("该申请已经提交过，请勿重复提交"))
            return redirect("errands:detail", public_id=errand.public_id)
    return render(request, "errands/errand_form.html", {"form": form})


@require_GET
def errand_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    can_dispatch = has_permission(request.user, "errands.dispatch", errand.household.compound)
    return render(request, "errands/errand_detail.html", {
        "errand": errand,
        "events": errand.events.select_related("by"),
        "is_assignee": errand.assignee_id == request.user.pk,
        "can_dispatch": can_dispatch,
        "assign_form": AssignForm(user=request.user, errand=errand) if can_dispatch else None,
        "deliver_form": DeliverForm(),
    })


def _attempt(request: HttpRequest, errand, action, success: str) -> HttpResponse:
    """Run a service; a move it refuses becomes a Chinese message on the errand page, never a 500."""
    try:
        action()
    except services.ErrandError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("errands:detail", public_id=errand.public_id)


@require_POST
def accept(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    return _attempt(request, errand, lambda: services.accept_errand(by=request.user, errand=errand), _("已接单"))


@require_POST
def start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    return _attempt(request, errand, lambda: services.start_errand(by=request.user, errand=errand), _("开始办理"))


@require_POST
def deliver(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("费用应为不小于 0 的金额"))
        return redirect("errands:detail", public_id=errand.public_id)
    return _attempt(request, errand, lambda: services.deliver_errand(
        by=request.user, errand=errand, cost=form.cleaned_data["cost"], payment_note=form.cleaned_data["payment_note"]
    ), _("已送达，等待居民确认"))


@require_POST
def cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    return _attempt(request, errand, lambda: services.cancel_errand(
        by=request.user, errand=errand, reason=request.POST.get("reason", "")
    ), _("已取消"))


@require_POST
def assign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_errand(request.user, public_id)
    if not has_permission(request.user, "errands.dispatch", errand.household.compound):
        raise PermissionDenied("errands.dispatch")
    form = AssignForm(request.POST, user=request.user, errand=errand)
    if not form.is_valid():
        messages.error(request, str(form.errors["assignee"][0]))
        return redirect("errands:detail", public_id=errand.public_id)
    return _attempt(request, errand, lambda: services.assign_by_hand(
        by=request.user, errand=errand, assignee=form.cleaned_data["assignee"]
    ), _("已指派"))
