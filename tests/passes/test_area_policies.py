"""City- and district-wide pass policies that communities inherit and may only tighten (issue 16, item 7)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.core.test_pickers import options
from xiachen.passes import services
from xiachen.passes.rules import RulesError, combine, looser_fields
from xiachen.passes.selectors import effective_policy, policies_visible_to
from xiachen.passes.verification import verify_token

STRICT = {"out_every_days": 3, "hours": ["07:00", "20:00"], "visitors_allowed": False, "fever_threshold": 37.2,
          "exempt_groups": ["medical_staff"], "designated_only": True, "max_hours_out": 2, "held_action": "refuse"}
LOOSE = {"out_every_days": 1, "hours": ["06:00", "22:00"], "visitors_allowed": True, "fever_threshold": 37.5,
         "exempt_groups": ["medical_staff", "delivery"], "designated_only": False, "max_hours_out": 0,
         "held_action": "warn"}


def test_every_field_has_a_tighter_direction():
    assert looser_fields(STRICT, LOOSE) == []
    assert looser_fields(LOOSE, STRICT) == list(STRICT)  # every field, in the form's order
    assert combine([LOOSE, STRICT]) == combine([STRICT, LOOSE]) == STRICT
    assert looser_fields({**STRICT, "hours": ["06:30", "20:00"]}, STRICT) == ["hours"]
    assert looser_fields({**STRICT, "max_hours_out": 0}, STRICT) == ["max_hours_out"]  # 0: no limit, the loosest


def _district_policy(people, tree, rules, days_ago=1):
    return services.publish_policy(by=people.org_department, community=tree.district1, rules=rules,
                                   effective_at=timezone.now() - timedelta(days=days_ago), change_note="全区")


def test_the_organization_department_publishes_for_a_district_and_a_manager_cannot(people, tree):
    version = _district_policy(people, tree, STRICT)
    assert version.number == 1 and version.community == tree.district1
    with pytest.raises(PermissionDenied):
        services.publish_policy(by=people.manager1, community=tree.district1, rules=STRICT,
                                effective_at=timezone.now(), change_note="越权")
    with pytest.raises(PermissionDenied):  # the organization department does not run a community's gates
        services.publish_policy(by=people.org_department, community=tree.community1, rules=STRICT,
                                effective_at=timezone.now(), change_note="越权")


def test_a_community_may_only_tighten_and_the_message_names_the_fields(people, tree):
    _district_policy(people, tree, {**LOOSE, "out_every_days": 2, "fever_threshold": 37.3})
    with pytest.raises(RulesError) as refused:
        services.publish_policy(by=people.manager1, community=tree.community1, effective_at=timezone.now(),
                                rules={**LOOSE, "out_every_days": 1, "fever_threshold": 37.5}, change_note="放宽")
    message = str(refused.value)
    assert "每户外出间隔（天）" in message and "体温阈值（℃）" in message and "允许访客进入" not in message
    version = services.publish_policy(by=people.manager1, community=tree.community1, effective_at=timezone.now(),
                                      rules={**LOOSE, "out_every_days": 3, "fever_threshold": 37.0}, change_note="收紧")
    assert version.number == 1


def test_the_gates_apply_the_tightest_of_the_chain_even_after_a_later_area_tightening(people, tree, pass1, policy1):
    """policy1 (community, every 2 days, all day) came first; the district then narrows the hours."""
    assert verify_token(pass1.token, gate=tree.compound1, direction="out").reason == "valid"
    _district_policy(people, tree, {**LOOSE, "hours": ["00:00", "00:01"], "held_action": "refuse"}, days_ago=0)
    policy = effective_policy(tree.community1, timezone.now())
    assert policy.hours == ("00:00", "00:01") and policy.out_every_days == 2 and policy.version == policy1.number
    now_minute = timezone.localtime().hour * 60 + timezone.localtime().minute
    expected = "valid" if now_minute < 1 else "outside_hours"
    assert verify_token(pass1.token, gate=tree.compound1, direction="out").reason == expected


def test_gate_staff_see_and_acknowledge_the_area_version_and_the_gate_gets_its_sources(client, people, tree, policy1):
    version = _district_policy(people, tree, STRICT)
    assert version in policies_visible_to(people.worker1)
    assert version not in policies_visible_to(people.manager2)  # another district's staff
    services.acknowledge_policy(by=people.worker1, version=version)
    assert version.acknowledgements.filter(user=people.worker1).exists()
    client.force_login(people.worker1)
    document = client.get(f"/api/passes/gates/{tree.compound1.public_id}/policy").json()
    assert [source["unit"] for source in document["sources"]] == [tree.district1.name, tree.community1.name]
    assert document["rules"]["out_every_days"] == 3 and document["rules"]["designated_only"] is True
    page = client.get(f"/passes/policies/{policy1.public_id}/")
    assert "门岗现行执行的规则" in page.content.decode()


def test_the_publish_page_offers_the_district_to_the_organization_department(client, people, tree):
    client.force_login(people.org_department)
    page = client.get("/passes/policies/new/").content.decode()
    assert reverse("core:pick", args=["pass-policy-unit"]) in page  # the unit is searched, not listed
    offered = [label for _value, label, _detail in options(client, "pass-policy-unit", q=tree.district1.name)]
    assert any(tree.district1.name in label for label in offered)
    response = client.post("/passes/policies/new/", {
        "community": str(tree.district1.public_id), "effective_at": "2026-01-01 08:00", "change_note": "全区统一",
        "out_every_days": 2, "hours_from": "06:00", "hours_to": "22:00", "fever_threshold": "37.3",
        "exempt_groups": ["medical_staff"], "max_hours_out": 0, "held_action": "refuse",
    })
    assert response.status_code == 302
