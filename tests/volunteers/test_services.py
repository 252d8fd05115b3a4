"""Service tests of 双报到: every status machine walked over its whole transition table, plus the
rules around it (verification against the member list, waitlist promotion, the QR sign-in window,
hours approval crediting points, a ledger that cannot go negative)."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import CadreFactory, HouseholdFactory, ResidentFactory, user_with_role
from xiachen.accounts.enums import Role
from xiachen.notices.models import Notification
from xiachen.volunteers.enums import (
    LedgerKind,
    MemberKind,
    PairingStatus,
    ProjectStatus,
    RecordStatus,
    RegistrationStatus,
    SignUpStatus,
)
from xiachen.volunteers.models import Member, Pairing, PairingProject, ServiceRecord, SignUp
from xiachen.volunteers.services import VolunteerError
from xiachen.volunteers.services.activities import (
    SIGNUP_TRANSITIONS,
    move_signup,
    scan_activity,
    send_reminders,
    sign_up,
    withdraw_signup,
)
from xiachen.volunteers.services.pairings import (
    PAIRING_TRANSITIONS,
    PROJECT_TRANSITIONS,
    create_pairing,
    move_pairing,
    move_project,
)
from xiachen.volunteers.services.records import (
    LEDGER_SIGNS,
    RECORD_TRANSITIONS,
    hours_by_year,
    move_points,
    redeem_item,
    review_record,
)
from xiachen.volunteers.services.registration import (
    REGISTRATION_TRANSITIONS,
    Profile,
    move_member,
    register_member,
    review_member,
)

from .world import build_world, list_entry_for, make_activity, make_member


def _resident(tree, username):
    user = user_with_role(Role.RESIDENT, tree.compound1, username=username)
    return ResidentFactory(household=HouseholdFactory(compound=tree.compound1), user=user)


def _walk(table, states, attempt):
    """Try every (from, to) pair; return the pairs that went through."""
    moved = set()
    for current, to in product(states, states):
        try:
            with transaction.atomic():
                attempt(current, to)
        except VolunteerError:
            continue
        moved.add((current, to))
    return moved


def _allowed(table):
    return {(current, to) for current, targets in table.items() for to in targets}


def test_pairing_moves_follow_the_table(tree, people):
    pairing = Pairing.objects.create(agency=tree.agency1, community=tree.community1, started_on=timezone.localdate())

    def attempt(current, to):
        Pairing.objects.filter(pk=pairing.pk).update(status=current)
        move_pairing(by=people.org_department, pairing=pairing, to=to)

    assert _walk(PAIRING_TRANSITIONS, PairingStatus.values, attempt) == _allowed(PAIRING_TRANSITIONS)
    with pytest.raises(PermissionDenied):
        move_pairing(by=people.manager1, pairing=pairing, to=PairingStatus.ENDED)


def test_project_moves_follow_the_table_and_both_sides_may_move(tree, people):
    pairing = Pairing.objects.create(agency=tree.agency1, community=tree.community1, started_on=timezone.localdate())
    project = PairingProject.objects.create(pairing=pairing, title="义诊", owner="王芳", starts_on=timezone.localdate())
    users = iter([people.liaison1, people.manager1] * 20)

    def attempt(current, to):
        PairingProject.objects.filter(pk=project.pk).update(status=current)
        move_project(by=next(users), project=project, to=to)

    assert _walk(PROJECT_TRANSITIONS, ProjectStatus.values, attempt) == _allowed(PROJECT_TRANSITIONS)
    for outsider in (people.liaison2, people.manager2, people.worker1):
        with pytest.raises(PermissionDenied):
            move_project(by=outsider, project=project, to=ProjectStatus.CANCELLED)


def test_a_live_pairing_is_not_made_twice(tree, people):
    create_pairing(by=people.org_department, agency=tree.agency1, community=tree.community1,
                   started_on=timezone.localdate())
    with pytest.raises(VolunteerError, match="已向这个社区报到"):
        create_pairing(by=people.org_department, agency=tree.agency1, community=tree.community1,
                       started_on=timezone.localdate())
    with pytest.raises(VolunteerError, match="须为社区"):
        create_pairing(by=people.org_department, agency=tree.agency2, community=tree.street1,
                       started_on=timezone.localdate())


def test_registration_moves_follow_the_table(tree, people, resident1):
    member = make_member(resident1, tree.community1, status=RegistrationStatus.PENDING)

    def attempt(current, to):
        Member.objects.filter(pk=member.pk).update(status=current)
        member.refresh_from_db()
        move_member(member=member, to=to)

    assert _walk(REGISTRATION_TRANSITIONS, RegistrationStatus.values, attempt) == _allowed(REGISTRATION_TRANSITIONS)


def test_a_party_member_is_verified_against_the_agency_list(tree, people, resident1):
    with pytest.raises(VolunteerError, match="党员名册中找到"):
        register_member(resident=resident1, kind=MemberKind.PARTY_MEMBER, id_number=resident1.id_number,
                        agency=tree.agency1)
    entry = list_entry_for(resident1, tree.agency1)
    cadre = CadreFactory(agency=tree.agency1, id_number=resident1.id_number)
    with pytest.raises(VolunteerError, match="党员名册中找到"):  # on agency1's list, not agency2's
        register_member(resident=resident1, kind=MemberKind.PARTY_MEMBER, id_number=resident1.id_number,
                        agency=tree.agency2)
    member = register_member(resident=resident1, kind=MemberKind.PARTY_MEMBER,
                             id_number=resident1.id_number.lower(), agency=tree.agency1,
                             profile=Profile(note="会急救", available_weekdays=True))
    assert (member.status, member.community, member.agency, member.list_entry, member.cadre) == (
        RegistrationStatus.PENDING, tree.community1, tree.agency1, entry, cadre)
    with pytest.raises(VolunteerError, match="无需重复报到"):
        register_member(resident=resident1, kind=MemberKind.VOLUNTEER, id_number=resident1.id_number)


def test_a_volunteer_passes_the_real_name_check(tree, people, resident1):
    other = _resident(tree, "other")
    wrong_check = resident1.id_number[:17] + ("0" if resident1.id_number[17] != "0" else "1")
    with pytest.raises(VolunteerError, match="校验位错误"):
        register_member(resident=resident1, kind=MemberKind.VOLUNTEER, id_number=wrong_check)
    with pytest.raises(VolunteerError, match="不一致"):  # someone else's valid number
        register_member(resident=resident1, kind=MemberKind.VOLUNTEER, id_number=other.id_number)
    member = register_member(resident=resident1, kind=MemberKind.VOLUNTEER, id_number=resident1.id_number)
    assert (member.kind, member.agency, member.community) == (MemberKind.VOLUNTEER, None, tree.community1)


def test_the_community_confirms_or_returns_and_the_member_is_told(tree, people, resident1,
                                                                    django_capture_on_commit_callbacks):
    member = make_member(resident1, tree.community1, status=RegistrationStatus.PENDING)
    with pytest.raises(PermissionDenied):
        review_member(by=people.manager2, member=member, confirm=True)
    with pytest.raises(VolunteerError, match="原因"):
        review_member(by=people.worker1, member=member, confirm=False)
    with django_capture_on_commit_callbacks(execute=True):
        review_member(by=people.worker1, member=member, confirm=False, reason="住址不在本社区")
    assert Notification.objects.get(recipient=resident1.user).title.endswith("住址不在本社区")
    register_member(resident=resident1, kind=MemberKind.VOLUNTEER, id_number=resident1.id_number)
    review_member(by=people.manager1, member=member, confirm=True)
    member.refresh_from_db()
    assert (member.status, member.return_reason, member.reviewed_by) == (
        RegistrationStatus.CONFIRMED, "", people.manager1)


def test_signup_moves_follow_the_table(tree, people, resident1):
    member = make_member(resident1, tree.community1)
    activity = make_activity(tree.community1)
    signup = SignUp.objects.create(activity=activity, member=member, status=SignUpStatus.SIGNED_UP,
                                   queued_at=timezone.now())

    def attempt(current, to):
        SignUp.objects.filter(pk=signup.pk).update(status=current)
        signup.refresh_from_db()
        move_signup(signup=signup, to=to)

    assert _walk(SIGNUP_TRANSITIONS, SignUpStatus.values, attempt) == _allowed(SIGNUP_TRANSITIONS)


def test_a_full_activity_waitlists_and_a_withdrawal_promotes_the_first_in_line(
        tree, people, resident1, django_capture_on_commit_callbacks):
    first = make_member(resident1, tree.community1)
    second, third = (make_member(_resident(tree, name), tree.community1) for name in ("second", "third"))
    activity = make_activity(tree.community1, headcount=1)
    now = timezone.now()
    mine = sign_up(member=first, activity=activity, now=now)
    waiting = [sign_up(member=m, activity=activity, now=now + timedelta(minutes=i + 1))
               for i, m in enumerate((second, third))]
    assert [mine.status, *(s.status for s in waiting)] == ["signed_up", "waitlisted", "waitlisted"]
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_signup(member=first, signup=mine, now=now + timedelta(minutes=5))
    statuses = dict(SignUp.objects.filter(activity=activity).values_list("member__name", "status"))
    assert statuses == {first.name: "withdrawn", second.name: "signed_up", third.name: "waitlisted"}
    assert Notification.objects.filter(recipient=second.user, title__contains="候补成功").count() == 1
    # signing up again joins the end of the queue
    assert sign_up(member=first, activity=activity, now=now + timedelta(minutes=6)).status == "waitlisted"


def test_withdrawal_and_sign_up_close_at_the_cutoff(tree, people, resident1):
    member = make_member(resident1, tree.community1)
    activity = make_activity(tree.community1)
    signup = sign_up(member=member, activity=activity)
    with pytest.raises(VolunteerError, match="报名已截止"):
        withdraw_signup(member=member, signup=signup, now=activity.signup_deadline)
    other = make_member(_resident(tree, "late"), tree.community1)
    with pytest.raises(VolunteerError, match="报名已截止"):
        sign_up(member=other, activity=activity, now=activity.signup_deadline + timedelta(minutes=1))
    pending = make_member(_resident(tree, "pending"), tree.community1, status=RegistrationStatus.PENDING)
    with pytest.raises(VolunteerError, match="确认报到后"):
        sign_up(member=pending, activity=activity)


def test_age_limits_are_checked_at_sign_up(tree, people, resident1):
    member = make_member(resident1, tree.community1)  # born 1985
    activity = make_activity(tree.community1, max_age=35)
    with pytest.raises(VolunteerError, match="年龄要求"):
        sign_up(member=member, activity=activity)


def test_qr_scan_signs_in_then_out_and_files_the_time_inside_the_activity(tree, people, resident1):
    member = make_member(resident1, tree.community1)
    activity = make_activity(tree.community1)
    sign_up(member=member, activity=activity)
    with pytest.raises(VolunteerError, match="不在活动签到时间内"):
        scan_activity(member=member, activity=activity, now=activity.starts_at - timedelta(hours=2))
    assert scan_activity(member=member, activity=activity,
                         now=activity.starts_at - timedelta(minutes=20)).status == "checked_in"
    signup = scan_activity(member=member, activity=activity, now=activity.ends_at - timedelta(minutes=30))
    assert signup.status == "checked_out"
    record = ServiceRecord.objects.get(signup=signup)
    assert (record.minutes, record.status, record.source) == (90, RecordStatus.PENDING, "activity")
    with pytest.raises(VolunteerError, match="没有报名"):
        scan_activity(member=member, activity=activity, now=activity.ends_at)


def test_record_reviews_follow_the_table_and_approval_credits_points(tree, people, resident1):
    world = build_world(tree, people)

    moved = set()
    for current, to in product(RecordStatus.values, (RecordStatus.APPROVED, RecordStatus.REJECTED)):
        ServiceRecord.objects.filter(pk=world.record.pk).update(status=current)
        try:
            with transaction.atomic():
                review_record(by=people.manager1, record=world.record, approve=to == RecordStatus.APPROVED)
        except VolunteerError:
            continue
        moved.add((current, to))
    assert moved == _allowed(RECORD_TRANSITIONS)
    world.member.refresh_from_db()
    assert world.member.points_balance == 15  # 90 minutes of a post at 10 points an hour, approved once

    record = ServiceRecord.objects.create(member=world.member, community=tree.community1, source="activity",
                                          activity=world.activity, served_on=timezone.localdate(), minutes=120)
    with pytest.raises(PermissionDenied):
        review_record(by=people.manager2, record=record, approve=True)
    review_record(by=people.worker1, record=record, approve=True, minutes=100, rating=5, comment="认真负责")
    record.refresh_from_db()
    assert (record.minutes, record.points, record.rating, record.comment) == (100, 17, 5, "认真负责")
    year = timezone.localdate().year
    world.member.refresh_from_db()
    # the walk left the first record rejected: only the second counts, its 17 points on the first 15
    assert next(y for y in hours_by_year(world.member) if y["year"] == year)["minutes"] == 100
    assert world.member.points_balance == 32


def test_the_ledger_moves_by_kind_and_never_goes_negative(tree, people, resident1):
    member = make_member(resident1, tree.community1)
    allowed = {(kind, sign) for kind, signs in LEDGER_SIGNS.items() for sign in signs}
    moved = set()
    for kind, sign in product(LedgerKind.values, (1, -1)):
        try:
            with transaction.atomic():
                move_points(member=member, kind=kind, points=sign * 5 if sign < 0 else 100)
        except VolunteerError:
            continue
        moved.add((kind, sign))
    assert moved == allowed
    member.refresh_from_db()
    assert member.points_balance == 190  # +100 earned, +100 adjusted, −5 redeemed, −5 adjusted
    with pytest.raises(VolunteerError, match="积分不足"):
        move_points(member=member, kind=LedgerKind.REDEEMED, points=-191)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Member.objects.filter(pk=member.pk).update(points_balance=-1)


def test_redeeming_takes_points_and_stock(tree, people, resident1):
    world = build_world(tree, people)
    with pytest.raises(VolunteerError, match="积分不足"):
        redeem_item(by=people.worker1, member=world.member, item=world.item)
    move_points(member=world.member, kind=LedgerKind.EARNED, points=120)
    redeem_item(by=people.worker1, member=world.member, item=world.item)
    world.item.refresh_from_db()
    world.member.refresh_from_db()
    assert (world.member.points_balance, world.item.stock) == (70, 2)
    with pytest.raises(PermissionDenied):
        redeem_item(by=people.manager2, member=world.member, item=world.item)


def test_reminders_go_once_to_those_signed_up(tree, people, resident1, django_capture_on_commit_callbacks):
    member = make_member(resident1, tree.community1)
    soon = make_activity(tree.community1, starts_in=timedelta(hours=5))
    later = make_activity(tree.community1, starts_in=timedelta(days=3))
    sign_up(member=member, activity=soon)
    sign_up(member=member, activity=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
        assert send_reminders() == 0
    assert list(Notification.objects.filter(recipient=resident1.user).values_list("title", flat=True)) == [
        f"活动提醒：「{soon.title}」将于{timezone.localtime(soon.starts_at):%m-%d %H:%M}开始"]
