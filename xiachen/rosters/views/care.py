"""Care pages: alerts and replacement requests for the manager and the organization department, and
the protective-gear log of a post."""

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.cadres.models import Cadre

from .. import care
from ..selectors import access_post, access_replacement, alerts_visible_to, replacements_visible_to
from .rosters import attempt


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "rosters.oversee")
    page = Paginator(alerts_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "rosters/alert_list.html", {
        "page": page, "replacements": replacements_visible_to(request.user).filter(status="open")[:50],
    })


@require_POST
def replacement_resolve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = access_replacement(request.user, public_id)
    attempt(request, lambda: care.resolve_replacement(by=request.user, request=item), _("已标记为已安排"))
    return redirect("rosters:alerts")


@require_POST
def gear(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = access_post(request.user, public_id)
    item = request.POST.get("item", "").strip()
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        messages.error(request, _("数量应为整数"))
        return redirect("rosters:post", public_id=post.public_id)
    cadre_id = request.POST.get("cadre")
    if cadre_id:
        cadre = Cadre.objects.filter(public_id=cadre_id).first()
        attempt(request, lambda: care.issue_gear(by=request.user, post=post, item=item, quantity=quantity,
                                                 cadre=cadre), _("已发放"))
    else:
        attempt(request, lambda: care.receive_gear(by=request.user, post=post, item=item, quantity=quantity),
                _("已入库"))
    return redirect("rosters:post", public_id=post.public_id)
