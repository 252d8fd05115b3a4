"""Coordination pages: agency confirmation, arrival check-in by QR, a cadre's own assignments."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.org.selectors import access_unit

from .. import services
from ..checkin import checkin_url, unit_of_token
from ..enums import MatchStatus
from ..round_forms import DeclineForm
from ..round_selectors import access_match, my_matches, nominations_for


@require_GET
def nominations(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "deployments.confirm_nominations")
    return render(request, "deployments/nominations.html", {"matches": nominations_for(request.user)})


@require_POST
def match_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    match = access_match(request.user, public_id)
    confirm = request.POST.get("decision") == "confirm"
    form = DeclineForm(request.POST)
    reason = form.data.get("reason", "")
    other_posts = request.POST.get("other_posts") == "1"
    try:
        services.decide_nomination(by=request.user, match=match, confirm=confirm, reason=reason,
                                   other_posts=other_posts)
    except services.RoundError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已确认") if confirm else _("已婉拒，组织部将重新匹配该岗位"))
    return redirect("deployments:nominations")


@require_POST
def match_other_posts(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The liaison says whether a cadre they declined may still be proposed for another post of the round."""
    match = access_match(request.user, public_id)
    allowed = request.POST.get("allowed") == "1"
    try:
        services.set_other_posts(by=request.user, match=match, allowed=allowed)
    except services.RoundError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已允许推荐到本轮其他岗位") if allowed else _("本轮不再推荐该干部"))
    return redirect("deployments:nominations")


@require_GET
def checkin_code(request: HttpRequest, public_id: UUID) -> HttpResponse:
    unit = access_unit(request.user, public_id)
    require_permission(request.user, "deployments.manage_demands", unit)
    arrivals = services.arrivals_at(unit=unit)
    return render(request, "deployments/checkin_code.html", {"unit": unit, "url": checkin_url(request, unit),
                                                              "arrivals": arrivals})


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    unit_id = unit_of_token(token)
    if unit_id is None:
        raise Http404
    match = my_matches(request.user).filter(
        demand__unit__public_id=unit_id, status__in=[MatchStatus.CONFIRMED, MatchStatus.ARRIVED,
                                                     MatchStatus.NO_SHOW], round__status="published",
    ).first()
    if request.method == "POST" and match is not None and match.status != MatchStatus.ARRIVED:
        services.record_arrival(by=request.user, match=match)
        messages.success(request, _("报到成功"))
        return redirect("deployments:checkin", token=token)
    return render(request, "deployments/checkin.html", {"match": match})


@require_POST
def match_arrive(request: HttpRequest, public_id: UUID) -> HttpResponse:
    match = access_match(request.user, public_id)
    try:
        services.record_arrival(by=request.user, match=match)
    except services.RoundError as refusal:
        messages.error(request, str(refusal))
    return redirect("deployments:checkin_code", public_id=match.demand.unit.public_id)


@require_GET
def my_assignments(request: HttpRequest) -> HttpResponse:
    """The cadre's deployments: current and coming ones first (with what to do: 报到 on arrival),
    then finished ones, newest first."""
    today = timezone.localdate()
    matches = my_matches(request.user).select_related("round", "demand__unit", "demand__post_type").order_by(
        "-demand__start", "-id")
    current = [m for m in matches if m.demand.end >= today and m.round.status in ("review", "published")]
    past = [m for m in matches if m not in current]
    return render(request, "deployments/my_assignments.html", {
        "current": current, "past": past[:20], "today": today})


