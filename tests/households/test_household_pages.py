import pytest
from django.urls import reverse

from xiachen.audit.models import AuditEvent

from ..factories import HouseholdFactory, ResidentFactory


def test_household_detail_masks_id_numbers(client, people, resident1):
    client.force_login(people.manager1)
    page = client.get(reverse("households:detail", args=[resident1.household.public_id])).content.decode()
    assert resident1.masked_id_number in page
    assert resident1.id_number not in page


def test_reveal_returns_the_full_value_and_is_audited(client, people, resident1):
    client.force_login(people.manager1)
    response = client.post(reverse("households:reveal", args=[resident1.public_id, "id_number"]))
    assert response.content.decode().strip().endswith(f'<span class="revealed">{resident1.id_number}</span>')
    event = AuditEvent.objects.get(action="resident.personal_revealed")
    assert (event.actor_label, event.target_id, event.fields) == (
        "manager1",
        str(resident1.public_id),
        {"field": "id_number"},
    )
    assert resident1.id_number not in str(event.fields)


def test_reveal_is_refused_and_not_audited_for_the_organization_department(client, people, resident1):
    client.force_login(people.org_department)
    response = client.post(reverse("households:reveal", args=[resident1.public_id, "id_number"]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="resident.personal_revealed").exists()


def test_unknown_field_cannot_be_revealed(client, people, resident1):
    client.force_login(people.manager1)
    assert client.post(reverse("households:reveal", args=[resident1.public_id, "name"])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_household_list_query_count_is_independent_of_size(client, people, tree, count, django_assert_num_queries):
    for _ in range(count - 1):
        ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    client.force_login(people.manager1)
    with django_assert_num_queries(8):  # a keyset page: its keys, then its rows
        response = client.get(reverse("households:list"))
    assert len(response.context["page"].object_list) == count


def test_household_list_filters_by_vulnerability(client, people, tree):
    flagged = ResidentFactory(household=HouseholdFactory(compound=tree.compound1), vulnerabilities=["elderly_alone"])
    client.force_login(people.manager1)
    response = client.get(reverse("households:list"), {"vulnerability": "elderly_alone"})
    assert [h.pk for h in response.context["page"].object_list] == [flagged.household.pk]


def test_household_list_htmx_returns_only_the_results_partial(client, people):
    client.force_login(people.manager1)
    response = client.get(reverse("households:list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


def test_household_list_filters_by_compound_and_ignores_a_malformed_id(client, people, tree, resident1):
    client.force_login(people.org_department)
    by_compound = client.get(reverse("households:list"), {"compound": str(tree.compound1.public_id)})
    assert [h.pk for h in by_compound.context["page"].object_list] == [resident1.household.pk]
    malformed = client.get(reverse("households:list"), {"compound": "not-a-uuid"})
    assert malformed.status_code == 200
    assert list(malformed.context["page"].object_list) == []
