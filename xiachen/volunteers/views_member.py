"""The member's pages on the resident site (phone first, ADR 1901): report to the community, claim
posts, sign up for activities, sign in and out by the activity's QR code, see hours and points."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.resident.access import ResidentRequest, resident_page

from . import selectors
from .enums import ClaimStatus, RegistrationStatus, SignUpStatus
from .forms import RegistrationForm
from .models import Activity, PostClaim, ServicePost
from .services import VolunteerError, activities, records, registration
from .tokens import activity_of_token


def _attempt(request, action, success: str) -> bool:
    try:
        action()
    except VolunteerError as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True


def _member(request: ResidentRequest):
    member = selectors.member_of(request.resident)
    if member is None:
        raise Http404("not a member")
    return member


@require_GET
@resident_page
def home(request: ResidentRequest) -> HttpResponse:
    member = selectors.member_of(request.resident)
    context = {"member": member}
    if member is not None and member.status == RegistrationStatus.CONFIRMED:
        now = timezone.now()
        mine = {s.activity_id: s for s in selectors.signups_of(member)}
        context.update(
            claims=member.claims.filter(status=ClaimStatus.ACTIVE).select_related("post"),
            posts=selectors.open_posts_for(member).exclude(claims__member=member, claims__status=ClaimStatus.ACTIVE),
            activities=[(a, mine.get(a.pk)) for a in selectors.activities_for(member).filter(ends_at__gte=now)
                        .order_by("starts_at")[:20]],
            years=records.hours_by_year(member),
            records=selectors.records_of(member)[:10],
            ledger=member.ledger.all()[:10], catalog=selectors.catalog_for(member)[:20],
        )
    return render(request, "volunteers/me.html", context)


@require_http_methods(["GET", "POST"])
@resident_page
def register(request: ResidentRequest) -> HttpResponse:
    member = selectors.member_of(request.resident)
    if member is not None and member.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED):
        return redirect("resident:volunteer")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = registration.Profile(
            skills=list(data["skills"]), available_weekdays=data["available_weekdays"],
            available_evenings=data["available_evenings"], available_weekends=data["available_weekends"],
            contact_preference=data["contact_preference"], note=data["note"])
        try:
            registration.register_member(resident=request.resident, kind=data["kind"], id_number=data["id_number"],
                                         agency=data["agency"], profile=profile)
        except VolunteerError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已提交报到，等待社区确认"))
            return redirect("resident:volunteer")
    return render(request, "volunteers/register.html", {"form": form, "member": member})


@require_POST
@resident_page
def leave(request: ResidentRequest) -> HttpResponse:
    member = _member(request)
    _attempt(request, lambda: registration.withdraw_member(by=request.user, member=member), _("已退出志愿服务"))
    return redirect("resident:volunteer")


@require_GET
@resident_page
def activity_detail(request: ResidentRequest, public_id: UUID) -> HttpResponse:
    member = _member(request)
    activity = selectors.access_member_activity(member, public_id)
    signup = selectors.signups_of(member).filter(activity=activity).first()
    waiting_ahead = None
    if signup is not None and signup.status == SignUpStatus.WAITLISTED:
        waiting_ahead = activity.signups.filter(status=SignUpStatus.WAITLISTED, queued_at__lt=signup.queued_at).count()
    taken = activity.signups.filter(status__in=activities.HOLDS_A_PLACE).count()
    return render(request, "volunteers/me_activity.html", {
        "member": member, "activity": activity, "signup": signup, "taken": taken,
        "waiting_ahead": waiting_ahead, "open": timezone.now() < activity.signup_deadline,
        "skills": activity.skills.all(),
    })


@require_POST
@resident_page
def sign_up(request: ResidentRequest, public_id: UUID) -> HttpResponse:
    member = _member(request)
    activity = selectors.access_member_activity(member, public_id)
    _attempt(request, lambda: activities.sign_up(member=member, activity=activity), _("报名已提交"))
    return redirect("resident:volunteer_activity", activity.public_id)


@require_POST
@resident_page
def withdraw(request: ResidentRequest, public_id: UUID) -> HttpResponse:
    member = _member(request)
    activity = selectors.access_member_activity(member, public_id)
    signup = get_object_or_404(selectors.signups_of(member), activity=activity)
    _attempt(request, lambda: activities.withdraw_signup(member=member, signup=signup), _("已取消报名"))
    return redirect("resident:volunteer_activity", activity.public_id)


@require_POST
@resident_page
def claim(request: ResidentRequest, public_id: UUID) -> HttpResponse:
    member = _member(request)
    post = get_object_or_404(ServicePost.objects.filter(community=member.community), public_id=public_id)
    _attempt(request, lambda: activities.claim_post(member=member, post=post), _("已认领岗位"))
    return redirect("resident:volunteer")


@require_POST
@resident_page
def release(request: ResidentRequest, public_id: UUID) -> HttpResponse:
    member = _member(request)
    claim_ = get_object_or_404(PostClaim.objects.filter(member=member), public_id=public_id)
    _attempt(request, lambda: activities.release_claim(member=member, claim=claim_), _("已退出岗位"))
    return redirect("resident:volunteer")


@require_http_methods(["GET", "POST"])
@resident_page
def scan(request: ResidentRequest, token: str) -> HttpResponse:
    """The activity's QR code opens this page on the member's phone: one button signs in (or out)."""
    public_id = activity_of_token(token)
    if public_id is None:
        raise Http404("bad token")
    member = _member(request)
    activity = get_object_or_404(Activity.objects.filter(community=member.community), public_id=public_id)
    if request.method == "POST":
        try:
            signup = activities.scan_activity(member=member, activity=activity)
        except VolunteerError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("签到成功") if signup.status == SignUpStatus.CHECKED_IN else _("签退成功"))
        return redirect("resident:volunteer_activity", activity.public_id)
    signup = selectors.signups_of(member).filter(activity=activity).first()
    return render(request, "volunteers/me_scan.html", {"activity": activity, "signup": signup, "token": token})
