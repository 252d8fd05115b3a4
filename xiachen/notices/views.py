from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.core.views import paginate

from .models import Notification
from .services import mark_read


@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    return render(request, "notices/inbox.html", {"page": paginate(request, notifications), "querystring": ""})


@require_GET
def unread_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The header's unread count, fetched by htmx after the page loads (so no page pays a query for it)."""
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notices/_unread_badge.html", {"unread_count": count})


@require_POST
def read(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    notification = get_object_or_404(Notification, public_id=public_id, recipient=request.user)
    mark_read(user=request.user, notification=notification)
    return redirect(notification.link or "notices:inbox")
