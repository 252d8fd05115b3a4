"""应急动员: call-outs and their invitations, two status machines with their transition tables.

A call-out is drafted (草稿), sent (已发出: the members who fit are ranked by the matcher and invited,
up to headcount × invite factor), fills (已满员) when enough reply 可以, and ends (已结束) or is
cancelled (已取消). An invitation is 已邀请 until the member replies 可以 or 不行 (by the signed link,
by replying to the SMS, or through a staff member), the reply deadline passes (超时), or the caller
withdraws it (已撤回: the call-out filled, ended or was cancelled first).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .. import ranking
from ..enums import CallOutStatus, InviteReply, RegistrationStatus
from ..models import CallOut, CallOutInvite, Member, ServiceRecord
from .errors import VolunteerError, check_transition

CALL_OUT_TRANSITIONS = {
    CallOutStatus.DRAFT: {CallOutStatus.OPEN, CallOutStatus.CANCELLED},
    CallOutStatus.OPEN: {CallOutStatus.FILLED, CallOutStatus.CLOSED, CallOutStatus.CANCELLED},
    CallOutStatus.FILLED: {CallOutStatus.CLOSED, CallOutStatus.CANCELLED},
}
INVITE_TRANSITIONS = {
    InviteReply.PENDING: {InviteReply.YES, InviteReply.NO, InviteReply.TIMED_OUT, InviteReply.WITHDRAWN},
    InviteReply.YES: {InviteReply.WITHDRAWN},
}
LIVE = (CallOutStatus.OPEN, CallOutStatus.FILLED)
MAX_FACTOR = 10
LOAD_DAYS = 30


def _move(call_out: CallOut, to: str) -> None:
    check_transition(CALL_OUT_TRANSITIONS, call_out.status, to,
                     _("动员当前为「%(status)s」，不能这样操作") % {"status": call_out.get_status_display()})
    call_out.status = to


@transaction.atomic
def create_call_out(*, by, area, title: str, need: str, headcount: int, starts_at, reply_deadline,
                    place: str = "", ends_at=None, skills=(), invite_factor: int = 3, community=None) -> CallOut:
    """A draft call-out for the members of `area` (the caller's community, a district or the city)."""
    require_permission(by, "volunteers.call_out", area)
    if headcount < 1:
        raise VolunteerError(_("需要人数至少为 1"))
    if not 1 <= invite_factor <= MAX_FACTOR:
        raise VolunteerError(_("邀请倍数须在 1 到 %(max)s 之间") % {"max": MAX_FACTOR})
    if reply_deadline > starts_at:
        raise VolunteerError(_("回复截止时间不能晚于开始时间"))
    if ends_at is not None and ends_at <= starts_at:
        raise VolunteerError(_("结束时间须晚于开始时间"))
    call_out = CallOut.objects.create(
        community=community, area=area, title=title, need=need, place=place, headcount=headcount,
        starts_at=starts_at, ends_at=ends_at, reply_deadline=reply_deadline, invite_factor=invite_factor,
        created_by=by)
    call_out.skills.set(skills)
    audit.record(actor=by, action="volunteers.callout_created", target=call_out)
    return call_out


def _slot_of(moment) -> str:
    local = timezone.localtime(moment)
    if local.weekday() >= 5:
        return "available_weekends"
    return "available_weekdays" if 8 <= local.hour < 18 else "available_evenings"


def candidates_for(call_out: CallOut, *, now=None) -> list[ranking.Candidate]:
    """Confirmed members living in the area who can be messaged, as matcher facts (four queries)."""
    now = now or timezone.now()
    slot = _slot_of(call_out.starts_at)
    rows = list(Member.objects.filter(
        status=RegistrationStatus.CONFIRMED, community_path__startswith=call_out.area.path, user__isnull=False,
    ).values_list("pk", "compound__path", "community_path", slot))
    skills: dict[int, set[int]] = {}
    through = Member.skills.through.objects.filter(member__community_path__startswith=call_out.area.path,
                                                   member__status=RegistrationStatus.CONFIRMED)
    for member_id, specialty_id in through.values_list("member_id", "specialty_id"):
        skills.setdefault(member_id, set()).add(specialty_id)
    since = now - timedelta(days=LOAD_DAYS)
    load: dict[int, int] = {}
    for member_id, count in (ServiceRecord.objects.filter(
            community_path__startswith=call_out.area.path, served_on__gte=since.date())
            .values("member_id").annotate(n=Count("id")).values_list("member_id", "n")):
        load[member_id] = load.get(member_id, 0) + count
    for member_id, count in (CallOutInvite.objects.filter(
            reply=InviteReply.YES, replied_at__gte=since, member__community_path__startswith=call_out.area.path)
            .values("member_id").annotate(n=Count("id")).values_list("member_id", "n")):
        load[member_id] = load.get(member_id, 0) + count
    return [ranking.Candidate(member_id=pk, home_path=compound_path or community_path,
                              skills=frozenset(skills.get(pk, ())), available=bool(available),
                              recent_load=load.get(pk, 0))
            for pk, compound_path, community_path, available in rows]


def rank_invitees(call_out: CallOut, *, now=None) -> list[ranking.Ranked]:
    need = ranking.Need(place_path=call_out.area.path,
                        skills=frozenset(call_out.skills.values_list("pk", flat=True)),
                        slots=call_out.headcount * call_out.invite_factor)
    return ranking.rank(candidates_for(call_out, now=now), need)


@transaction.atomic
def send_call_out(*, by, call_out: CallOut, now=None) -> int:
    """Rank, invite and message the members who fit (草稿 → 已发出). Returns the number invited."""
    from . import callout_messages

    require_permission(by, "volunteers.call_out", call_out.area)
    call_out = CallOut.objects.select_for_update().select_related("area").get(pk=call_out.pk)
    now = now or timezone.now()
    _move(call_out, CallOutStatus.OPEN)
    if call_out.reply_deadline <= now:
        raise VolunteerError(_("回复截止时间已过，请修改后再发出"))
    chosen = rank_invitees(call_out, now=now)
    if not chosen:
        raise VolunteerError(_("动员范围内没有已确认报到、可联系的成员"))
    invites = CallOutInvite.objects.bulk_create(
        CallOutInvite(call_out=call_out, member_id=r.member_id, rank=index, score=r.score, sent_at=now)
        for index, r in enumerate(chosen, start=1))
    call_out.sent_at = now
    call_out.save(update_fields=["status", "sent_at", "updated_at"])
    audit.record(actor=by, action="volunteers.callout_sent", target=call_out, fields={"invited": len(invites)})
    ids = [invite.pk for invite in invites]
    transaction.on_commit(lambda: callout_messages.invite_all(call_out.pk, ids))
    return len(invites)


def _fill_if_enough(call_out: CallOut, now) -> None:
    from . import callout_messages

    accepted = call_out.invites.filter(reply=InviteReply.YES).count()
    if call_out.status == CallOutStatus.OPEN and accepted >= call_out.headcount:
        _move(call_out, CallOutStatus.FILLED)
        call_out.filled_at = now
        call_out.save(update_fields=["status", "filled_at", "updated_at"])
        withdrawn = _withdraw(call_out, [InviteReply.PENDING], now)
        audit.record(actor=None, action="volunteers.callout_filled", target=call_out)
        callout_messages.no_longer_needed(call_out, withdrawn)


def _withdraw(call_out: CallOut, replies: list[str], now) -> list[int]:
    invites = list(call_out.invites.filter(reply__in=replies).values_list("pk", flat=True))
    CallOutInvite.objects.filter(pk__in=invites).update(reply=InviteReply.WITHDRAWN, replied_at=now, updated_at=now)
    return invites


@transaction.atomic
def reply(*, invite: CallOutInvite, answer: str, channel: str, by=None, now=None) -> CallOutInvite:
    """Record 可以/不行 once. A second answer, an answer after the deadline or after the call-out
    filled, ended or was cancelled is refused with a Chinese message (the first answer stands)."""
    now = now or timezone.now()
    call_out = CallOut.objects.select_for_update().get(pk=invite.call_out_id)
    invite = CallOutInvite.objects.select_for_update().get(pk=invite.pk)
    if answer not in (InviteReply.YES, InviteReply.NO):
        raise VolunteerError(_("请回复“可以”或“不行”"))
    if invite.reply == InviteReply.TIMED_OUT or (invite.reply == InviteReply.PENDING
                                                 and call_out.reply_deadline < now):
        raise VolunteerError(_("回复已截止"))
    if invite.reply == InviteReply.WITHDRAWN:
        raise VolunteerError(_("本次动员已满员或已结束，无需回复，谢谢"))
    if invite.reply != InviteReply.PENDING:
        raise VolunteerError(_("您已回复“%(reply)s”") % {"reply": invite.get_reply_display()})
    check_transition(INVITE_TRANSITIONS, invite.reply, answer, _("不能这样回复"))
    invite.reply, invite.reply_channel, invite.replied_at = answer, channel, now
    invite.save(update_fields=["reply", "reply_channel", "replied_at", "updated_at"])
    audit.record(actor=by, action="volunteers.callout_replied", target=invite,
                 fields={"reply": answer, "channel": channel})
    if answer == InviteReply.YES:
        _fill_if_enough(call_out, now)
    return invite


@transaction.atomic
def time_out_due(*, now=None) -> int:
    """已邀请 → 超时 for every live call-out whose reply deadline has passed (the periodic task)."""
    now = now or timezone.now()
    return CallOutInvite.objects.filter(
        reply=InviteReply.PENDING, call_out__status__in=LIVE, call_out__reply_deadline__lt=now,
    ).update(reply=InviteReply.TIMED_OUT, replied_at=now, updated_at=now)


@transaction.atomic
def close_call_out(*, by, call_out: CallOut, now=None) -> CallOut:
    """已发出/已满员 → 已结束: who has not replied is withdrawn."""
    from . import callout_messages

    require_permission(by, "volunteers.call_out", call_out.area)
    now = now or timezone.now()
    call_out = CallOut.objects.select_for_update().get(pk=call_out.pk)
    _move(call_out, CallOutStatus.CLOSED)
    call_out.closed_at = now
    call_out.save(update_fields=["status", "closed_at", "updated_at"])
    withdrawn = _withdraw(call_out, [InviteReply.PENDING], now)
    audit.record(actor=by, action="volunteers.callout_closed", target=call_out)
    callout_messages.no_longer_needed(call_out, withdrawn)
    return call_out


@transaction.atomic
def cancel_call_out(*, by, call_out: CallOut, now=None) -> CallOut:
    """→ 已取消: every open or accepted invitation is withdrawn and told."""
    from . import callout_messages

    require_permission(by, "volunteers.call_out", call_out.area)
    now = now or timezone.now()
    call_out = CallOut.objects.select_for_update().get(pk=call_out.pk)
    _move(call_out, CallOutStatus.CANCELLED)
    call_out.closed_at = now
    call_out.save(update_fields=["status", "closed_at", "updated_at"])
    withdrawn = _withdraw(call_out, [InviteReply.PENDING, InviteReply.YES], now)
    audit.record(actor=by, action="volunteers.callout_cancelled", target=call_out)
    callout_messages.cancelled(call_out, withdrawn)
    return call_out


def progress(call_out: CallOut) -> dict:
    """Counts by reply for the caller's live progress (one query)."""
    counts = {row["reply"]: row["n"] for row in call_out.invites.values("reply").annotate(n=Count("id"))}
    invited = sum(counts.values())
    accepted = counts.get(InviteReply.YES, 0)
    return {
        "invited": invited, "accepted": accepted, "declined": counts.get(InviteReply.NO, 0),
        "pending": counts.get(InviteReply.PENDING, 0), "timed_out": counts.get(InviteReply.TIMED_OUT, 0),
        "withdrawn": counts.get(InviteReply.WITHDRAWN, 0), "headcount": call_out.headcount,
        "percent": min(100, round(accepted * 100 / call_out.headcount)) if call_out.headcount else 0,
    }


@transaction.atomic
def to_roster(*, by, call_out: CallOut, post, shift) -> tuple[object, list[str]]:
    """Turn a filled call-out into a draft roster of a rosters post (xiachen.rosters services): one
    roster for the call-out's days, each accepted member who has a cadre record on `shift` on the
    first day. Returns the roster and, per member left out, why (no cadre record, a roster rule)."""
    from xiachen.rosters import services as rosters
    from xiachen.rosters.services import RosterError

    require_permission(by, "volunteers.call_out", call_out.area)
    call_out = CallOut.objects.select_for_update().get(pk=call_out.pk)
    if call_out.status not in LIVE and call_out.status != CallOutStatus.CLOSED:
        raise VolunteerError(_("动员当前为「%(status)s」，不能转为排班") % {"status": call_out.get_status_display()})
    if call_out.roster_id:
        raise VolunteerError(_("本次动员已转为排班"))
    start = timezone.localtime(call_out.starts_at).date()
    end = timezone.localtime(call_out.ends_at).date() if call_out.ends_at else start
    try:
        roster = rosters.create_roster(by=by, post=post, start=start, end=max(start, end))
    except RosterError as refusal:
        raise VolunteerError(str(refusal)) from refusal
    left_out = []
    accepted = call_out.invites.filter(reply=InviteReply.YES).select_related("member__cadre").order_by("rank")
    for invite in accepted:
        if invite.member.cadre is None:
            left_out.append(_("%(name)s：没有干部档案") % {"name": invite.member.name})
            continue
        try:
            rosters.set_cell(by=by, roster=roster, cadre=invite.member.cadre, day=start, code=shift.code)
        except RosterError as refusal:
            left_out.append(f"{invite.member.name}：{refusal}")
    call_out.roster = roster
    call_out.save(update_fields=["roster", "updated_at"])
    audit.record(actor=by, action="volunteers.callout_rostered", target=call_out)
    return roster, left_out


def open_invites_of(member: Member):
    """The member's invitations still waiting for an answer, newest first (for an SMS reply)."""
    return CallOutInvite.objects.filter(member=member, reply=InviteReply.PENDING,
                                        call_out__status=CallOutStatus.OPEN).order_by("-sent_at", "-id")


def fill_minutes(call_out: CallOut) -> int | None:
    if call_out.filled_at and call_out.sent_at:
        return max(0, round((call_out.filled_at - call_out.sent_at).total_seconds() / 60))
    return None

