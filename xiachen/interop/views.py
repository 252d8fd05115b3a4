"""The system administrator's pages for API tokens and webhook endpoints (admin menu → 系统).

Thin: parse → service → render. A new token's text and a new endpoint's secret are rendered once,
in the response to the POST that made them, and never put in a URL, message, session or log.
"""

from datetime import datetime, time
from uuid import UUID

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.core.pickers import bind_pickers
from xiachen.core.views import paginate
from xiachen.hotline.selectors import access_ticket

from . import endpoints as endpoint_services
from . import open311_client, tokens, webhooks
from .forms import EndpointForm, TokenForm
from .models import ApiToken, WebhookDelivery, WebhookEndpoint


def _admin(request) -> None:
    require_permission(request.user, "accounts.manage")


@require_GET
def token_list(request):
    _admin(request)
    listed = ApiToken.objects.select_related("created_by").prefetch_related("units").order_by("-created_at")
    return render(request, "interop/token_list.html", {"page": paginate(request, listed), "now": timezone.now()})


@never_cache
@require_http_methods(["GET", "POST"])
def token_new(request):
    _admin(request)
    form = TokenForm(request.POST or None)
    bind_pickers(form, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires = timezone.make_aware(datetime.combine(data["expires_on"], time(23, 59, 59)))
        try:
            token, raw = tokens.issue_token(by=request.user, name=data["name"], role=data["role"],
                                            units=list(data["units"]), scopes=data["scopes"], expires_at=expires)
        except tokens.TokenError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "interop/token_issued.html", {"token": token, "raw": raw})
    return render(request, "interop/token_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def token_revoke(request, public_id: UUID):
    _admin(request)
    token = tokens.revoke_token(by=request.user, token=get_object_or_404(ApiToken, public_id=public_id))
    messages.success(request, _("已吊销令牌“%(name)s”") % {"name": token.name})
    return redirect("interop:tokens")


@require_POST
def ticket_forward(request, public_id: UUID):
    """The operator forwards a ticket to the city's Open311 platform (sent after commit by the worker)."""
    ticket = access_ticket(request.user, public_id)
    try:
        open311_client.forward_ticket(by=request.user, ticket=ticket)
    except open311_client.ForwardError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已提交转送市级热线平台"))
    return redirect("hotline:ticket_detail", public_id=ticket.public_id)


@require_GET
def endpoint_list(request):
    _admin(request)
    listed = WebhookEndpoint.objects.select_related("unit").order_by("name")
    return render(request, "interop/endpoint_list.html", {"page": paginate(request, listed)})


@never_cache
@require_http_methods(["GET", "POST"])
def endpoint_new(request):
    _admin(request)
    form = EndpointForm(request.POST or None)
    bind_pickers(form, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = endpoint_services.create_endpoint(
                by=request.user, name=data["name"], url=data["url"], event_types=data["event_types"], unit=data["unit"])
        except endpoint_services.EndpointError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "interop/endpoint_created.html", {"endpoint": endpoint, "secret": secret})
    return render(request, "interop/endpoint_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def endpoint_detail(request, public_id: UUID):
    _admin(request)
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("unit"), public_id=public_id)
    deliveries = endpoint.deliveries.order_by("-created_at", "-id")
    context = {"endpoint": endpoint, "page": paginate(request, deliveries)}
    return render(request, "interop/endpoint_detail.html", context)


@require_POST
def endpoint_active(request, public_id: UUID):
    _admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, public_id=public_id)
    active = request.POST.get("active") == "1"
    endpoint_services.set_endpoint_active(by=request.user, endpoint=endpoint, active=active)
    messages.success(request, _("已启用") if active else _("已停用"))
    return redirect("interop:webhook_detail", public_id=endpoint.public_id)


@require_POST
def endpoint_test(request, public_id: UUID):
    _admin(request)
    endpoint = get_object_or_404(WebhookEndpoint, public_id=public_id)
    endpoint_services.send_test_event(by=request.user, endpoint=endpoint)
    messages.success(request, _("已发送测试事件，请查看下方推送记录"))
    return redirect("interop:webhook_detail", public_id=endpoint.public_id)


@require_POST
def delivery_replay(request, public_id: UUID):
    _admin(request)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), public_id=public_id)
    webhooks.replay(by=request.user, delivery=delivery)
    messages.success(request, _("已重新推送"))
    return redirect("interop:webhook_detail", public_id=delivery.endpoint.public_id)
