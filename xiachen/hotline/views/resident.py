"""The resident's side: file a request and follow one's own tickets (linked from the resident site)."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiachen.accounts.permissions import require_permission

from .. import services
from ..forms import ResidentTicketForm
from ..selectors import access_resident_ticket, tickets_of_resident


def _resident(request: HttpRequest):
    require_permission(request.user, "hotline.file")
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise PermissionDenied("hotline.file")
    return resident


@require_http_methods(["GET", "POST"])
def resident_file(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    form = ResidentTicketForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.file_ticket_from_resident(resident=resident, **form.cleaned_data)
        except services.TicketError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已提交，工单号 %(number)s") % {"number": ticket.number})
            return redirect("hotline:resident_ticket", public_id=ticket.public_id)
    return render(request, "hotline/resident_file.html", {"form": form, "tickets": tickets_of_resident(resident)[:20]})


@require_GET
def resident_ticket(request: HttpRequest, public_id: UUID) -> HttpResponse:
    ticket = access_resident_ticket(_resident(request), public_id)
    return render(request, "hotline/resident_ticket.html", {"ticket": ticket})
