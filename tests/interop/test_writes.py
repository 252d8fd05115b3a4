"""The write operations integrations need, through tokens of the roles that hold them: demands, errands,
households and residents, notices. Each answers 201 with masked personal data and is audited."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.core.masking import mask_id_number
from xiachen.deployments.models import Demand
from xiachen.errands.models import Errand
from xiachen.households.models import Household, Resident
from xiachen.notices.models import CommunityNotice

from ..factories import next_id_number
from .conftest import bearer, make_token


def _post(client, raw, url, body, key=None):
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
                       **bearer(raw))


@pytest.fixture
def manager_token(people, tree):
    """A community manager's token over community1 with every write scope."""
    return make_token(people, [tree.community1], role="unit_manager",
                      scopes=["read", "households", "errands", "demands", "notices"])[1]


def test_household_and_resident_are_created_with_masked_answers(client, tree, manager_token):
    household = _post(client, manager_token, "/api/households/",
                      {"compound": str(tree.compound1.public_id), "building": "3", "room": "301"})
    assert household.status_code == 201, household.content
    number = next_id_number()
    resident = _post(client, manager_token, f"/api/households/{household.json()['public_id']}/residents",
                     {"name": "李华", "relation": "head", "id_number": number, "phone": "13800001111"})
    assert resident.status_code == 201, resident.content
    assert resident.json()["id_number"] == mask_id_number(number) != number
    assert resident.json()["phone"] == "138****1111"
    stored = Resident.objects.get(public_id=resident.json()["public_id"])
    assert (stored.id_number, stored.birth_date.isoformat()) == (number, "1985-06-15")
    assert AuditEvent.objects.filter(action="resident.created", target_id=str(stored.public_id)).exists()


def test_a_bad_id_number_is_a_400_in_chinese_and_stores_nothing(client, tree, manager_token):
    household = Household.objects.create(compound=tree.compound1, building="5", room="501")
    good = next_id_number()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    response = _post(client, manager_token, f"/api/households/{household.public_id}/residents",
                     {"name": "李华", "relation": "head", "id_number": bad})
    assert response.status_code in (400,) and "校验位" in response.json()["detail"]
    assert not household.residents.exists()


def test_another_communitys_compound_is_not_found(client, tree, manager_token):
    response = _post(client, manager_token, "/api/households/",
                     {"compound": str(tree.compound2.public_id), "building": "3", "room": "301"})
    assert response.status_code == 404
    assert not Household.objects.filter(compound=tree.compound2, building="3").exists()


def test_errand_for_a_household_is_requested_once_per_key(client, resident1, manager_token):
    body = {"household": str(resident1.household.public_id), "kind": "medicine", "details": "降压药两盒"}
    first = _post(client, manager_token, "/api/errands/", body, key="e-1")
    again = _post(client, manager_token, "/api/errands/", body, key="e-1")
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert first.json()["status"] == "requested"
    assert Errand.objects.count() == 1
    got = client.get(f"/api/errands/{first.json()['public_id']}", **bearer(manager_token))
    assert got.status_code == 200 and got.json()["kind"] == "medicine"


def test_demand_is_posted_for_the_managers_unit(client, tree, manager_token):
    start = timezone.localdate() + timedelta(days=7)
    body = {"unit": str(tree.community1.public_id), "post_type": "gate_duty", "headcount": 2,
            "start": start.isoformat(), "end": (start + timedelta(days=13)).isoformat()}
    response = _post(client, manager_token, "/api/demands/", body)
    assert response.status_code == 201, response.content
    demand = Demand.objects.get(public_id=response.json()["public_id"])
    assert (demand.unit, demand.headcount, demand.status) == (tree.community1, 2, "open")
    reversed_period = body | {"end": (start - timedelta(days=1)).isoformat()}
    assert _post(client, manager_token, "/api/demands/", reversed_period).status_code == 400


def test_notice_reaches_the_compounds_residents(client, tree, resident1, manager_token):
    body = {"title": "停水通知", "body": "明日9时至12时停水。", "compounds": [str(tree.compound1.public_id)]}
    response = _post(client, manager_token, "/api/notices/", body)
    assert response.status_code == 201, response.content
    notice = CommunityNotice.objects.get(public_id=response.json()["public_id"])
    assert notice.receipts.filter(resident=resident1).exists()


# Token profile → operation → expected status: the permission matrix of the write operations by token.
PROFILES = {
    "manager_all": ("unit_manager", ["read", "households", "errands", "demands", "notices", "hotline"]),
    "manager_read": ("unit_manager", ["read"]),
    "worker_all": ("community_worker", ["read", "households", "errands", "demands", "notices", "hotline"]),
    "operator_all": ("hotline_operator", ["read", "households", "errands", "demands", "notices", "hotline"]),
    "liaison_all": ("agency_liaison", ["read", "households", "errands", "demands", "notices", "hotline"]),
}
EXPECTED = {  # 404: the unit or household is outside what the role may see; 403: seen, but not this write
    "household": {"manager_all": 201, "manager_read": 403, "worker_all": 403, "operator_all": 403, "liaison_all": 404},
    "errand": {"manager_all": 201, "manager_read": 403, "worker_all": 201, "operator_all": 404, "liaison_all": 404},
    "demand": {"manager_all": 201, "manager_read": 403, "worker_all": 403, "operator_all": 403, "liaison_all": 404},
    "notice": {"manager_all": 201, "manager_read": 403, "worker_all": 403, "operator_all": 403, "liaison_all": 404},
    "ticket": {"manager_all": 403, "manager_read": 403, "worker_all": 403, "operator_all": 201, "liaison_all": 404},
}


def _operation(name, tree, resident1):
    start = timezone.localdate() + timedelta(days=7)
    return {
        "household": ("/api/households/", {"compound": str(tree.compound1.public_id), "building": "9", "room": "9"}),
        "errand": ("/api/errands/", {"household": str(resident1.household.public_id), "kind": "meal",
                                     "details": "午饭"}),
        "demand": ("/api/demands/", {"unit": str(tree.community1.public_id), "post_type": "gate_duty", "headcount": 1,
                                    "start": start.isoformat(), "end": start.isoformat()}),
        "notice": ("/api/notices/", {"title": "通知", "body": "正文", "compounds": [str(tree.compound1.public_id)]}),
        "ticket": ("/api/hotline/tickets", {"caller_name": "王小明", "caller_phone": "13912345678",
                                            "category": "general", "description": "路灯坏了",
                                            "place": str(tree.compound1.public_id)}),
    }[name]


def test_write_operations_by_token_profile(client, people, tree, resident1):
    from xiachen.hotline.vocabulary import load_defaults

    load_defaults()
    units = {"operator_all": [tree.district1], "liaison_all": [tree.agency1]}
    actual = {}
    for profile, (role, scopes) in PROFILES.items():
        raw = make_token(people, units.get(profile, [tree.community1]), role=role, scopes=scopes)[1]
        for name in EXPECTED:
            url, body = _operation(name, tree, resident1)
            actual.setdefault(name, {})[profile] = _post(client, raw, url, body).status_code
    assert actual == EXPECTED
