"""Pages of tickets: list, intake, detail with timeline and duplicates, and one POST per action."""

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.pagination import keyset_page
from xiachen.core.pickers import describe_units
from xiachen.interop.open311_client import upstream_configured
from xiachen.org.models import Unit

from .. import services
from ..enums import OPEN_STATUSES, ComplaintReview, RequestKind, RequestStatus, Satisfaction, TicketStatus
from ..forms import ExtensionForm, RouteForm, TicketForm, TransferForm
from ..models import Category
from ..selectors import (
    TICKET_ORDER,
    access_ticket,
    can_supervise,
    likely_duplicates,
    search_tickets,
)


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


def _unit(request: HttpRequest, name: str = "unit") -> Unit:
    return get_object_or_404(Unit.objects.select_related("kind"), public_id=_uuid(request.POST.get(name)))


@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.view")
    filters = {key: request.GET.get(key, "") for key in ("status", "category", "number", "due")}
    # Keyset, no count: a city's month is 300,000 tickets (issue #14 item 6).
    page = keyset_page(request, search_tickets(request.user, **filters), ordering=TICKET_ORDER)
    context = {
        "page": page, "filters": filters, "querystring": page.querystring,
        "statuses": TicketStatus.choices, "categories": Category.objects.all(),
        "can_create": has_permission(request.user, "hotline.operate"),
    }
    template = "hotline/ticket_list.html#results" if request.htmx else "hotline/ticket_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.operate")
    form = TicketForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.create_ticket(by=request.user, **form.cleaned_data)
        except services.TicketError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已受理工单 %(number)s") % {"number": ticket.number})
            return redirect("hotline:ticket_detail", public_id=ticket.public_id)
    return render(request, "hotline/ticket_form.html", {"form": form})


@require_GET
def ticket_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    return render(request, "hotline/ticket_detail.html", _detail_context(request, ticket))


def _detail_context(request: HttpRequest, ticket, *, callback: dict | None = None) -> dict:
    """What the ticket page shows the viewer; `callback`: the call-back answers to show again
    after a refused call-back (default: 'resolved', no satisfaction chosen)."""
    user = request.user
    is_operator = has_permission(user, "hotline.operate", ticket.place)
    context = {
        "ticket": ticket, "statuses": TicketStatus, "satisfactions": Satisfaction.choices,
        "open_statuses": [str(status) for status in OPEN_STATUSES],
        "events": ticket.events.select_related("actor", "unit").order_by("created_at", "id"),
        "duplicates": likely_duplicates(ticket),
        "is_operator": is_operator,
        "open311_configured": upstream_configured(),
        "is_owner": ticket.owner_id is not None and has_permission(user, "hotline.handle", ticket.owner),
        "is_transfer_target": ticket.transfer_to_id is not None
        and has_permission(user, "hotline.handle", ticket.transfer_to),
        "can_arbitrate": ticket.district_id is not None and has_permission(user, "hotline.arbitrate", ticket.district),
        "can_reveal": any(has_permission(user, "hotline.show_personal", unit)
                          for unit in (ticket.place, ticket.owner) if unit is not None),
        "route_form": RouteForm(user=user, initial={"unit": ticket.owner.public_id if ticket.owner_id else None})
        if is_operator else None,
        "callback": callback or {"resolved": "yes", "satisfaction": "", "reason": ""},
        "can_supervise": can_supervise(user, ticket),
        "requests": list(ticket.requests.select_related("unit", "requested_by", "decided_by")),
        "request_kinds": RequestKind, "request_statuses": RequestStatus,
        "complaint": getattr(ticket, "complaint_subject", None),
        "can_review_complaint": has_permission(user, "hotline.moderate_complaints", ticket.place),
        "complaint_reviews": ComplaintReview,
    }
    pending = {r.kind for r in context["requests"] if r.status == RequestStatus.PENDING}
    context["pending_return"] = RequestKind.RETURN in pending
    context["pending_extension"] = RequestKind.EXTENSION in pending
    if context["is_owner"]:
        context["transfer_form"] = TransferForm(user=user, ticket=ticket)
    if context["can_arbitrate"] and ticket.status == TicketStatus.DISPUTED:
        context["arbitration_options"] = _arbitration_options(ticket)
    return context


def _arbitration_options(ticket) -> list:
    """The owner, the unit asked to take over, and the district as the fallback, each with its full
    place in the city (two 新华社区 of different streets differ)."""
    units = [unit for unit in (ticket.owner, ticket.transfer_to, ticket.district) if unit is not None]
    options = describe_units(list(dict.fromkeys(units)))
    return [(option, unit_ == ticket.district) for option, unit_ in zip(options, dict.fromkeys(units), strict=True)]


def _attempt(request: HttpRequest, ticket, action: Callable, success: str) -> HttpResponse:
    """Run a service; a refusal becomes a Chinese message on the ticket page, never a 500."""
    try:
        action()
    except services.TicketError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("hotline:ticket_detail", public_id=ticket.public_id)


@require_POST
def ticket_route(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.operate")
    unit = _unit(request)
    return _attempt(request, ticket, lambda: services.route_ticket(by=request.user, ticket=ticket, unit=unit),
                    _("已派单给 %(unit)s") % {"unit": unit.name})


@require_POST
def ticket_accept(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    return _attempt(request, ticket, lambda: services.accept_ticket(by=request.user, ticket=ticket), _("已签收"))


@require_POST
def ticket_transfer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    form = TransferForm(request.POST, user=request.user, ticket=ticket)
    if not form.is_valid():
        messages.error(request, form.errors["unit"][0])
        return redirect("hotline:ticket_detail", public_id=ticket.public_id)
    reason = request.POST.get("reason", "")
    return _attempt(request, ticket, lambda: services.request_transfer(
        by=request.user, ticket=ticket, unit=form.cleaned_data["unit"], reason=reason),
        _("已申请转办，对方接收前仍由本单位负责"))


@require_POST
def ticket_transfer_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    if request.POST.get("decision") == "accept":
        return _attempt(request, ticket, lambda: services.accept_transfer(by=request.user, ticket=ticket),
                        _("已接收转办"))
    reason = request.POST.get("reason", "")
    return _attempt(request, ticket, lambda: services.decline_transfer(by=request.user, ticket=ticket, reason=reason),
                    _("已拒绝转办，提交区级裁定"))


@require_POST
def ticket_arbitrate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.arbitrate")
    unit = _unit(request)
    note = request.POST.get("note", "")
    return _attempt(request, ticket, lambda: services.arbitrate(by=request.user, ticket=ticket, unit=unit, note=note),
                    _("已裁定由 %(unit)s 承办") % {"unit": unit.name})


@require_POST
def ticket_resolve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    outcome = request.POST.get("outcome", "")
    return _attempt(request, ticket, lambda: services.resolve_ticket(by=request.user, ticket=ticket, outcome=outcome),
                    _("已办结，等待回访"))


@require_POST
def ticket_callback(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.operate")
    answers = {key: request.POST.get(key, "") for key in ("resolved", "satisfaction", "reason")}
    try:
        services.record_callback(by=request.user, ticket=ticket, resolved=answers["resolved"] == "yes",
                                 satisfaction=answers["satisfaction"], reason=answers["reason"])
    except services.TicketError as refusal:
        # Shown again with the operator's answers kept, so a missing reason costs one field, not three.
        messages.error(request, str(refusal))
        context = _detail_context(request, ticket, callback=answers)
        return render(request, "hotline/ticket_detail.html", context)
    messages.success(request, _("已记录回访"))
    return redirect("hotline:ticket_detail", public_id=ticket.public_id)


@require_POST
def ticket_reopen(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.operate")
    note = request.POST.get("note", "")
    return _attempt(request, ticket, lambda: services.reopen_ticket(by=request.user, ticket=ticket, note=note),
                    _("已重办，退回承办单位"))


@require_POST
def ticket_link(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.operate")
    original = access_ticket(request.user, _uuid(request.POST.get("original")))
    return _attempt(request, ticket, lambda: services.link_duplicate(by=request.user, ticket=ticket,
                                                                     original=original), _("已合并为重复来电"))


@require_POST
def ticket_reveal(request: HttpRequest, public_id: UUID, field: str) -> HttpResponse:
    if field not in services.REVEALABLE_FIELDS:
        raise Http404
    ticket = access_ticket(request.user, public_id)
    value = services.reveal_caller_field(by=request.user, ticket=ticket, field=field)
    response = render(request, "components/revealed_value.html", {"value": value})
    response.reveals_personal_data = True
    return response


# ---- 退单, 延期, 督办, complaints naming a cadre (ADR 1604) ------------------------------------------


def _approve(request: HttpRequest) -> bool:
    return request.POST.get("decision") == "approve"


@require_POST
def ticket_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    reason = request.POST.get("reason", "")
    return _attempt(request, ticket, lambda: services.request_return(by=request.user, ticket=ticket, reason=reason),
                    _("已申请退单，等待派单员审核"))


@require_POST
def ticket_return_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.operate")
    approve, note = _approve(request), request.POST.get("note", "")
    return _attempt(request, ticket, lambda: services.decide_return(by=request.user, ticket=ticket, approve=approve,
                                                                     note=note),
                    _("已同意退单，请重新派单") if approve else _("已驳回退单，工单退回承办单位"))


@require_POST
def ticket_extend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.handle")
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect("hotline:ticket_detail", public_id=ticket.public_id)
    return _attempt(request, ticket, lambda: services.request_extension(
        by=request.user, ticket=ticket, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"]),
        _("已申请延期，等待审核"))


@require_POST
def ticket_extend_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.supervise")
    approve, note = _approve(request), request.POST.get("note", "")
    return _attempt(request, ticket, lambda: services.decide_extension(by=request.user, ticket=ticket,
                                                                        approve=approve, note=note),
                    _("已同意延期") if approve else _("已驳回延期申请"))


@require_POST
def ticket_supervise(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.supervise")
    reason = request.POST.get("reason", "")
    return _attempt(request, ticket, lambda: services.supervise_ticket(by=request.user, ticket=ticket, reason=reason),
                    _("已督办，承办单位已收到通知"))


@require_POST
def ticket_complaint_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_ticket(request.user, public_id)
    require_permission(request.user, "hotline.moderate_complaints")
    confirmed, note = request.POST.get("decision") == "confirmed", request.POST.get("note", "")
    return _attempt(request, ticket, lambda: services.review_complaint(by=request.user, ticket=ticket,
                                                                        confirmed=confirmed, note=note),
                    _("已核实：投诉属实") if confirmed else _("已核实：投诉不属实"))
