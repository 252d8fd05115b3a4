"""Pages of posts and rosters: shift templates, the calendar grid, generation with progress, status
moves, live-checked manual edits, cover, unavailable days, wishes, and the round's rules."""

from datetime import date
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.deployments.round_selectors import access_round

from .. import care, services
from ..enums import RosterStatus
from ..forms import PostSiteForm, RosterCadreForm, RosterForm, RuleSetForm, ShiftTemplateForm
from ..grid import grid
from ..planning import frame_of, rules_for
from ..selectors import access_post, access_roster, posts_visible_to, roster_list, with_assignment_counts
from ..tokens import post_scan_url


def attempt(request: HttpRequest, action, success: str) -> bool:
    """Run a service; a rule it refuses becomes a Chinese message, never a 500."""
    try:
        action()
    except services.RosterError as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def parse_uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "rosters.oversee")
    page = Paginator(roster_list(request.user), 50).get_page(request.GET.get("page"))
    page.object_list = with_assignment_counts(list(page.object_list))
    # Posts page on their own (a city has thousands): each pager keeps the other list's page.
    posts = Paginator(posts_visible_to(request.user), 20).get_page(request.GET.get("posts_page"))
    return render(request, "rosters/roster_list.html", {
        "page": page, "posts": posts,
        "rosters_querystring": urlencode({"posts_page": posts.number}),
        "posts_querystring": urlencode({"page": page.number}),
    })


@require_GET
def post_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = access_post(request.user, public_id)
    can_manage = services.can_manage(request.user, post)
    context = {
        "post": post, "can_manage": can_manage, "shifts": post.shift_templates.all(),
        "rosters": post.rosters.order_by("-start"), "stock": care.gear_stock(post),
        "movements": post.gear_movements.select_related("cadre", "by")[:50],
        "shift_form": ShiftTemplateForm(), "roster_form": RosterForm(),
    }
    round_ = services.published_round_of(post)
    if round_ is not None:
        from ..planning import deployed_cadre_queryset

        # Only the post's own cadres (a handful), named with agency and department: two 王伟 differ.
        context["cadres"] = deployed_cadre_queryset(post, round_).select_related("agency", "department")
    if can_manage:
        context["qr_url"] = post_scan_url(request, post)
        site = getattr(post, "site", None)
        context["site"] = site
        context["site_form"] = PostSiteForm(initial={"latitude": site.latitude, "longitude": site.longitude,
                                                     "radius_m": site.radius_m} if site else None)
    return render(request, "rosters/post_detail.html", context)


@require_POST
def site_set(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The manager sets where the post is and the radius a clock-in must be within."""
    from ..geofence import set_site

    post = access_post(request.user, public_id)
    form = PostSiteForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: set_site(by=request.user, post=post, **form.cleaned_data), _("已保存签到位置"))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect("rosters:post", public_id=post.public_id)


@require_POST
def shift_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = access_post(request.user, public_id)
    form = ShiftTemplateForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.add_shift_template(by=request.user, post=post, **form.cleaned_data),
                _("已添加班次"))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" if f in form.fields else e[0]
                                         for f, e in form.errors.items()))
    return redirect("rosters:post", public_id=post.public_id)


@require_POST
def roster_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = access_post(request.user, public_id)
    form = RosterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写开始和结束日期"))
        return redirect("rosters:post", public_id=post.public_id)
    created = []
    if attempt(request, lambda: created.append(services.create_roster(by=request.user, post=post,
                                                                       **form.cleaned_data)), _("已创建排班表")):
        return redirect("rosters:roster", public_id=created[0].public_id)
    return redirect("rosters:post", public_id=post.public_id)


@require_GET
def roster_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    can_manage = services.can_manage(request.user, roster.post)
    frame = frame_of(roster)
    context = {"roster": roster, "frame": frame, "can_manage": can_manage, "statuses": RosterStatus,
               "editable": can_manage and roster.status in services.EDITABLE} | grid(frame)
    if context["editable"]:  # searchable pickers of the roster's cadres (issue #14 item 5)
        context |= {f"{form}_form": RosterCadreForm(user=request.user, roster=roster, picker="roster-cadre",
                                                     name="cadre", label=_("干部"), auto_id=f"{form}_%s")
                    for form in ("unavailable", "wish")}
    return render(request, "rosters/roster_detail.html", context)


@require_POST
def roster_generate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    attempt(request, lambda: services.start_generation(by=request.user, roster=roster), _("已开始排班"))
    return redirect("rosters:roster", public_id=roster.public_id)


@require_GET
def roster_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    response = render(request, "rosters/roster_progress.html", {"roster": roster})
    if roster.status != RosterStatus.GENERATING and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def roster_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    to = request.POST.get("to", "")
    if to not in RosterStatus.values:
        messages.error(request, _("未知的状态"))
        return redirect("rosters:roster", public_id=roster.public_id)
    attempt(request, lambda: services.change_status(by=request.user, roster=roster, to=RosterStatus(to)),
            _("状态已更新"))
    return redirect("rosters:roster", public_id=roster.public_id)


@require_http_methods(["GET", "POST"])
def cell(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One cell of the grid (htmx): GET shows the editor and, for a proposed shift, every rule the
    move would break; POST saves it after the same check.

    The editor carries `seen`, the cell's value when it was opened; when another manager changed
    the cell meanwhile, POST saves nothing and shows the current value (CellConflict)."""
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    data = request.POST if request.method == "POST" else request.GET
    frame = frame_of(roster)
    cadre = next((c for c in frame.cadres if str(c.public_id) == data.get("cadre")), None)
    day = parse_day(data.get("day"))
    if cadre is None or day is None or not roster.start <= day <= roster.end:
        raise Http404
    code = data.get("shift") or None
    proposed = "shift" in data
    current = roster.assignments.filter(cadre=cadre, day=day).select_related("shift").first()
    seen = data.get("seen", current.shift.code if current else "")
    saved, conflict, reasons = False, "", []
    try:
        if request.method == "POST" and "seen" in data:
            services.cell_conflict(roster=roster, cadre=cadre, day=day, seen=data["seen"])
        reasons = services.check_cells(roster=roster, changes={(cadre.pk, day): code}) if proposed else []
        if request.method == "POST" and not reasons:
            services.set_cell(by=request.user, roster=roster, cadre=cadre, day=day, code=code,
                              seen=data.get("seen", services.NOT_GIVEN))
            saved = True
    except services.CellConflict as clash:  # another manager changed the cell since it was opened
        conflict, seen = str(clash), clash.current or ""
    except services.RosterError as refusal:
        reasons = [str(refusal)]
    if not request.htmx:
        for reason in [*reasons, *([conflict] if conflict else [])]:
            messages.error(request, reason)
        return redirect("rosters:roster", public_id=roster.public_id)
    current = roster.assignments.filter(cadre=cadre, day=day).select_related("shift").first()
    return render(request, "rosters/cell.html", {
        "roster": roster, "cadre": cadre, "day": day, "shifts": frame.shifts, "reasons": reasons,
        "proposed": code if proposed else (current.shift.code if current else ""), "current": current,
        "editing": not saved, "saved": saved, "seen": seen, "conflict": conflict,
    })


@require_POST
def cover_set(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    services.require_manager(request.user, roster.post)
    shift = get_object_or_404(roster.post.shift_templates, public_id=parse_uuid(request.POST.get("shift")))
    day = parse_day(request.POST.get("day"))
    try:
        minimum, preferred = int(request.POST.get("minimum", "")), int(request.POST.get("preferred", ""))
    except ValueError:
        minimum = preferred = -1
    if day is None or minimum < 0 or not roster.start <= day <= roster.end:
        messages.error(request, _("请填写排班期内的日期和人数"))
    else:
        attempt(request, lambda: services.set_cover(by=request.user, roster=roster, day=day, shift=shift,
                                                    minimum=minimum, preferred=preferred), _("已设置人数要求"))
    return redirect("rosters:roster", public_id=roster.public_id)


def _cadre_on(roster, request):
    frame = frame_of(roster)
    wanted = request.POST.get("cadre")
    cadre = next((c for c in frame.cadres if str(c.public_id) == wanted), None)
    if cadre is None:
        cadre = next((c for c in frame.cadres if c.user_id == request.user.pk), None)
    if cadre is None:
        raise Http404
    return cadre


@require_POST
def unavailable_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    cadre = _cadre_on(roster, request)
    day = parse_day(request.POST.get("day"))
    if day is None:
        messages.error(request, _("请填写日期"))
    else:
        attempt(request, lambda: services.add_unavailability(by=request.user, roster=roster, cadre=cadre, day=day,
                                                             reason=request.POST.get("reason", ""),
                                                             compensatory=request.POST.get("compensatory") == "1"),
                _("已登记不可排班日"))
    if request.POST.get("next") == "mine":
        return redirect("rosters:mine")
    return redirect("rosters:roster", public_id=roster.public_id)


@require_POST
def wish_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    roster = access_roster(request.user, public_id)
    cadre = _cadre_on(roster, request)
    day = parse_day(request.POST.get("day"))
    shift = roster.post.shift_templates.filter(public_id=parse_uuid(request.POST.get("shift"))).first()
    try:
        weight = int(request.POST.get("weight", "3"))
    except ValueError:
        weight = 0
    if day is None:
        messages.error(request, _("请填写日期"))
    else:
        attempt(request, lambda: services.add_wish(by=request.user, roster=roster, cadre=cadre, day=day, shift=shift,
                                                   wanted=request.POST.get("wanted") == "1", weight=weight),
                _("已登记意愿"))
    if request.POST.get("next") == "mine":
        return redirect("rosters:mine")
    return redirect("rosters:roster", public_id=roster.public_id)


@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The organization department sets a round's rules; everything else reads them."""
    round_ = access_round(request.user, public_id)
    require_permission(request.user, "rosters.set_rules")
    form = RuleSetForm(request.POST or None, instance=rules_for(round_))
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name != "successions"}
        values["forbidden_successions"] = form.cleaned_data["successions"]
        services.update_rules(by=request.user, round_=round_, **values)
        messages.success(request, _("已保存排班规则"))
        return redirect("rosters:rules", public_id=round_.public_id)
    return render(request, "rosters/rules.html", {"round": round_, "form": form})
