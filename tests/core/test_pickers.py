"""Searchable pickers: the options endpoint offers only the user's valid choices, shows what tells
same-named people apart, and the forms refuse anything the picker would not offer."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.cadres.models import AvailabilityPeriod
from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.deployments.services import create_round, set_round_scope
from xiachen.errands.models import Errand
from xiachen.passes.services import issue_pass, revoke_passes

from ..factories import CadreFactory, HouseholdFactory, ResidentFactory


def options(client, picker: str, **params) -> list[tuple[str, str, str]]:
    """(value, label, detail) of every option the endpoint returns."""
    response = client.get(reverse("core:pick", args=[picker]), params)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'data-value="([^"]*)" data-label="([^"]*)" data-detail="([^"]*)"', html)
    return [(value, label, detail) for value, label, detail in found]


def test_household_picker_is_scoped_and_shows_full_address(client, people, tree):
    own = HouseholdFactory(compound=tree.compound1, building="3", entrance="2", room="501")
    ResidentFactory(household=own, name="张秀英")
    other = HouseholdFactory(compound=tree.compound2, building="3", entrance="2", room="501")
    ResidentFactory(household=other, name="张秀英")
    client.force_login(people.manager1)
    found = options(client, "errand-household", q="张秀英")
    assert [value for value, _label, _detail in found] == [str(own.public_id)]
    _value, label, detail = found[0]
    assert label == "车站路小区 3栋2单元501室"
    assert detail == "江岸区 · 大智街道 · 车站路社区 · 车站路小区 · 张秀英"


def test_household_picker_finds_by_building_number(client, people, tree):
    # Buildings the factory never gives (it numbers 1–20), so the people fixture's households never match.
    HouseholdFactory(compound=tree.compound1, building="77", room="101")
    HouseholdFactory(compound=tree.compound1, building="78", room="101")
    client.force_login(people.worker1)
    assert [label for _v, label, _d in options(client, "errand-household", q="77栋")] == ["车站路小区 77栋1单元101室"]


def test_errand_form_refuses_a_household_the_picker_would_not_offer(client, people, tree):
    other = HouseholdFactory(compound=tree.compound2)
    client.force_login(people.manager1)
    response = client.post(reverse("errands:new"), {
        "household": str(other.public_id), "kind": "meal", "details": "午餐", "submission_key": str(uuid.uuid4()),
    })
    assert response.status_code == 200
    assert not Errand.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["household"]


def test_resident_picker_tells_same_names_apart(client, people, tree):
    first = ResidentFactory(household=HouseholdFactory(compound=tree.compound1, building="1", room="101"), name="李娜")
    second = ResidentFactory(household=HouseholdFactory(compound=tree.compound1, building="2", room="202"), name="李娜")
    client.force_login(people.manager1)
    found = options(client, "quarantine-resident", q="李娜")
    assert {value for value, _l, _d in found} == {str(first.public_id), str(second.public_id)}
    assert sorted(detail.split(" · ")[0] for _v, _l, detail in found) == ["车站路小区 1栋1单元101室",
                                                                          "车站路小区 2栋1单元202室"]


def test_place_picker_offers_the_operators_district_only(client, people, tree):
    client.force_login(people.hotline)
    found = options(client, "hotline-place", q="小区")
    assert [(label, detail) for _v, label, detail in found] == [
        ("车站路小区（小区）", "江岸区 · 大智街道 · 车站路社区 · 车站路小区"),
    ]


def test_picker_needs_its_permission(client, people):
    client.force_login(people.liaison1)
    assert client.get(reverse("core:pick", args=["errand-household"])).status_code == 403
    assert client.get(reverse("core:pick", args=["no-such-picker"])).status_code == 404


@pytest.fixture
def review_round(tree, people):
    by = people.org_department
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"),
                                   headcount=2, start=date(2026, 12, 1), end=date(2026, 12, 31), created_by=by)
    round_ = create_round(by=by, name="十二月轮次", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    set_round_scope(by=by, round_=round_, demands=[demand], quotas={tree.agency1: 5})
    Round.objects.filter(pk=round_.pk).update(status="review")
    round_.refresh_from_db()
    return round_


def test_round_cadre_picker_offers_only_cadres_free_for_the_round(client, people, tree, review_round):
    free = CadreFactory(agency=tree.agency1, department=tree.department1, name="王芳", position="副科长")
    placed = CadreFactory(agency=tree.agency1, name="王刚")
    Match.objects.create(round=review_round, demand=review_round.demands.get(), cadre=placed,
                         agency_path=placed.agency_path)
    deployed = CadreFactory(agency=tree.agency1, name="王强")
    elsewhere = create_round(by=people.org_department, name="十一月", kind="normalized",
                             start=date(2026, 11, 1), end=date(2026, 12, 15))
    earlier = Match.objects.create(round=elsewhere, demand=review_round.demands.get(), cadre=deployed,
                                   agency_path=deployed.agency_path, status="confirmed")
    Deployment.objects.create(match=earlier, cadre=deployed)
    away = CadreFactory(agency=tree.agency1, name="王静")
    AvailabilityPeriod.objects.create(cadre=away, kind="unavailable", start=date(2026, 12, 20), end=date(2027, 1, 5))
    CadreFactory(agency=tree.agency2, name="王敏")  # agency not in the round
    CadreFactory(agency=tree.agency1, name="王军", is_active=False)
    client.force_login(people.org_department)
    found = options(client, "round-cadre", q="王", round=str(review_round.public_id))
    assert [(label, detail) for _v, label, detail in found] == [("王芳", "武汉市审计局 · 财政审计科 · 副科长 · 科员")]
    assert found[0][0] == str(free.public_id)
    assert options(client, "round-cadre", q="王") == []  # no round: nothing to offer
    assert options(client, "round-cadre", q="王", round="not-a-uuid") == []


def test_hand_edit_refuses_a_cadre_the_picker_would_not_offer(client, people, tree, review_round):
    deployed_elsewhere_agency = CadreFactory(agency=tree.agency2, name="赵六")
    client.force_login(people.org_department)
    response = client.post(reverse("deployments:round_assign", args=[review_round.public_id]), {
        "demand": str(review_round.demands.get().public_id), "cadre": str(deployed_elsewhere_agency.public_id),
    }, follow=True)
    assert not review_round.matches.exists()
    assert "请选择本轮次的岗位和一名可派驻的干部" in response.content.decode()


def test_revocation_picker_offers_current_passes_in_scope_only(client, people, tree, resident1):
    now = timezone.now()
    current = issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1),
                         valid_until=now + timedelta(days=7))
    revoked = issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1),
                         valid_until=now + timedelta(days=7))
    revoke_passes(by=people.manager1, passes=[revoked], reason="测试")
    issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(days=3),
               valid_until=now - timedelta(days=1))  # expired
    client.force_login(people.manager1)
    found = options(client, "revocable-pass", q=resident1.name)
    assert [value for value, _l, _d in found] == [str(current.public_id)]
    assert found[0][1].startswith(f"{resident1.name} · 车站路小区 ")
    client.force_login(people.manager2)
    assert options(client, "revocable-pass") == []


def test_revoke_form_revokes_the_picked_pass(client, people, resident1):
    now = timezone.now()
    card = issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1),
                      valid_until=now + timedelta(days=7))
    client.force_login(people.manager1)
    response = client.post(reverse("passes:revoke"), {"picked": [str(card.public_id)], "passes": "", "reason": "搬离"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.revoked_at is not None, card.revoke_reason) == (True, "搬离")


def test_pass_is_issued_to_a_picked_resident_in_scope_only(client, people, tree, resident1):
    outsider = ResidentFactory(household=HouseholdFactory(compound=tree.compound2), name="外区居民")
    client.force_login(people.manager1)
    assert [label for _v, label, _d in options(client, "pass-resident", q="外区居民")] == []
    now = timezone.localtime()
    form = {"valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), "group": ""}
    refused = client.post(reverse("passes:issue"), form | {"resident": str(outsider.public_id)})
    assert list(refused.context["form"].errors) == ["resident"]
    issued = client.post(reverse("passes:issue"), form | {"resident": str(resident1.public_id)})
    assert issued.status_code == 302
    assert resident1.passes.count() == 1 and not outsider.passes.exists()
