"""Inbound Open311 GeoReport v2 for the hotline (https://wiki.open311.org/GeoReport_v2), JSON and XML.

    GET  /open311/v2/services.{json|xml}            categories as services
    GET  /open311/v2/services/<code>.{json|xml}     a service definition (no extra attributes)
    POST /open311/v2/requests.{json|xml}            file a ticket (form-encoded, as the standard says)
    GET  /open311/v2/requests.{json|xml}            tickets: service_request_id=a,b · status · service_code · dates
    GET  /open311/v2/requests/<id>.{json|xml}       one ticket

`api_key` is an API token with the `hotline` scope, on every call (the standard needs it only to
POST; tickets are not public here). `address_id` is the code of the compound or community
(`/api/units/`). The request id is the ticket number. Errors are Open311's list of {code, description}.
"""

import json
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Category, Ticket
from xiachen.hotline.selectors import tickets_visible_to
from xiachen.hotline.services import TicketError, create_ticket
from xiachen.org.selectors import units_visible_to

from . import idempotency
from .enums import Scope
from .tokens import authenticate, require_scope

CLOSED = {TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.MERGED}
LIST_LIMIT, DEFAULT_DAYS = 200, 90


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _render(data, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        for entry in data:
            child = ET.SubElement(element, item)
            for key, value in entry.items():
                ET.SubElement(child, key).text = "" if value is None else str(value).lower() if isinstance(
                    value, bool) else str(value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def _error(error: Open311Error, fmt: str) -> HttpResponse:
    return _render([{"code": error.code, "description": error.description}], fmt, root="errors", item="error",
                   status=error.code)


def open311_view(methods: list[str]):
    """Open to the network (the token is the credential), CSRF-exempt (no cookies are used), errors in
    Open311's shape; `fmt` is the URL's json/xml suffix."""

    def decorate(view):
        @login_not_required
        @csrf_exempt
        @require_http_methods(methods)
        def wrapper(request, *args, fmt: str, **kwargs):
            try:
                request.user = _caller(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return _error(error, fmt)
            except PermissionDenied:
                return _error(Open311Error(403, _("api_key 无权执行此操作")), fmt)
            except Http404:
                return _error(Open311Error(404, _("未找到")), fmt)

        wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
        return wrapper

    return decorate


def _caller(request):
    """The token from `Authorization: Bearer` (preferred: a query string ends up in access logs) or, as
    the standard has it, from the `api_key` parameter."""
    header = request.headers.get("Authorization", "")
    key = header[7:] if header.lower().startswith("bearer ") else ""
    key = key or (request.POST.get("api_key") if request.method == "POST" else request.GET.get("api_key"))
    user = authenticate(key or "")
    if user is None:
        raise Open311Error(403, _("api_key 无效、已过期或已吊销"))
    return user


def _service(category: Category) -> dict:
    return {"service_code": category.code, "service_name": category.name_zh, "description": category.name_zh,
            "metadata": False, "type": "realtime", "keywords": "", "group": ""}


@open311_view(["GET"])
def services(request, *, fmt: str) -> HttpResponse:
    """The hotline's categories as Open311 services."""
    return _render([_service(c) for c in Category.objects.order_by("sort_order", "code")], fmt,
                   root="services", item="service")


@open311_view(["GET"])
def service_definition(request, code: str, *, fmt: str) -> HttpResponse:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("服务代码不存在"))
    data = {"service_code": category.code, "attributes": []}
    if fmt == "xml":
        return _render([{"service_code": category.code}], fmt, root="service_definition", item="service")
    return HttpResponse(json.dumps(data), content_type="application/json")


def _request_data(ticket: Ticket) -> dict:
    place = ticket.place
    return {
        "service_request_id": ticket.number, "status": "closed" if ticket.status in CLOSED else "open",
        "status_notes": str(TicketStatus(ticket.status).label), "service_name": ticket.category.name_zh,
        "service_code": ticket.category.code, "description": ticket.description,
        "agency_responsible": ticket.owner.name if ticket.owner is not None else "", "service_notice": "",
        "requested_datetime": ticket.received_at.isoformat(), "updated_datetime": ticket.updated_at.isoformat(),
        "expected_datetime": ticket.due_at.isoformat(), "address": place.name, "address_id": place.code,
        "zipcode": "", "lat": float(place.latitude) if place.latitude is not None else None,
        "long": float(place.longitude) if place.longitude is not None else None, "media_url": "",
    }


def _filtered(request) -> list[Ticket]:
    tickets = tickets_visible_to(request.user).select_related("category", "place", "owner").order_by("-received_at")
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return list(tickets.filter(number__in=ids[:LIST_LIMIT]))
    start, end = _date(request, "start_date"), _date(request, "end_date")
    tickets = tickets.filter(received_at__gte=start or timezone.now() - timedelta(days=DEFAULT_DAYS))
    if end:
        tickets = tickets.filter(received_at__lte=end)
    if request.GET.get("service_code"):
        tickets = tickets.filter(category__code=request.GET["service_code"])
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        tickets = tickets.filter(status__in=CLOSED) if status == "closed" else tickets.exclude(status__in=CLOSED)
    return list(tickets[:LIST_LIMIT])


def _date(request, name: str) -> datetime | None:
    raw = request.GET.get(name, "")
    try:
        value = parse_datetime(raw) if raw else None
    except ValueError:
        value = None
    if raw and value is None:
        raise Open311Error(400, _("%(name)s 须为 W3C 日期时间格式") % {"name": name})
    return value if value is None or timezone.is_aware(value) else timezone.make_aware(value)


@open311_view(["GET", "POST"])
def requests(request, *, fmt: str) -> HttpResponse:
    """GET: the caller's tickets; POST: file one."""
    if request.method == "POST":
        return _file(request, fmt)
    return _render([_request_data(t) for t in _filtered(request)], fmt, root="service_requests", item="request")


@open311_view(["GET"])
def request_detail(request, number: str, *, fmt: str) -> HttpResponse:
    ticket = tickets_visible_to(request.user).select_related("category", "place", "owner").filter(number=number).first()
    if ticket is None:
        raise Open311Error(404, _("未找到该请求"))
    return _render([_request_data(ticket)], fmt, root="service_requests", item="request")


def _file(request, fmt: str) -> HttpResponse:
    form = {key: request.POST.get(key, "").strip() for key in (
        "service_code", "address_id", "address_string", "description", "first_name", "last_name", "phone")}
    key = request.headers.get("Idempotency-Key", "")[:255]
    action = lambda: (201, _created(_open(request.user, form)))  # noqa: E731
    if key:
        status, body = idempotency.answer(request, key=key, operation="open311.file", payload=form, action=action)
    else:
        try:
            status, body = action()
        except TicketError as error:
            status, body = 400, {"detail": str(error)}
    if status != 201:
        raise Open311Error(status, body.get("detail", ""))
    return _render(body["items"], fmt, root="service_requests", item="request", status=201)


def _created(ticket: Ticket) -> dict:
    return {"items": [{"service_request_id": ticket.number, "service_notice": "", "account_id": None}]}


def _open(user, form: dict) -> Ticket:
    require_scope(user, Scope.HOTLINE)
    category = Category.objects.filter(code=form["service_code"]).first()
    if category is None:
        raise TicketError(_("service_code 不存在"))
    place = units_visible_to(user).filter(code=form["address_id"]).first() if form["address_id"] else None
    if place is None:
        raise TicketError(_("address_id 须为可见小区或社区的代码"))
    name = (form["last_name"] + form["first_name"]) or _("市级平台来电人")
    with_address = form["address_string"][:200]
    return create_ticket(by=user, caller_name=name[:60], caller_phone=form["phone"], place=place, category=category,
                         description=form["description"][:2000], address=with_address, source="open311")
