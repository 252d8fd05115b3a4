"""Staff pages: query counts at 1 and 3 items for every list, the round list order, bad input."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.errands import quarantine, support
from xiachen.errands.models import Errand, VisitTask

from ..factories import HouseholdFactory, ResidentFactory


def errand_for(household, by, assignee=None) -> Errand:
    return Errand.objects.create(household=household, kind="meal", details="午餐", requested_by=by,
                                 submission_key=uuid.uuid4(), assignee=assignee)


def households(tree, count, buildings=None):
    buildings = buildings or [str(i + 1) for i in range(count)]
    return [HouseholdFactory(compound=tree.compound1, building=b) for b in buildings]


@pytest.mark.parametrize("count", [1, 3])
def test_errand_list_query_count(client, people, tree, count, django_assert_num_queries):
    for household in households(tree, count):
        errand_for(household, people.manager1, people.worker1)
    client.force_login(people.manager1)
    with django_assert_num_queries(5):
        response = client.get(reverse("errands:list"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_round_list_query_count_and_building_order(client, people, tree, count, django_assert_num_queries):
    for household in households(tree, count, ["9", "2", "5"][:count]):
        errand_for(household, people.manager1, people.cadre_user1)
    client.force_login(people.cadre_user1)
    with django_assert_num_queries(4):
        response = client.get(reverse("errands:mine"))
    assert [e.household.building for e in response.context["errands"]] == sorted(["9", "2", "5"][:count])


@pytest.mark.parametrize("count", [1, 3])
def test_episode_list_query_count(client, people, tree, count, django_assert_num_queries):
    today = timezone.localdate()
    for household in households(tree, count):
        quarantine.open_episode(by=people.manager1, resident=ResidentFactory(household=household),
                                kind="home_quarantine", start=today, planned_end=today + timedelta(days=13))
    client.force_login(people.manager1)
    with django_assert_num_queries(7):  # the picker loads nothing until searched; +1: episodes due
        response = client.get(reverse("errands:episodes"))
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_visit_list_query_count(client, people, tree, count, django_assert_num_queries):
    today = timezone.localdate()
    for household in households(tree, count):
        episode = quarantine.open_episode(by=people.manager1, resident=ResidentFactory(household=household),
                                          kind="home_quarantine", start=today, planned_end=today)
        VisitTask.objects.create(episode=episode, day=today, assignee=people.worker1)
    client.force_login(people.worker1)
    with django_assert_num_queries(4):
        response = client.get(reverse("errands:visits"))
    assert len(response.context["visits"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_support_list_query_count(client, people, tree, count, django_assert_num_queries):
    for household in households(tree, count):
        ResidentFactory(household=household, vulnerabilities=["elderly_alone", "disabled"])
    client.force_login(people.manager1)
    with django_assert_num_queries(7):
        response = client.get(reverse("errands:support"))
    assert len(response.context["page"].object_list) == count


def test_support_list_comes_from_vulnerability_flags_in_scope(people, tree, resident1):
    flagged = ResidentFactory(household=HouseholdFactory(compound=tree.compound1), vulnerabilities=["low_income"])
    ResidentFactory(household=HouseholdFactory(compound=tree.compound2), vulnerabilities=["low_income"])
    assert list(support.support_list(people.manager1)) == [flagged]


def test_support_contact_is_recorded_once(people, tree):
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1), vulnerabilities=["elderly_alone"])
    contact = support.schedule_contact(by=people.worker1, resident=resident, kind="checkin",
                                       scheduled_for=timezone.localdate())
    support.record_contact(by=people.worker1, contact=contact, note="身体良好，已送米面")
    with pytest.raises(support.SupportError, match="已经记录过了"):
        support.record_contact(by=people.manager1, contact=contact, note="重复")
    contact.refresh_from_db()
    assert (contact.note, contact.by) == ("身体良好，已送米面", people.worker1)


def test_staff_double_submission_creates_one_errand(client, people, resident1):
    client.force_login(people.manager1)
    data = {"household": resident1.household.public_id, "kind": "garbage", "details": "清运",
            "submission_key": uuid.uuid4()}
    client.post(reverse("errands:new"), data)
    response = client.post(reverse("errands:new"), data, follow=True)
    assert "请勿重复提交" in response.content.decode()
    assert Errand.objects.count() == 1


def test_staff_cannot_ask_for_a_household_of_another_community(client, people, tree):
    other = HouseholdFactory(compound=tree.compound2)
    client.force_login(people.manager1)
    response = client.post(reverse("errands:new"), {"household": other.public_id, "kind": "meal", "details": "午餐",
                                                    "submission_key": uuid.uuid4()})
    assert "选择一个有效的选项" in response.content.decode()
    assert Errand.objects.count() == 0


def test_negative_cost_is_refused(client, people, resident1):
    errand = errand_for(resident1.household, people.manager1, people.cadre_user1)
    Errand.objects.filter(pk=errand.pk).update(status="in_progress")
    client.force_login(people.cadre_user1)
    response = client.post(reverse("errands:deliver", args=[errand.public_id]), {"cost": "-5"}, follow=True)
    assert "费用应为不小于 0 的金额" in response.content.decode()
    errand.refresh_from_db()
    assert (errand.status, errand.cost) == ("in_progress", None)
