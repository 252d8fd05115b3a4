from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.core.views import paginate, query_without_page

from .selectors import audit_events_for


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = audit_events_for(request.user, action=request.GET.get("action", ""), actor=request.GET.get("actor", ""))
    return render(
        request,
        "audit/event_list.html",
        {
            "page": paginate(request, events),
            "filters": request.GET,
            "querystring": query_without_page(request),
        },
    )
