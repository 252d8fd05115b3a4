"""Service posts (claimed by members) and activities (sign-up with a waitlist, withdrawal before the
cutoff, sign-in and sign-out by the activity's QR code)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from ..enums import ActivityStatus, ClaimStatus, PostStatus, RecordSource, RegistrationStatus, SignUpStatus
from ..models import Activity, Member, PostClaim, ServicePost, ServiceRecord, SignUp
from . import messages
from .errors import VolunteerError, check_transition

CLAIM_TRANSITIONS = {ClaimStatus.ACTIVE: {ClaimStatus.RELEASED}}
SIGNUP_TRANSITIONS = {
    SignUpStatus.SIGNED_UP: {SignUpStatus.WITHDRAWN, SignUpStatus.CHECKED_IN, SignUpStatus.ABSENT},
    SignUpStatus.WAITLISTED: {SignUpStatus.SIGNED_UP, SignUpStatus.WITHDRAWN},
    SignUpStatus.WITHDRAWN: {SignUpStatus.SIGNED_UP, SignUpStatus.WAITLISTED},
    SignUpStatus.CHECKED_IN: {SignUpStatus.CHECKED_OUT},
}
HOLDS_A_PLACE = (SignUpStatus.SIGNED_UP, SignUpStatus.CHECKED_IN, SignUpStatus.CHECKED_OUT)
# The activity's QR code signs in from this long before the start, and out until this long after the end.
EARLY_MINUTES = 60
LATE_MINUTES = 180
REMINDER_HOURS = 24


def _require_confirmed(member: Member) -> None:
    if member.status != RegistrationStatus.CONFIRMED:
        raise VolunteerError(_("社区确认报到后才能认领岗位和报名活动"))


@transaction.atomic
def create_post(*, by, community, kind: str, title: str, headcount: int = 1, description: str = "",
                area=None) -> ServicePost:
    require_permission(by, "volunteers.manage_service", community)
    if area is not None and not area.path.startswith(community.path):
        raise VolunteerError(_("服务区域须在本社区内"))
    post = ServicePost.objects.create(community=community, kind=kind, title=title, headcount=max(headcount, 1),
                                      description=description, area=area, created_by=by)
    audit.record(actor=by, action="volunteers.post_created", target=post)
    return post


@transaction.atomic
def close_post(*, by, post: ServicePost) -> ServicePost:
    require_permission(by, "volunteers.manage_service", post.community)
    post.status = PostStatus.CLOSED
    post.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="volunteers.post_closed", target=post)
    return post


@transaction.atomic
def claim_post(*, member: Member, post: ServicePost) -> PostClaim:
    """The member takes a standing post of their community while it has room."""
    _require_confirmed(member)
    post = ServicePost.objects.select_for_update().get(pk=post.pk)
    if post.community_id != member.community_id or post.status != PostStatus.OPEN:
        raise VolunteerError(_("该岗位已关闭"))
    claims = post.claims.filter(status=ClaimStatus.ACTIVE)
    if claims.filter(member=member).exists():
        raise VolunteerError(_("您已认领该岗位"))
    if claims.count() >= post.headcount:
        raise VolunteerError(_("该岗位已满员"))
    claim = PostClaim.objects.create(post=post, member=member)
    audit.record(actor=member.user, action="volunteers.post_claimed", target=claim)
    return claim


@transaction.atomic
def release_claim(*, member: Member, claim: PostClaim) -> PostClaim:
    if claim.member_id != member.pk:
        raise VolunteerError(_("这不是您认领的岗位"))
    check_transition(CLAIM_TRANSITIONS, claim.status, ClaimStatus.RELEASED, _("您已退出该岗位"))
    claim.status, claim.released_at = ClaimStatus.RELEASED, timezone.now()
    claim.save(update_fields=["status", "released_at", "updated_at"])
    audit.record(actor=member.user, action="volunteers.post_released", target=claim)
    return claim


@transaction.atomic
def publish_activity(*, by, community, title: str, place: str, starts_at: datetime, ends_at: datetime,
                     signup_deadline: datetime, headcount: int, description: str = "", skills=(),
                     min_age: int | None = None, max_age: int | None = None, health_requirement: str = "",
                     points_per_hour: int = 10) -> Activity:
    """Publish a dated activity of `community`; members sign up until `signup_deadline`."""
    require_permission(by, "volunteers.manage_service", community)
    if ends_at <= starts_at:
        raise VolunteerError(_("结束时间须晚于开始时间"))
    if signup_deadline > starts_at:
        raise VolunteerError(_("报名截止时间不能晚于开始时间"))
    if headcount < 1:
        raise VolunteerError(_("招募人数至少为1"))
    if min_age is not None and max_age is not None and min_age > max_age:
        raise VolunteerError(_("最小年龄不能大于最大年龄"))
    activity = Activity.objects.create(
        community=community, title=title, place=place, starts_at=starts_at, ends_at=ends_at,
        signup_deadline=signup_deadline, headcount=headcount, description=description, min_age=min_age,
        max_age=max_age, health_requirement=health_requirement, points_per_hour=points_per_hour, organizer=by)
    activity.skills.set(skills)
    audit.record(actor=by, action="volunteers.activity_published", target=activity)
    return activity


@transaction.atomic
def cancel_activity(*, by, activity: Activity) -> Activity:
    require_permission(by, "volunteers.manage_service", activity.community)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.PUBLISHED:
        raise VolunteerError(_("只能取消报名中的活动"))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    signups = activity.signups.filter(status__in=[SignUpStatus.SIGNED_UP, SignUpStatus.WAITLISTED])
    messages.activity_cancelled(activity, [s.member.user for s in signups.select_related("member__user")])
    audit.record(actor=by, action="volunteers.activity_cancelled", target=activity)
    return activity


def _age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _check_limits(member: Member, activity: Activity) -> None:
    birth = member.resident.birth_date if member.resident_id else None
    if birth is None or (activity.min_age is None and activity.max_age is None):
        return
    age = _age_on(birth, timezone.localtime(activity.starts_at).date())
    if (activity.min_age is not None and age < activity.min_age) or (
            activity.max_age is not None and age > activity.max_age):
        raise VolunteerError(_("该活动的年龄要求为%(min)s–%(max)s岁") % {
            "min": activity.min_age or "", "max": activity.max_age or ""})


def _move(signup: SignUp, to: str, *, now: datetime) -> None:
    check_transition(SIGNUP_TRANSITIONS, signup.status, to, _("当前报名状态下不能这样操作"))
    signup.status = to
    stamp = {SignUpStatus.WITHDRAWN: "withdrawn_at", SignUpStatus.CHECKED_IN: "checked_in_at",
             SignUpStatus.CHECKED_OUT: "checked_out_at"}.get(to)
    if stamp:
        setattr(signup, stamp, now)
    if to in (SignUpStatus.SIGNED_UP, SignUpStatus.WAITLISTED) and signup.withdrawn_at is not None:
        signup.withdrawn_at, signup.queued_at = None, now  # a re-sign-up joins the end of the queue


def move_signup(*, signup: SignUp, to: str, now: datetime | None = None) -> SignUp:
    """The one place a sign-up changes state (the services below call it)."""
    _move(signup, to, now=now or timezone.now())
    signup.save()
    return signup


def _open_activity(activity: Activity, now: datetime) -> Activity:
    """The activity, locked: sign-ups and withdrawals of one activity are serialized on its row."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.PUBLISHED:
        raise VolunteerError(_("该活动已不再报名"))
    if now >= activity.signup_deadline:
        raise VolunteerError(_("报名已截止"))
    return activity


@transaction.atomic
def sign_up(*, member: Member, activity: Activity, now: datetime | None = None) -> SignUp:
    """Take a place, or a place on the waitlist when the activity is full."""
    now = now or timezone.now()
    _require_confirmed(member)
    if activity.community_id != member.community_id:
        raise VolunteerError(_("只能报名本社区的活动"))
    activity = _open_activity(activity, now)
    _check_limits(member, activity)
    taken = activity.signups.filter(status__in=HOLDS_A_PLACE).count()
    to = SignUpStatus.SIGNED_UP if taken < activity.headcount else SignUpStatus.WAITLISTED
    signup = SignUp.objects.filter(activity=activity, member=member).first()
    if signup is None:
        signup = SignUp.objects.create(activity=activity, member=member, status=to, queued_at=now)
    else:
        move_signup(signup=signup, to=to, now=now)
    audit.record(actor=member.user, action="volunteers.signed_up", target=signup, fields={"status": to})
    return signup


@transaction.atomic
def withdraw_signup(*, member: Member, signup: SignUp, now: datetime | None = None) -> SignUp:
    """Withdraw before the cutoff; a freed place goes to the first on the waitlist, who is told."""
    now = now or timezone.now()
    if signup.member_id != member.pk:
        raise VolunteerError(_("这不是您的报名"))
    _open_activity(signup.activity, now)
    signup = SignUp.objects.get(pk=signup.pk)
    held_a_place = signup.status == SignUpStatus.SIGNED_UP
    move_signup(signup=signup, to=SignUpStatus.WITHDRAWN, now=now)
    audit.record(actor=member.user, action="volunteers.signup_withdrawn", target=signup)
    if held_a_place:
        waiting = signup.activity.signups.filter(status=SignUpStatus.WAITLISTED).order_by("queued_at", "id").first()
        if waiting is not None:
            move_signup(signup=waiting, to=SignUpStatus.SIGNED_UP, now=now)
            audit.record(actor=None, action="volunteers.waitlist_promoted", target=waiting)
            messages.promoted_from_waitlist(waiting)
    return signup


@transaction.atomic
def scan_activity(*, member: Member, activity: Activity, now: datetime | None = None) -> SignUp:
    """The member's phone opened the activity's QR code: sign in, or sign out when already in. Signing
    out files the service record (the time inside the activity's hours) for the organizer to approve."""
    now = now or timezone.now()
    signup = SignUp.objects.select_for_update().filter(activity=activity, member=member).first()
    if signup is None or signup.status not in (SignUpStatus.SIGNED_UP, SignUpStatus.CHECKED_IN):
        raise VolunteerError(_("您没有报名该活动，或报名已取消"))
    if activity.status == ActivityStatus.CANCELLED:
        raise VolunteerError(_("该活动已取消"))
    if not (activity.starts_at - timedelta(minutes=EARLY_MINUTES) <= now
            <= activity.ends_at + timedelta(minutes=LATE_MINUTES)):
        raise VolunteerError(_("不在活动签到时间内（开始前%(early)d分钟至结束后%(late)d分钟）") % {
            "early": EARLY_MINUTES, "late": LATE_MINUTES})
    signing_in = signup.status == SignUpStatus.SIGNED_UP
    move_signup(signup=signup, to=SignUpStatus.CHECKED_IN if signing_in else SignUpStatus.CHECKED_OUT, now=now)
    if not signing_in:
        start, end = max(signup.checked_in_at, activity.starts_at), min(now, activity.ends_at)
        minutes = max(int((end - start).total_seconds() // 60), 0)
        ServiceRecord.objects.create(
            member=member, community=activity.community, source=RecordSource.ACTIVITY, activity=activity,
            signup=signup, served_on=timezone.localtime(activity.starts_at).date(), minutes=minutes)
    audit.record(actor=member.user, action="volunteers.checked_in" if signing_in else "volunteers.checked_out",
                 target=signup)
    return signup


@transaction.atomic
def finish_activity(*, by, activity: Activity) -> Activity:
    """Close an activity after it ended: who signed up and never came is marked absent."""
    require_permission(by, "volunteers.manage_service", activity.community)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.PUBLISHED or timezone.now() < activity.ends_at:
        raise VolunteerError(_("活动结束后才能结束登记"))
    now = timezone.now()
    for signup in activity.signups.filter(status=SignUpStatus.SIGNED_UP):
        move_signup(signup=signup, to=SignUpStatus.ABSENT, now=now)
    activity.status = ActivityStatus.FINISHED
    activity.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="volunteers.activity_finished", target=activity)
    return activity


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind the signed-up members of activities starting within REMINDER_HOURS (once per activity)."""
    now = now or timezone.now()
    due = Activity.objects.filter(status=ActivityStatus.PUBLISHED, reminded_at__isnull=True,
                                  starts_at__gt=now, starts_at__lte=now + timedelta(hours=REMINDER_HOURS))
    count = 0
    for activity in due:
        with transaction.atomic():
            if Activity.objects.filter(pk=activity.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue
            signups = activity.signups.filter(status=SignUpStatus.SIGNED_UP).select_related("member__user")
            users = [signup.member.user for signup in signups]
            messages.activity_reminder(activity, users)
            count += len(users)
    return count
