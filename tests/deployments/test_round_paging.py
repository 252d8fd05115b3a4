"""The round page in pieces (issue #14 item 6): the scope picker filters, pages and selects all
matching demands across pages; the plan is keyset-paged."""

import re

from django.urls import reverse

from xiachen.deployments.models import Match

from ..factories import CadreFactory
from .conftest import make_demand


def _many_demands(tree, people, count=60):
    return [make_demand(tree.community1, "gate_duty", people.org_department) for _ in range(count)]


def test_scope_picker_pages_and_filters_candidates(client, people, tree, draft_round):
    _many_demands(tree, people)
    client.force_login(people.org_department)
    url = reverse("deployments:round_detail", args=[draft_round.public_id])
    response = client.get(url)
    assert len(response.context["open_demands"]) == 50
    assert response.context["scope_matching"] == 62
    assert "scope_after=" in response.content.decode()
    filtered = client.get(url, {"scope_post_type": "finance_audit_support"})
    assert [d.pk for d, *_shown in filtered.context["open_demands"]] == [draft_round.demands.get(
        post_type__code="finance_audit_support").pk]
    assert filtered.context["open_demands"][0][1] is True  # already in the round: checked


def test_select_all_matching_takes_every_page_and_none_removes_them(client, people, tree, draft_round):
    extra = _many_demands(tree, people)
    client.force_login(people.org_department)
    url = reverse("deployments:round_scope", args=[draft_round.public_id])
    quota = {f"quota-{tree.agency1.public_id}": "2"}
    response = client.post(url, {"select": "all", "scope_post_type": "gate_duty", **quota})
    assert response.status_code == 302 and response["Location"].endswith("?scope_post_type=gate_duty")
    assert draft_round.demands.count() == 62
    assert set(extra) <= set(draft_round.demands.all())
    client.post(url, {"select": "none", "scope_post_type": "gate_duty", **quota})
    assert sorted(d.post_type.code for d in draft_round.demands.all()) == ["finance_audit_support",
                                                                          "quarantine_service"]
    assert list(draft_round.agencies.values_list("agency_id", "quota")) == [(tree.agency1.pk, 2)]


def test_saving_one_page_keeps_the_choices_on_other_pages(client, people, tree, draft_round):
    finance, quarantine = draft_round.demands.order_by("unit_path")
    client.force_login(people.org_department)
    client.post(reverse("deployments:round_scope", args=[draft_round.public_id]),
                {"shown": [str(finance.public_id)], f"quota-{tree.agency1.public_id}": "1"})
    assert list(draft_round.demands.all()) == [quarantine]


def test_plan_is_keyset_paged_without_repeats(client, people, tree, draft_round):
    demand = draft_round.demands.first()
    cadres = [CadreFactory(agency=tree.agency1) for _ in range(55)]
    Match.objects.bulk_create(
        Match(round=draft_round, demand=demand, cadre=cadre, agency_path=tree.agency1.path, total=index % 7)
        for index, cadre in enumerate(cadres)
    )
    draft_round.status = "review"
    draft_round.save(update_fields=["status"])
    client.force_login(people.org_department)
    url = reverse("deployments:round_detail", args=[draft_round.public_id])
    first = client.get(url)
    shown = [m.pk for m in first.context["plan"]]
    assert len(shown) == 50
    cursor = re.search(r'href="\?after=([\w-]+)"', first.content.decode()).group(1)
    second = [m.pk for m in client.get(url, {"after": cursor}).context["plan"]]
    assert len(second) == 5 and not set(shown) & set(second)
    totals = [m.total for m in Match.objects.filter(pk__in=shown + second).order_by("-total", "id")]
    assert totals[0] == 6
