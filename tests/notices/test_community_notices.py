"""Community notices: addressing by compound/building and to on-duty staff, read receipts on both
sites, the outbox, citing a policy version, permissions and query counts."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from xiachen.deployments.models import Demand, Match, PostType, Round
from xiachen.notices import community
from xiachen.notices.models import CommunityNotice, NoticeReceipt, Notification, OutboxMessage
from xiachen.notices.services import deliver_outbox

from ..factories import HouseholdFactory, ResidentFactory


@pytest.fixture
def cadre_on_duty(tree, people, cadre1):
    by = people.org_department
    round_ = Round.objects.create(name="值守", start=date(2026, 1, 1), end=date(2026, 12, 31),
                                  status="published", created_by=by)
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="supply_delivery"),
                                   headcount=1, start=date(2026, 1, 1), end=date(2026, 12, 31), created_by=by)
    round_.demands.add(demand)
    Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path, status="arrived")
    return people.cadre_user1


def publish(people, tree, **kwargs):
    kwargs.setdefault("compounds", [tree.compound1])
    return community.publish_notice(by=people.manager1, title="停水通知", body="明日停水", **kwargs)


def test_publish_addresses_residents_and_staff_through_the_outbox(people, tree, resident1, cadre_on_duty):
    neighbour = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))  # no account
    ResidentFactory(household=HouseholdFactory(compound=tree.compound2))  # other community
    notice = publish(people, tree)
    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert set(receipts.filter(audience="resident").values_list("resident_id", flat=True)) == {
        resident1.pk, neighbour.pk}
    assert set(receipts.filter(audience="staff").values_list("user_id", flat=True)) == {
        people.worker1.pk, people.cadre_user1.pk}
    notified = set(Notification.objects.filter(kind="community_notice").values_list("recipient_id", flat=True))
    assert notified == {people.resident_user1.pk, people.worker1.pk, people.cadre_user1.pk}
    assert OutboxMessage.objects.filter(notification__kind="community_notice").count() == 3
    assert deliver_outbox() == 3


def test_buildings_narrow_the_residents(people, tree, resident1):
    in_building = ResidentFactory(household=HouseholdFactory(compound=tree.compound1, building="88"))
    notice = publish(people, tree, buildings="88", to_staff=False)
    assert list(notice.receipts.values_list("resident_id", flat=True)) == [in_building.pk]
    assert notice.targets.get().building == "88"


def test_only_the_communitys_manager_publishes(people, tree):
    with pytest.raises(PermissionDenied):
        community.publish_notice(by=people.manager2, title="t", body="b", compounds=[tree.compound1])
    with pytest.raises(PermissionDenied):
        community.publish_notice(by=people.worker1, title="t", body="b", compounds=[tree.compound1])
    with pytest.raises(community.NoticeError):
        community.publish_notice(by=people.manager1, title="t", body="b", compounds=[])


def test_read_receipts_on_both_sites_and_who_has_not_read(client, people, tree, resident1, cadre_on_duty):
    notice = publish(people, tree)
    client.force_login(people.resident_user1)
    assert "● 停水通知" in client.get(reverse("resident:notices")).content.decode()
    client.get(reverse("resident:notice_detail", args=[notice.public_id]))
    client.get(reverse("resident:notice_detail", args=[notice.public_id]))  # idempotent
    assert NoticeReceipt.objects.get(notice=notice, resident=resident1).read_at is not None
    assert Notification.objects.get(recipient=people.resident_user1, kind="community_notice").read_at is not None

    client.force_login(people.cadre_user1)
    client.get(reverse("notices:community_detail", args=[notice.public_id]))
    client.force_login(people.manager1)
    response = client.get(reverse("notices:community_detail", args=[notice.public_id]))
    receipts = response.context["receipts"]
    assert receipts["counts"] == {"resident": {"total": 1, "read": 1}, "staff": {"total": 2, "read": 1}}
    assert [r.user for r in receipts["unread"]] == [people.worker1]
    assert "worker1" in response.content.decode() or str(people.worker1) in response.content.decode()
    # a staff reader sees the notice but not the receipts
    client.force_login(people.worker1)
    assert client.get(reverse("notices:community_detail", args=[notice.public_id])).context["receipts"] is None


def test_a_notice_cites_a_policy_version(client, people, tree, resident1):
    from xiachen.policies.models import PolicyDocument, PolicyVersion

    document = PolicyDocument.objects.create(title="社区防控指引", issuing_agency=tree.agency2,
                                             document_number="卫健〔2020〕1号", created_by=people.org_department)
    version = PolicyVersion.objects.create(document=document, number=2, effective_from=date(2026, 1, 1), text="……",
                                           created_by=people.org_department)
    notice = publish(people, tree, policy_version=version)
    client.force_login(people.resident_user1)
    body = client.get(reverse("resident:notice_detail", args=[notice.public_id])).content.decode()
    assert "社区防控指引" in body and "第 2 版" in body


def test_publish_page_posts_a_notice_and_delivers_it_in_the_background(client, people, tree, resident1,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(people.manager1)
    form = {"title": "核酸检测安排", "body": "周六上午在小区广场", "compounds": [tree.compound1.public_id],
            "to_staff": "on"}
    with django_capture_on_commit_callbacks(execute=True):  # the job runs at commit in tests
        response = client.post(reverse("notices:community_new"), form)
    assert response.status_code == 302
    assert NoticeReceipt.objects.filter(resident=resident1, notice__title="核酸检测安排").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "发送通知已于" in page
    notice = CommunityNotice.objects.get(title="核酸检测安排")
    with pytest.raises(community.NoticeError, match="该通知已经发送"):
        community.deliver_notice(by=people.manager1, notice=notice)  # never twice


def test_residents_see_only_notices_addressed_to_them(client, people, tree, resident1):
    other = community.publish_notice(by=people.manager2, title="别处", body="b", compounds=[tree.compound2])
    client.force_login(people.resident_user1)
    assert client.get(reverse("resident:notice_detail", args=[other.public_id])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_staff_notice_list_query_count(client, people, tree, resident1, count, django_assert_num_queries):
    for _ in range(count):
        publish(people, tree)
    client.force_login(people.manager1)
    with django_assert_num_queries(6):
        response = client.get(reverse("notices:community"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_resident_notice_list_query_count(client, people, tree, resident1, count, django_assert_num_queries):
    for _ in range(count):
        publish(people, tree)
    client.force_login(people.resident_user1)
    with django_assert_num_queries(6):
        response = client.get(reverse("resident:notices"))
    assert len(response.context["page"].object_list) == count
