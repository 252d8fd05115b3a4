"""Attendance pages: the post's QR scan (check-in/out), the sheet with flags and tallies, manager
confirmation, and the allowance export."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.core.exports import xlsx_response
from xiachen.deployments.models import Demand

from .. import attendance, services
from ..models import Assignment
from ..selectors import access_roster
from ..tokens import post_of_token


@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str) -> HttpResponse:
    post_id = post_of_token(token)
    if post_id is None:
        raise Http404
    post = get_object_or_404(Demand.objects.select_related("unit", "post_type"), public_id=post_id)
    cadre = getattr(request.user, "cadre", None)
    now = timezone.now()
    if request.method == "POST":
        try:
            from ..geofence import Position

            position = Position.of(request.POST.get("latitude"), request.POST.get("longitude"),
                                   request.POST.get("accuracy"))
            record = attendance.scan(by=request.user, post=post, now=now, position=position)
        except services.RosterError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("签退成功") if record.checked_out_at else _("签到成功"))
        return redirect("rosters:scan", token=token)
    current = attendance.current_assignment(cadre=cadre, post=post, now=now) if cadre else None
    record = getattr(current, "attendance", None) if current else None
    context = {"post": post, "assignment": current, "record": record, "needs_position": hasattr(post, "site")}
    return render(request, "rosters/scan.html", context)


@require_GET
def sheet(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    rows, tallies = attendance.attendance_sheet(roster, timezone.now())
    return render(request, "rosters/attendance.html", {"roster": roster, "rows": rows, "tallies": tallies,
                                                        "labels": attendance.STATE_LABELS})


@require_POST
def confirm(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("roster", "shift", "cadre"), public_id=public_id)
    roster = access_roster(request.user, assignment.roster.public_id)
    try:
        attendance.confirm_attendance(by=request.user, assignment=assignment)
    except services.RosterError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已确认出勤"))
    return redirect("rosters:attendance", public_id=roster.public_id)


@require_GET
def allowances_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    content = attendance.allowance_workbook(by=request.user, roster=roster, now=timezone.now())
    return xlsx_response(content, f"allowances-{roster.start:%Y%m%d}.xlsx")
