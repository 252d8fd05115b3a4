"""Demands of receiving units: scoping by the unit tree, create/edit/close through the pages."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.cadres.models import Specialty
from xiachen.deployments.demand_services import DemandError, update_demand
from xiachen.deployments.enums import DemandStatus, Hazard
from xiachen.deployments.models import Demand, PostType
from xiachen.deployments.selectors import demands_visible_to, receiving_units_for

from .conftest import make_demand


@pytest.fixture
def demand1(tree, people):
    return make_demand(tree.community1, "gate_duty", people.manager1, headcount=2)


@pytest.fixture
def demand2(tree, people):
    return make_demand(tree.community2, "data_entry", people.manager2)


def form_data(unit, post_type: str = "finance_audit_support", **overrides) -> dict:
    data = {
        "unit": unit.pk,
        "post_type": PostType.objects.get(code=post_type).pk,
        "headcount": "2",
        "start": "2026-12-01",
        "end": "2026-12-31",
        "daily_hours": "8",
        "must_have_any": [Specialty.objects.get(code="audit").pk],
        "hazard": "",
        "needs_medical": "",
        "latitude": "",
        "longitude": "",
        "notes": "请到社区服务中心报到",
    }
    data.update(overrides)
    return data


# --- scoping ---------------------------------------------------------------------------------------


def test_demand_list_shows_manager_only_their_units_demands(client, people, demand1, demand2):
    client.force_login(people.manager1)
    response = client.get(reverse("deployments:demands"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [demand1]
    assert "车站路社区" in response.content.decode() and "桥口社区" not in response.content.decode()


def test_demand_detail_of_other_community_is_404(client, people, demand2):
    client.force_login(people.manager1)
    assert client.get(reverse("deployments:demand_detail", args=[demand2.public_id])).status_code == 404


def test_demand_detail_of_own_community_shows_post_type_default_skills(client, people, demand1):
    client.force_login(people.manager1)
    html = client.get(reverse("deployments:demand_detail", args=[demand1.public_id])).content.decode()
    assert "卡口值守" in html and "治安 / 安保" in html and "（岗位类型默认）" in html


def test_demands_visible_to_organization_department_is_every_demand(people, demand1, demand2):
    assert set(demands_visible_to(people.org_department)) == {demand1, demand2}


@pytest.mark.parametrize("persona", ["liaison1", "worker1", "cadre_user1"])
def test_demand_list_refuses_users_without_demand_access(client, people, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("deployments:demands")).status_code == 403
    assert not demands_visible_to(getattr(people, persona)).exists()


def test_receiving_units_are_the_managers_community_and_compound(tree, people):
    assert list(receiving_units_for(people.manager1)) == [tree.community1, tree.compound1]
    assert list(receiving_units_for(people.org_department)) == []


def test_navigation_shows_demands_to_unit_manager(client, people):
    client.force_login(people.manager1)
    html = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("deployments:demands")}"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_demand_list_query_count_is_independent_of_size(client, tree, people, count, django_assert_num_queries):
    for _index in range(count):
        demand = make_demand(tree.community1, "gate_duty", people.manager1)
        demand.must_have_any.set(Specialty.objects.filter(code__in=["security", "law"]))
        demand.nice_to_have.set(Specialty.objects.filter(code="driving"))
    client.force_login(people.manager1)
    with django_assert_num_queries(8):
        response = client.get(reverse("deployments:demands"))
    assert len(response.context["page"]) == count


def test_demand_list_htmx_returns_only_results_filtered(client, people, demand1, tree):
    other = make_demand(tree.compound1, "data_entry", people.manager1)
    client.force_login(people.manager1)
    response = client.get(reverse("deployments:demands"), {"post_type": "data_entry"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert list(response.context["page"]) == [other]
    assert html.lstrip().startswith('<div id="results">') and "<html" not in html


# --- create ----------------------------------------------------------------------------------------


def test_create_demand_through_the_page_stores_and_audits(client, tree, people):
    client.force_login(people.manager1)
    response = client.post(reverse("deployments:demand_new"), form_data(tree.community1, "quarantine_service"))
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deployments:demand_detail", args=[demand.public_id])
    assert (demand.unit, demand.unit_path, demand.headcount) == (tree.community1, tree.community1.path, 2)
    assert (demand.hazard, demand.needs_medical, demand.status) == (Hazard.HIGH, True, DemandStatus.OPEN)
    assert [s.code for s in demand.must_have_any.all()] == ["audit"]
    assert (demand.created_by, demand.latitude) == (people.manager1, None)
    assert AuditEvent.objects.filter(action="demand.created", target_id=str(demand.public_id)).count() == 1


def test_create_demand_with_end_before_start_shows_chinese_error_and_stores_nothing(client, tree, people):
    client.force_login(people.manager1)
    data = form_data(tree.community1, start="2026-12-31", end="2026-12-01")
    response = client.post(reverse("deployments:demand_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["结束日期不能早于开始日期"]}
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"headcount": "0"}, "headcount"), ({"daily_hours": "25"}, "daily_hours"), ({"hazard": "extreme"}, "hazard")],
)
def test_create_demand_refuses_out_of_range_values(client, tree, people, overrides, field):
    client.force_login(people.manager1)
    response = client.post(reverse("deployments:demand_new"), form_data(tree.community1, **overrides))
    assert list(response.context["form"].errors) == [field]
    assert not Demand.objects.exists()


def test_create_demand_for_unit_outside_scope_is_refused(client, tree, people):
    client.force_login(people.manager1)
    response = client.post(reverse("deployments:demand_new"), form_data(tree.community2))
    assert list(response.context["form"].errors) == ["unit"]
    assert not Demand.objects.exists()


def test_create_page_refuses_organization_department(client, people):
    client.force_login(people.org_department)
    assert client.get(reverse("deployments:demand_new")).status_code == 403


def test_form_help_text_explains_post_type_skill_fallback(client, people):
    client.force_login(people.manager1)
    html = client.get(reverse("deployments:demand_new")).content.decode()
    assert "留空则按所选岗位类型的默认专长匹配" in html


# --- edit and close --------------------------------------------------------------------------------


def test_edit_demand_through_the_page(client, tree, people, demand1):
    client.force_login(people.manager1)
    data = form_data(tree.compound1, "gate_duty", headcount="5", hazard="high", needs_medical="no")
    response = client.post(reverse("deployments:demand_edit", args=[demand1.public_id]), data)
    assert response.status_code == 302
    demand1.refresh_from_db()
    assert (demand1.unit, demand1.unit_path, demand1.headcount) == (tree.compound1, tree.compound1.path, 5)
    assert (demand1.hazard, demand1.needs_medical) == (Hazard.HIGH, False)
    event = AuditEvent.objects.get(action="demand.updated")
    assert "headcount" in event.fields["fields"]


def test_edit_demand_with_end_before_start_changes_nothing(client, tree, people, demand1):
    client.force_login(people.manager1)
    data = form_data(tree.community1, "gate_duty", headcount="9", start="2026-12-31", end="2026-12-01")
    response = client.post(reverse("deployments:demand_edit", args=[demand1.public_id]), data)
    assert "结束日期不能早于开始日期" in response.content.decode()
    demand1.refresh_from_db()
    assert (demand1.headcount, demand1.start, demand1.end) == (2, date(2026, 12, 1), date(2026, 12, 31))


def test_edit_demand_of_other_community_is_404(client, tree, people, demand2):
    client.force_login(people.manager1)
    response = client.post(reverse("deployments:demand_edit", args=[demand2.public_id]), form_data(tree.community1))
    assert response.status_code == 404
    demand2.refresh_from_db()
    assert demand2.unit == tree.community2


def test_edit_page_refuses_organization_department(client, people, demand1):
    client.force_login(people.org_department)
    assert client.get(reverse("deployments:demand_edit", args=[demand1.public_id])).status_code == 403


def test_update_demand_refuses_moving_it_out_of_scope(tree, people, demand1):
    with pytest.raises(PermissionDenied):
        update_demand(by=people.manager1, demand=demand1, unit=tree.community2)
    demand1.refresh_from_db()
    assert demand1.unit == tree.community1


def test_close_demand_then_editing_is_refused(client, tree, people, demand1):
    client.force_login(people.manager1)
    response = client.post(reverse("deployments:demand_close", args=[demand1.public_id]))
    assert response.status_code == 302
    demand1.refresh_from_db()
    assert demand1.status == DemandStatus.CLOSED
    assert AuditEvent.objects.filter(action="demand.closed").count() == 1

    response = client.post(reverse("deployments:demand_edit", args=[demand1.public_id]), form_data(tree.community1))
    assert "只有待匹配的需求可以修改" in response.content.decode()
    with pytest.raises(DemandError, match="只有待匹配的需求可以关闭"):
        from xiachen.deployments.demand_services import close_demand

        close_demand(by=people.manager1, demand=demand1)


def test_close_demand_of_other_community_is_404(client, people, demand2):
    client.force_login(people.manager1)
    assert client.post(reverse("deployments:demand_close", args=[demand2.public_id])).status_code == 404
    demand2.refresh_from_db()
    assert demand2.status == DemandStatus.OPEN
