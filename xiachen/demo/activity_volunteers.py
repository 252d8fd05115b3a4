"""The month's 双报到 in the demo city: pairings of the demo agency with the demo community (and a few
more), members reported there (in-service party members of the demo agency and resident volunteers,
each with a resident login so call-outs can reach them), standing posts, the month's activities with
sign-ups and approved, rated service records, and a past call-out that filled. Small on purpose: every
new page (应急动员, 季度服务反馈, 双报到统计) shows data, and the tests' tiny month stays quick."""

from collections import Counter
from datetime import timedelta

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.households.models import Resident
from xiachen.org.models import Unit

MEMBER_USERNAME_PREFIX = "demo-member-"
MEMBERS = 24
COMMENTS = ["认真负责", "群众反映很好", "积极主动", "", "准时到岗", ""]


def _scope_of(username: str, role: str) -> Unit | None:
    membership = Membership.objects.filter(user__username=username, role=role).select_related("unit").first()
    return membership.unit if membership else None


def write_volunteers(ctx) -> Counter:
    from xiachen.cadres.models import Specialty
    from xiachen.volunteers.enums import (
        CallOutStatus,
        InviteReply,
        LedgerKind,
        MemberKind,
        RecordSource,
        RecordStatus,
        RegistrationStatus,
        ReplyChannel,
        SignUpStatus,
    )
    from xiachen.volunteers.models import (
        Activity,
        AgencyMemberListEntry,
        CallOut,
        CallOutInvite,
        Member,
        Pairing,
        PairingProject,
        PointsLedgerEntry,
        PostClaim,
        ServicePost,
        ServiceRecord,
        SignUp,
    )

    counts: Counter = Counter()
    rng, month = ctx.rng, ctx.month
    community = _scope_of("shequ", Role.UNIT_MANAGER)
    agency = _scope_of("lianluo", Role.AGENCY_LIAISON)
    if community is None or agency is None:
        return counts
    manager = User.objects.get(username="shequ")
    first = month.first_day
    pairing = Pairing.objects.create(agency=agency, community=community, started_on=first - timedelta(days=90),
                                     note="机关党组织到社区报到")
    PairingProject.objects.create(pairing=pairing, title="政策宣讲进小区", owner="党支部书记",
                                  schedule="每月第一个周六上午", starts_on=first, status="in_progress",
                                  progress_note="已开展两次")
    counts["pairings"] += 1
    other_agencies = list(Unit.objects.filter(kind__code="agency", path__startswith=ctx.city.city.path)
                          .exclude(pk=agency.pk).order_by("path")[:3])
    others = [Unit.objects.get(pk=pk) for pk in ctx.city.communities[:4] if pk != community.pk][:3]
    for other_agency, other_community in zip(other_agencies, others, strict=False):
        Pairing.objects.create(agency=other_agency, community=other_community, started_on=first)
        counts["pairings"] += 1

    residents = list(Resident.objects.filter(compound_path__startswith=community.path, user__isnull=True)
                     .select_related("household__compound").order_by("id")[:MEMBERS])
    skills = list(Specialty.objects.order_by("sort_order", "id")[:4])
    members = []
    for index, resident in enumerate(residents):
        user = User.objects.create(username=f"{MEMBER_USERNAME_PREFIX}{resident.pk}", display_name=resident.name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        compound = resident.household.compound
        Membership.objects.create(user=user, role=Role.RESIDENT, unit=compound)
        resident.user = user
        resident.save(update_fields=["user"])
        in_service = index % 3 != 2
        entry = None
        if in_service:
            entry = AgencyMemberListEntry.objects.create(agency=agency, name=resident.name,
                                                         id_number=resident.id_number, phone=resident.phone)
        member = Member.objects.create(
            kind=MemberKind.PARTY_MEMBER if in_service else MemberKind.VOLUNTEER,
            status=RegistrationStatus.PENDING if index == MEMBERS - 1 else RegistrationStatus.CONFIRMED,
            name=resident.name, resident=resident, user=user, agency=agency if in_service else None,
            list_entry=entry, community=community, compound=compound, reviewed_by=manager,
            available_weekdays=index % 4 == 0, available_evenings=index % 5 != 1)
        if skills:
            member.skills.set(rng.sample(skills, k=min(len(skills), index % 3)))
        members.append(member)
    counts["members"] += len(members)
    confirmed = [m for m in members if m.status == RegistrationStatus.CONFIRMED]
    if not confirmed:
        return counts

    posts = [ServicePost.objects.create(community=community, kind=kind, title=title, headcount=2, created_by=manager)
             for kind, title in (("building_leader", "1栋楼栋长"), ("grid_assistant", "网格协管员"),
                                 ("policy_talk", "政策宣讲员"))]
    for post, member in zip(posts, confirmed, strict=False):
        PostClaim.objects.create(post=post, member=member)
        counts["claims"] += 1

    balances: Counter = Counter()
    for week in range(4):
        day = first + timedelta(days=3 + week * 7)
        start = ctx.month.day_start((day - first).days) + timedelta(hours=9)
        activity = Activity.objects.create(
            community=community, title=["清理楼道杂物", "独居老人探访", "垃圾分类宣传", "反诈宣讲"][week],
            place=f"{community.name}党群服务中心", starts_at=start, ends_at=start + timedelta(hours=2),
            signup_deadline=start - timedelta(hours=12), headcount=6, status="finished", organizer=manager)
        counts["activities"] += 1
        for member in rng.sample(confirmed, k=min(6, len(confirmed))):
            signup = SignUp.objects.create(activity=activity, member=member, status=SignUpStatus.CHECKED_OUT,
                                           queued_at=start - timedelta(days=2), checked_in_at=start,
                                           checked_out_at=start + timedelta(hours=2))
            points = 2 * activity.points_per_hour
            record = ServiceRecord.objects.create(
                member=member, community=community, source=RecordSource.ACTIVITY, activity=activity, signup=signup,
                served_on=day, minutes=120, status=RecordStatus.APPROVED, rating=rng.choice([4, 5, 5]),
                comment=rng.choice(COMMENTS), points=points, reviewed_by=manager, reviewed_at=start)
            balances[member.pk] += points
            PointsLedgerEntry.objects.create(member=member, kind=LedgerKind.EARNED, points=points,
                                             balance_after=balances[member.pk], record=record, by=manager)
            counts["records"] += 1
    for member in confirmed[:3]:  # the post holders' monthly hours, one still to approve
        for week, status in ((1, RecordStatus.APPROVED), (3, RecordStatus.PENDING)):
            ServiceRecord.objects.create(
                member=member, community=community, source=RecordSource.POST, post=posts[0],
                served_on=first + timedelta(days=week * 7), minutes=90, status=status,
                rating=5 if status == RecordStatus.APPROVED else None, points=0)
            counts["records"] += 1
    for member in confirmed:
        if balances[member.pk]:
            Member.objects.filter(pk=member.pk).update(points_balance=balances[member.pk])

    sent = ctx.month.day_start(ctx.month.days - 10) + timedelta(hours=17)
    call_out = CallOut.objects.create(
        community=community, area=community, title="防汛值守", need="暴雨预警：今晚沿江小区巡查排水口",
        place=f"{community.name}党群服务中心", headcount=4, invite_factor=2, starts_at=sent + timedelta(hours=2),
        ends_at=sent + timedelta(hours=6), reply_deadline=sent + timedelta(hours=1),
        status=CallOutStatus.CLOSED, created_by=manager, sent_at=sent, filled_at=sent + timedelta(minutes=25),
        closed_at=sent + timedelta(hours=7))
    invited = confirmed[:8]
    replies = [InviteReply.YES, InviteReply.NO, InviteReply.YES, InviteReply.YES, InviteReply.NO, InviteReply.YES,
               InviteReply.WITHDRAWN, InviteReply.WITHDRAWN]
    for rank, (member, reply) in enumerate(zip(invited, replies, strict=False), start=1):
        answered = sent + timedelta(minutes=3 * rank)
        CallOutInvite.objects.create(
            call_out=call_out, member=member, rank=rank, score=1100 - rank * 10, reply=reply, sent_at=sent,
            replied_at=answered if reply != InviteReply.WITHDRAWN else sent + timedelta(minutes=25),
            reply_channel="" if reply == InviteReply.WITHDRAWN else rng.choice(
                [ReplyChannel.LINK, ReplyChannel.SMS]))
        if reply == InviteReply.YES:
            ServiceRecord.objects.create(member=member, community=community, source=RecordSource.CALL_OUT,
                                         call_out=call_out, served_on=sent.date(), minutes=240,
                                         status=RecordStatus.APPROVED, rating=5, comment="冒雨坚守", points=0)
            counts["records"] += 1
    counts["call_outs"] += 1
    return counts
