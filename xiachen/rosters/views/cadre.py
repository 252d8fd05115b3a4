"""A cadre's own pages: their shifts as a calendar (phone-first), swaps, unwell report, and the
subscription feed for the phone's calendar."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiachen.cadres.models import Cadre

from .. import care, services
from ..forms import RosterCadreForm
from ..selectors import LIVE, access_roster, access_swap, my_assignments, swaps_visible_to
from ..tokens import calendar_claims, calendar_token
from .rosters import attempt, parse_day

RECENT_PAST_DAYS = 14  # past shifts shown under "my shifts" (attendance disputes are raised within two weeks)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The cadre's shifts: today and upcoming first (with a message when there are none), then the
    last RECENT_PAST_DAYS days folded away; swap, unavailability and unwell forms per live roster."""
    today = timezone.localdate()
    shifts = my_assignments(request.user)
    upcoming = list(shifts.filter(day__gte=today))
    past = list(shifts.filter(day__lt=today, day__gte=today - timedelta(days=RECENT_PAST_DAYS)).reverse())
    cadre = getattr(request.user, "cadre", None)
    # Swap, unavailability and unwell forms only for rosters still running.
    rosters = {a.roster_id: a.roster for a in upcoming}.values()
    partners = {}
    if cadre is not None:  # a searchable picker per roster: the colleagues on its post
        partners = {r.pk: _partner_form(request, r) for r in rosters}
    feed = request.build_absolute_uri(reverse("rosters:ical", args=[calendar_token(cadre)])) if cadre else ""
    return render(request, "rosters/mine.html", {
        "upcoming": upcoming, "past": past, "today": today, "recent_days": RECENT_PAST_DAYS,
        "rosters": [(r, partners.get(r.pk)) for r in rosters], "feed": feed,
        "swaps": swaps_visible_to(request.user).filter(requester=cadre)[:20] if cadre else [],
    })


@require_POST
def swap_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    form = _partner_form(request, roster, data=request.POST)
    partner = form.cleaned_data["partner"] if form.is_valid() else None
    day = parse_day(request.POST.get("day"))
    if partner is None or day is None:
        messages.error(request, _("请选择日期和换班对象"))
    else:
        attempt(request, lambda: services.request_swap(by=request.user, roster=roster, day=day, partner=partner),
                _("换班申请已提交，等待负责人审批"))
    return redirect("rosters:mine")


def _partner_form(request: HttpRequest, roster, data=None) -> RosterCadreForm:
    return RosterCadreForm(data, user=request.user, roster=roster, picker="roster-partner", name="partner",
                           label=_("与谁换班"), auto_id=f"swap-{roster.public_id}-%s")


def _is_uuid(value) -> bool:
    try:
        UUID(value or "")
    except ValueError:
        return False
    return True


@require_GET
def swaps(request: HttpRequest) -> HttpResponse:
    page = Paginator(swaps_visible_to(request.user).order_by("status", "-created_at", "-id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "rosters/swap_list.html", {"page": page})


@require_POST
def swap_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    swap = access_swap(request.user, public_id)
    approve = request.POST.get("decision") == "approve"
    attempt(request, lambda: services.decide_swap(by=request.user, swap=swap, approve=approve,
                                                  note=request.POST.get("note", "")),
            _("已批准换班") if approve else _("已拒绝换班"))
    return redirect("rosters:swaps")


@require_POST
def unwell(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    attempt(request, lambda: care.report_unwell(by=request.user, roster=roster, note=request.POST.get("note", "")),
            _("已报告，负责人会安排替班。请注意休息。"))
    return redirect("rosters:mine")


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@require_POST
def reset_calendar_feed(request: HttpRequest) -> HttpResponse:
    """The cadre's own calendar link is replaced: the old one (shared, leaked, on a lost phone) stops."""
    cadre = getattr(request.user, "cadre", None)
    if cadre is None:
        raise Http404
    services.reset_calendar_feed(by=request.user, cadre=cadre)
    messages.success(request, _("已重置日历订阅链接：旧链接已失效，请在手机日历中重新订阅。"))
    return redirect("rosters:mine")


@login_not_required
@require_GET
def ical(request: HttpRequest, token: str) -> HttpResponse:
    """iCalendar feed of a cadre's published shifts; the signed token is the only credential."""
    claims = calendar_claims(token)
    cadre = Cadre.objects.filter(public_id=claims[0], calendar_feed_version=claims[1]).first() if claims else None
    if cadre is None:  # forged, expired, or reset by the cadre: the same 404
        raise Http404
    assignments = cadre.roster_assignments.filter(roster__status__in=LIVE).select_related(
        "shift", "roster__post__unit", "roster__post__post_type").order_by("day", "shift__start")
    zone = timezone.get_current_timezone()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//xiachen//rosters//ZH", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:" + _escape(_("下沉排班"))]
    stamp = _ics_time(timezone.now())
    for a in assignments:
        start = timezone.make_aware(datetime.combine(a.day, a.shift.start), zone)
        lines += ["BEGIN:VEVENT", f"UID:{a.public_id}@xiachen", f"DTSTAMP:{stamp}", f"DTSTART:{_ics_time(start)}",
                  f"DTEND:{_ics_time(start + timedelta(minutes=a.shift.length_minutes))}",
                  "SUMMARY:" + _escape(f"{a.shift.name} · {a.roster.post.post_type.name_zh}"),
                  "LOCATION:" + _escape(a.roster.post.unit.name), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")

