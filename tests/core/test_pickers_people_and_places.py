"""The pickers that replaced the last plain selects of people and places (issue #14 item 5): each
offers only valid choices in the user's scope, shows what tells same-named people or places apart,
and the form behind it refuses anything it would not offer."""

import uuid

from django.urls import reverse

from xiachen.errands.models import Errand
from xiachen.hotline.models import Ticket
from xiachen.rosters.models import Assignment, Roster, SwapRequest
from xiachen.rosters.services import create_roster

from ..factories import CadreFactory, HouseholdFactory
from ..hotline.builders import make_ticket
from ..hotline.conftest import defaults  # noqa: F401 (fixture)
from ..rosters.conftest import MONDAY, make_post, shift
from .test_pickers import options


def _errand(tree, people):
    household = HouseholdFactory(compound=tree.compound1)
    return Errand.objects.create(household=household, compound_path=tree.compound1.path, kind="meal",
                                 details="午餐", requested_by=people.manager1, submission_key=uuid.uuid4())


def test_errand_assignee_picker_offers_who_is_on_duty_there_with_agency_or_community(client, people, tree):
    errand = _errand(tree, people)
    client.force_login(people.manager1)
    found = options(client, "errand-assignee", errand=str(errand.public_id))
    assert [(label, detail) for _v, label, detail in found] == [(str(people.worker1), "社区工作者 · 车站路社区")]
    client.force_login(people.manager2)  # the other community's manager: not theirs to dispatch
    assert options(client, "errand-assignee", errand=str(errand.public_id)) == []


def test_errand_assign_refuses_someone_not_on_duty(client, people, tree):
    errand = _errand(tree, people)
    client.force_login(people.manager1)
    response = client.post(reverse("errands:assign", args=[errand.public_id]),
                           {"assignee": str(people.hotline.public_id)}, follow=True)
    assert "请选择当班的办理人" in response.content.decode()
    errand.refresh_from_db()
    assert errand.assignee_id is None


def _published_roster(tree, people, cadres):
    post = make_post(tree, people.org_department, cadres)
    roster = create_roster(by=people.manager1, post=post, start=MONDAY, end=MONDAY)
    Roster.objects.filter(pk=roster.pk).update(status="published")
    for cadre in cadres:
        Assignment.objects.create(roster=roster, cadre=cadre, day=MONDAY, shift=shift(post, "morning"))
    return roster


def test_swap_partner_picker_offers_colleagues_on_the_post_with_their_agency(client, people, tree, cadre1):
    same_name = [CadreFactory(agency=tree.agency1, name="王伟"), CadreFactory(agency=tree.agency2, name="王伟")]
    roster = _published_roster(tree, people, [cadre1, *same_name])
    CadreFactory(agency=tree.agency1, name="王伟强")  # not deployed to the post
    client.force_login(people.cadre_user1)
    found = options(client, "roster-partner", roster=str(roster.public_id), q="王伟")
    assert sorted(value for value, _l, _d in found) == sorted(str(c.public_id) for c in same_name)
    assert sorted(detail.split(" · ")[0] for _v, _l, detail in found) == ["武汉市卫生健康委员会", "武汉市审计局"]
    assert options(client, "roster-partner", roster=str(roster.public_id), q=cadre1.name) == []  # not oneself


def test_swap_request_refuses_a_partner_who_is_not_on_the_post(client, people, tree, cadre1):
    roster = _published_roster(tree, people, [cadre1, CadreFactory(agency=tree.agency1)])
    stranger = CadreFactory(agency=tree.agency1)
    client.force_login(people.cadre_user1)
    client.post(reverse("rosters:swap_new", args=[roster.public_id]),
                {"day": MONDAY.isoformat(), "partner": str(stranger.public_id)})
    assert not SwapRequest.objects.exists()


def test_roster_cadre_picker_is_the_managers_own_roster_only(client, people, tree, cadre1):
    roster = _published_roster(tree, people, [cadre1])
    client.force_login(people.manager1)
    assert [value for value, _l, _d in options(client, "roster-cadre", roster=str(roster.public_id))] == [
        str(cadre1.public_id)]
    client.force_login(people.manager2)
    assert options(client, "roster-cadre", roster=str(roster.public_id)) == []


def test_transfer_picker_offers_the_districts_units_but_not_the_owner(client, people, tree, defaults):  # noqa: F811
    ticket = make_ticket(people, tree.compound1)
    client.force_login(people.manager1)
    found = options(client, "hotline-transfer-unit", ticket=str(ticket.public_id), q="社区")
    assert [label for _v, label, _d in found] == []  # community1 owns it; community2 is another district
    found = options(client, "hotline-transfer-unit", ticket=str(ticket.public_id), q="街道")
    assert [(label, detail) for _v, label, detail in found] == [("大智街道（街道）", "江岸区 · 大智街道")]
    client.force_login(people.manager2)
    assert options(client, "hotline-transfer-unit", ticket=str(ticket.public_id)) == []


def test_transfer_refuses_a_unit_the_picker_would_not_offer(client, people, tree, defaults):  # noqa: F811
    ticket = make_ticket(people, tree.compound1)
    client.force_login(people.manager1)
    client.post(reverse("hotline:ticket_transfer", args=[ticket.public_id]),
                {"unit": str(tree.community2.public_id), "reason": "不归我们"})
    assert Ticket.objects.get(pk=ticket.pk).transfer_to_id is None


def test_policy_and_key_pickers_offer_the_users_own_units_with_their_place(client, people, tree):
    client.force_login(people.manager1)
    assert [(label, detail) for _v, label, detail in options(client, "pass-key-community")] == [
        ("车站路社区（社区）", "江岸区 · 大智街道 · 车站路社区")]
    assert [label for _v, label, _d in options(client, "pass-policy-unit")] == ["车站路社区（社区）"]
    client.force_login(people.org_department)
    areas = [label for _v, label, _d in options(client, "pass-policy-unit", q="区")]
    assert areas[:2] == ["江岸区（区 / 县）", "江汉区（区 / 县）"]


def test_routing_rule_pickers_show_full_places_to_the_organization_department_only(client, people, tree):
    client.force_login(people.org_department)
    found = options(client, "hotline-rule-unit", q="车站路")
    assert [(label, detail) for _v, label, detail in found] == [
        ("车站路社区（社区）", "江岸区 · 大智街道 · 车站路社区")]
    areas = [label for _v, label, _d in options(client, "hotline-rule-area", q="江")]
    # districts first, then streets whose district matched
    assert areas == ["江岸区（区 / 县）", "江汉区（区 / 县）", "大智街道（街道）", "民族街道（街道）"]
    client.force_login(people.hotline)
    assert client.get(reverse("core:pick", args=["hotline-rule-unit"])).status_code == 403


def test_scan_log_gate_filter_is_a_picker_of_the_reviewers_gates(client, people, tree):
    client.force_login(people.manager1)
    found = options(client, "scan-gate", q=tree.compound1.name)
    assert [value for value, _label, _detail in found] == [str(tree.compound1.public_id)]
    assert options(client, "scan-gate", q=tree.compound2.name) == []  # another community's compound
    page = client.get(reverse("passes:scans"), {"gate": str(tree.compound1.public_id)}).content.decode()
    assert reverse("core:pick", args=["scan-gate"]) in page  # the filter searches, it lists no gates
    assert tree.compound1.name in page  # the chosen gate is shown in the picker
    other = client.get(reverse("passes:scans"), {"gate": str(tree.compound2.public_id)})
    assert other.status_code == 200  # a gate outside the scope filters nothing and shows nothing of it
    assert tree.compound2.name not in other.content.decode()
