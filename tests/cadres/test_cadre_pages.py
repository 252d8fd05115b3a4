import pytest
from django.urls import reverse

from xiachen.audit.models import AuditEvent

from ..factories import CadreFactory


@pytest.mark.parametrize("count", [1, 3])
def test_cadre_list_query_count_is_independent_of_size(client, people, tree, count, django_assert_num_queries):
    for _ in range(count - 1):
        CadreFactory(agency=tree.agency1, specialties=["audit", "finance"])
    client.force_login(people.liaison1)
    with django_assert_num_queries(8):
        response = client.get(reverse("cadres:list"))
    assert len(response.context["page"].object_list) == count


def test_liaison_sees_only_own_agency(client, people, tree):
    CadreFactory(agency=tree.agency2, name="卫健干部")
    client.force_login(people.liaison1)
    names = [c.name for c in client.get(reverse("cadres:list")).context["page"].object_list]
    assert "卫健干部" not in names
    assert len(names) == 1


def test_cadre_filters_by_specialty(client, people, tree):
    CadreFactory(agency=tree.agency1, name="律师干部", specialties=["law"])
    client.force_login(people.org_department)
    response = client.get(reverse("cadres:list"), {"specialty": "law"})
    assert [c.name for c in response.context["page"].object_list] == ["律师干部"]


def test_cadre_reveal_audited_for_liaison(client, people, cadre1):
    client.force_login(people.liaison1)
    response = client.post(reverse("cadres:reveal", args=[cadre1.public_id, "phone"]))
    assert cadre1.phone in response.content.decode()
    assert AuditEvent.objects.filter(action="cadre.personal_revealed", actor_label="liaison1").count() == 1


def test_cadre_sees_own_profile_masked(client, people, cadre1):
    client.force_login(people.cadre_user1)
    page = client.get(reverse("cadres:detail", args=[cadre1.public_id])).content.decode()
    assert cadre1.masked_phone in page
    assert "hx-post" not in page
