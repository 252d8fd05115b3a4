"""The home page is each role's inbox (待办): counts inside the user's scope that link to the list
filtered the same way, today's shift for a cadre, and a bounded number of queries whatever the data."""

import re
import uuid
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.deployments.services import create_round
from xiachen.errands.models import Errand
from xiachen.notices.models import Notification
from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import Assignment, Roster, ShiftTemplate
from xiachen.rosters.services import create_roster

from ..factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def errand(household, by, *, assignee=None, age=timedelta(0), status="requested") -> Errand:
    made = Errand.objects.create(household=household, kind="meal", details="午餐", requested_by=by,
                                 submission_key=uuid.uuid4(), assignee=assignee, status=status)
    Errand.objects.filter(pk=made.pk).update(created_at=timezone.now() - age)
    return made


def todo_counts(html: str) -> dict[str, tuple[int, str]]:
    """{label: (count, href)} of the 待办 items on a rendered home page."""
    items = re.findall(
        r'<a href="([^"]+)"><span class="todo-count">([\d,]+)</span> <span class="todo-label">([^<]+)</span>', html
    )
    return {label: (int(count.replace(",", "")), href.replace("&amp;", "&")) for href, count, label in items}


@pytest.fixture
def errands(tree, people):
    here = HouseholdFactory(compound=tree.compound1)
    there = HouseholdFactory(compound=tree.compound2)
    return {
        "unassigned": [errand(here, people.manager1), errand(here, people.manager1)],
        "overdue": [errand(here, people.manager1, assignee=people.worker1, status="accepted", age=timedelta(days=2))],
        "given_to_cadre": [errand(here, people.manager1, assignee=people.cadre_user1, status="accepted")],
        "elsewhere": [errand(there, people.manager2), errand(there, people.manager2, age=timedelta(days=3))],
    }


def test_manager_sees_unassigned_and_overdue_errands_of_their_community_linking_to_the_filtered_list(
        client, people, errands):
    client.force_login(people.manager1)
    todos = todo_counts(client.get(reverse("accounts:home")).content.decode())
    count, href = todos["待派单的代办"]
    assert (count, href) == (2, reverse("errands:list") + "?unassigned=1")
    listed = client.get(href).context["page"].object_list
    assert {e.pk for e in listed} == {e.pk for e in errands["unassigned"]}

    count, href = todos["超时未办结的代办"]
    assert count == 1
    assert [e.pk for e in client.get(href).context["page"].object_list] == [errands["overdue"][0].pk]


def test_cadre_sees_todays_shift_the_errand_given_to_them_and_unread_messages(client, people, tree, cadre1, errands):
    today = timezone.localdate()
    post = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=1,
                                 start=today - timedelta(days=3), end=today + timedelta(days=20),
                                 created_by=people.org_department)
    round_ = create_round(by=people.org_department, name="本月轮次", kind="normalized", start=post.start, end=post.end)
    round_.demands.add(post)
    Round.objects.filter(pk=round_.pk).update(status="published")
    match = Match.objects.create(round=round_, demand=post, cadre=cadre1, agency_path=cadre1.agency_path,
                                 status="confirmed")
    Deployment.objects.create(match=match, cadre=cadre1)
    morning = ShiftTemplate.objects.create(post=post, code="morning", name="白班", start=time(8), length_minutes=540)
    roster = create_roster(by=people.manager1, post=post, start=today, end=today + timedelta(days=6))
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    Assignment.objects.create(roster=roster, cadre=cadre1, day=today, shift=morning)
    Notification.objects.create(recipient=people.cadre_user1, kind="test", title="明日集合时间调整")

    client.force_login(people.cadre_user1)
    html = client.get(reverse("accounts:home")).content.decode()
    assert "白班 08:00–17:00 · 车站路社区" in html
    todos = todo_counts(html)
    assert todos["待报到"] == (1, reverse("deployments:mine"))
    assert todos["分派给我的代办"] == (1, reverse("errands:mine"))
    assert todos["未读消息"] == (1, reverse("notices:inbox"))

    mine = client.get(reverse("deployments:mine")).content.decode()
    assert 'id="current-deployment"' in mine and 'id="checkin-due"' in mine
    shifts = client.get(reverse("rosters:mine"))
    assert [a.day for a in shifts.context["upcoming"]] == [today]


def test_my_shifts_says_when_there_are_no_upcoming_shifts(client, people, cadre1):
    client.force_login(people.cadre_user1)
    html = client.get(reverse("rosters:mine")).content.decode()
    assert 'id="no-upcoming-shifts"' in html
    assert "暂无即将到来的班次" in html


def test_each_roles_home_page_costs_a_bounded_number_of_queries(client, people, errands, django_assert_max_num_queries):
    """The count does not grow with the data: counts are aggregates, lists are sliced."""
    for persona in ("org_department", "liaison1", "manager1", "worker1", "cadre_user1", "hotline", "auditor",
                    "sysadmin"):
        client.force_login(getattr(people, persona))
        with django_assert_max_num_queries(30):
            response = client.get(reverse("accounts:home"))
        assert response.status_code == 200, persona
        client.logout()


def test_hotline_operator_sees_tickets_awaiting_call_back(client, people):
    client.force_login(people.hotline)
    todos = todo_counts(client.get(reverse("accounts:home")).content.decode())
    assert todos["已办结待回访的工单"] == (0, reverse("hotline:tickets") + "?status=resolved")


def test_manager_fever_alerts_count_only_open_ones_and_link_to_them(client, tree, people):
    from xiachen.passes.models import FeverAlert, Scan

    now = timezone.now()

    def alert(status: str) -> FeverAlert:
        scan = Scan.objects.create(
            client_uuid=uuid.uuid4(), device_id="gate", gate=tree.compound1, gate_path=tree.compound1.path,
            recorded_by=people.worker1, scanned_at=now, received_at=now, direction="in", temperature="38.2",
            client_valid=True, client_reason="valid", server_valid=False, server_reason="fever",
        )
        return FeverAlert.objects.create(scan=scan, gate_path=scan.gate_path, temperature=scan.temperature,
                                         status=status)

    open_alert, _closed = alert("open"), alert("closed")
    client.force_login(people.manager1)
    count, href = todo_counts(client.get(reverse("accounts:home")).content.decode())["发热预警待跟进"]
    assert (count, href) == (1, reverse("passes:fever") + "?open=1")
    assert [a.pk for a in client.get(href).context["page"].object_list] == [open_alert.pk]


def test_my_deployment_lists_the_current_one_first_and_old_ones_below(client, tree, people, cadre1):
    today = timezone.localdate()

    def deployment(unit, start, end, status):
        post = Demand.objects.create(unit=unit, post_type=PostType.objects.get(code="gate_duty"), headcount=1,
                                     start=start, end=end, created_by=people.org_department)
        round_ = create_round(by=people.org_department, name=f"轮次{start:%m%d}", kind="normalized", start=start,
                              end=end)
        round_.demands.add(post)
        Round.objects.filter(pk=round_.pk).update(status=status)
        return Match.objects.create(round=round_, demand=post, cadre=cadre1, agency_path=cadre1.agency_path,
                                    status="arrived")

    old = deployment(tree.community2, today - timedelta(days=120), today - timedelta(days=60), "closed")
    current = deployment(tree.community1, today - timedelta(days=5), today + timedelta(days=25), "published")
    client.force_login(people.cadre_user1)
    response = client.get(reverse("deployments:mine"))
    assert [m.pk for m in response.context["current"]] == [current.pk]
    assert [m.pk for m in response.context["past"]] == [old.pk]
    html = response.content.decode()
    assert html.index("车站路社区") < html.index("桥口社区")


def test_gate_staff_are_asked_to_read_only_the_policy_in_force_until_they_confirm(client, tree, people):
    from xiachen.passes import services as passes

    rules = {"out_every_days": 2, "hours": ["00:00", "24:00"], "fever_threshold": 37.3}
    now = timezone.now()
    passes.publish_policy(by=people.manager1, community=tree.community1, effective_at=now - timedelta(days=40),
                          rules=rules, change_note="初版")
    in_force = passes.publish_policy(by=people.manager1, community=tree.community1,
                                     effective_at=now - timedelta(days=1), rules=rules, change_note="第二版")
    passes.publish_policy(by=people.manager2, community=tree.community2, effective_at=now - timedelta(days=1),
                          rules=rules, change_note="别的社区")
    client.force_login(people.worker1)
    todos = todo_counts(client.get(reverse("accounts:home")).content.decode())
    assert todos["待确认阅读的通行政策"] == (1, reverse("passes:policy_detail", args=[in_force.public_id]))
    passes.acknowledge_policy(by=people.worker1, version=in_force)
    assert "待确认阅读的通行政策" not in todo_counts(client.get(reverse("accounts:home")).content.decode())
