"""应急动员 pages: the caller's list, form and live progress (htmx polling); the member's one-tap
reply page (the signed link is the only credential); the SMS gateway's inbound endpoint."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.interop.signing import HEADER

from . import forms, inbound, selectors
from .enums import CallOutStatus, InviteReply, ReplyChannel
from .models import CallOutInvite
from .services import VolunteerError
from .services import callouts as services
from .tokens import invite_of_token
from .views import attempt


def _form(request, data=None):
    return forms.CallOutForm(data, areas=selectors.callout_areas_for(request.user))


def _community_of(area):
    """The community a call-out is raised for: the area itself or the community above a compound."""
    if area.kind.code == "community":
        return area
    if area.kind.code == "compound":
        return area.parent
    return None


@require_GET
def callout_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.call_out")
    call_outs = selectors.callouts_visible_to(request.user).order_by("-created_at", "-id")[:100]
    return render(request, "volunteers/callouts.html", {"call_outs": call_outs})


@require_http_methods(["GET", "POST"])
def callout_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.call_out")
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call_out = services.create_call_out(
                by=request.user, area=data["area"], community=_community_of(data["area"]), title=data["title"],
                need=data["need"], place=data["place"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                reply_deadline=data["reply_deadline"], headcount=data["headcount"],
                invite_factor=data["invite_factor"], skills=data["skills"])
        except VolunteerError as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("volunteers:callout", call_out.public_id)
    return render(request, "volunteers/callout_form.html", {"form": form})


def _invites(call_out):
    return call_out.invites.select_related("member", "member__compound").order_by("rank")[:500]


@require_GET
def callout_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    call_out = selectors.access_callout(request.user, public_id)
    if call_out.status in services.LIVE and call_out.reply_deadline < timezone.now():
        services.time_out_due()
    preview = services.rank_invitees(call_out)[:20] if call_out.status == CallOutStatus.DRAFT else []
    names = {}
    if preview:
        from .models import Member

        names = dict(Member.objects.filter(pk__in=[r.member_id for r in preview]).values_list("pk", "name"))
    return render(request, "volunteers/callout_detail.html", {
        "call_out": call_out, "progress": services.progress(call_out), "invites": _invites(call_out),
        "preview": [(names.get(r.member_id, ""), r) for r in preview], "skills": call_out.skills.all(),
        "shifts": _shifts_for(request.user, call_out),
    })


def _shifts_for(user, call_out):
    """Shifts of rosters posts in the call-out's area the user manages (for 转为排班)."""
    from xiachen.rosters.models import ShiftTemplate

    if call_out.roster_id or call_out.status not in (*services.LIVE, CallOutStatus.CLOSED):
        return []
    if not has_permission(user, "rosters.manage", call_out.area):
        return []
    return list(ShiftTemplate.objects.filter(post__unit_path__startswith=call_out.area_path)
                .select_related("post__unit").order_by("post_id", "start")[:50])


@require_GET
def callout_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The fill-progress fragment the caller's page polls."""
    call_out = selectors.access_callout(request.user, public_id)
    if call_out.status in services.LIVE and call_out.reply_deadline < timezone.now():
        services.time_out_due()
        call_out.refresh_from_db()
    return render(request, "volunteers/_callout_progress.html", {
        "call_out": call_out, "progress": services.progress(call_out), "invites": _invites(call_out)})


@require_POST
def callout_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    call_out = selectors.access_callout(request.user, public_id)
    action = request.POST.get("action")
    if action == "send":
        attempt(request, lambda: services.send_call_out(by=request.user, call_out=call_out), _("已发出动员"))
    elif action == "close":
        attempt(request, lambda: services.close_call_out(by=request.user, call_out=call_out), _("已结束动员"))
    elif action == "cancel":
        attempt(request, lambda: services.cancel_call_out(by=request.user, call_out=call_out), _("已取消动员"))
    else:
        messages.error(request, _("请选择操作"))
    return redirect("volunteers:callout", call_out.public_id)


@require_POST
def callout_roster(request: HttpRequest, public_id: UUID) -> HttpResponse:
    call_out = selectors.access_callout(request.user, public_id)
    shift = next((s for s in _shifts_for(request.user, call_out) if str(s.public_id) == request.POST.get("shift")),
                 None)
    if shift is None:
        messages.error(request, _("请选择班次"))
        return redirect("volunteers:callout", call_out.public_id)
    try:
        roster, left_out = services.to_roster(by=request.user, call_out=call_out, post=shift.post, shift=shift)
    except VolunteerError as refusal:
        messages.error(request, str(refusal))
        return redirect("volunteers:callout", call_out.public_id)
    messages.success(request, _("已转为排班"))
    for line in left_out:
        messages.warning(request, line)
    return redirect("rosters:roster", roster.public_id)


@login_not_required
@require_http_methods(["GET", "POST"])
def callout_reply(request: HttpRequest, token: str) -> HttpResponse:
    """One tap on the phone: 可以 / 不行. Forged links get 404; an expired one says the deadline
    passed; a used one shows the answer given (a second answer is refused by the service)."""
    public_id, expired = invite_of_token(token)
    invite = (CallOutInvite.objects.filter(public_id=public_id).select_related("call_out__area", "member").first()
              if public_id else None)
    if invite is None:
        raise Http404
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if expired:
            error = _("回复已截止")
        else:
            try:
                services.reply(invite=invite, answer=answer, channel=ReplyChannel.LINK, by=None)
            except VolunteerError as refusal:
                error = str(refusal)
            else:
                return redirect("volunteers:callout_reply", token)
        invite.refresh_from_db()
    return render(request, "volunteers/callout_reply.html", {
        "invite": invite, "call_out": invite.call_out, "expired": expired, "error": error,
        "open": invite.reply == InviteReply.PENDING and not expired
                and invite.call_out.status == CallOutStatus.OPEN,
    }, status=400 if error else 200)


@login_not_required
@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """The SMS gateway posts each inbound text here, signed with XIACHEN_SMS_INBOUND_SECRET."""
    try:
        body = request.body
    except RawPostDataException:  # a form upload already read as a stream: no raw body to verify
        body = b""
    if not body or not inbound.authentic(body, request.headers.get(HEADER, "")):
        return JsonResponse({"error": "bad signature"}, status=401)
    status, answer = inbound.handle(body)
    return JsonResponse({"reply": answer}, status=status, json_dumps_params={"ensure_ascii": False})
