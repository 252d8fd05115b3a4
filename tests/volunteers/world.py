"""A small 双报到 world over the shared personas (tests/conftest.py): agency1 ↔ community1 and
agency2 ↔ community2; resident1 on agency1's member list, reported and confirmed in community1 with
a claimed post, a sign-up for tomorrow's activity, a pending service record; a catalogue item."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from xiachen.volunteers.enums import MemberKind, RecordSource, RegistrationStatus, SignUpStatus
from xiachen.volunteers.models import (
    Activity,
    AgencyMemberListEntry,
    Member,
    Pairing,
    PairingProject,
    PointsCatalogItem,
    PostClaim,
    ServicePost,
    ServiceRecord,
    SignUp,
)


@dataclass
class World:
    pairing: Pairing
    other_pairing: Pairing
    project: PairingProject
    entry: AgencyMemberListEntry
    member: Member
    post: ServicePost
    claim: PostClaim
    activity: Activity
    signup: SignUp
    record: ServiceRecord
    item: PointsCatalogItem


def list_entry_for(resident, agency) -> AgencyMemberListEntry:
    return AgencyMemberListEntry.objects.create(agency=agency, name=resident.name, id_number=resident.id_number,
                                                phone=resident.phone)


def make_member(resident, community, *, agency=None, status=RegistrationStatus.CONFIRMED,
                kind=MemberKind.PARTY_MEMBER) -> Member:
    return Member.objects.create(kind=kind, status=status, name=resident.name, resident=resident, user=resident.user,
                                 agency=agency, community=community, compound=resident.household.compound)


def make_activity(community, *, headcount: int = 10, starts_in=timedelta(days=1), **extra) -> Activity:
    start = timezone.now() + starts_in
    values = {"title": "清理楼道", "place": "车站路小区3栋", "starts_at": start, "ends_at": start + timedelta(hours=2),
              "signup_deadline": start - timedelta(hours=2), "headcount": headcount} | extra
    return Activity.objects.create(community=community, **values)


def build_world(tree, people) -> World:
    resident = people.resident_user1.resident
    today = timezone.localdate()
    pairing = Pairing.objects.create(agency=tree.agency1, community=tree.community1, started_on=today)
    other = Pairing.objects.create(agency=tree.agency2, community=tree.community2, started_on=today)
    project = PairingProject.objects.create(pairing=pairing, title="政策宣讲进社区", owner="李明", starts_on=today)
    entry = list_entry_for(resident, tree.agency1)
    member = make_member(resident, tree.community1, agency=tree.agency1)
    member.list_entry = entry
    member.save()
    post = ServicePost.objects.create(community=tree.community1, kind="building_leader", title="3栋楼栋长",
                                      headcount=2)
    claim = PostClaim.objects.create(post=post, member=member)
    activity = make_activity(tree.community1)
    signup = SignUp.objects.create(activity=activity, member=member, status=SignUpStatus.SIGNED_UP,
                                   queued_at=timezone.now())
    record = ServiceRecord.objects.create(member=member, community=tree.community1, source=RecordSource.POST,
                                          post=post, served_on=today, minutes=90)
    item = PointsCatalogItem.objects.create(community=tree.community1, name="洗衣液", points=50, stock=3)
    return World(pairing, other, project, entry, member, post, claim, activity, signup, record, item)
