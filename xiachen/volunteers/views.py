"""Staff pages of 双报到: pairings and their projects, the agency member list, registrations,
posts, activities, hours approval and the points catalogue."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission

from .selectors import pairings_visible_to


@require_GET
def pairings(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.view_pairings")
    page = Paginator(pairings_visible_to(request.user).order_by("-started_on", "-id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "volunteers/pairing_list.html", {"page": page})
