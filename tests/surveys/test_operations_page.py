"""The manager's operations page (errands:operations) — lives here because it shows survey
response rates; query counts at 1 and 3 items of every list on it."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.errands import quarantine
from xiachen.errands.models import Errand

from ..factories import HouseholdFactory, ResidentFactory
from .test_surveys import build


@pytest.mark.parametrize("count", [1, 3])
def test_operations_page_query_count(client, people, tree, count, django_assert_num_queries):
    today = timezone.localdate()
    for n in range(count):
        household = HouseholdFactory(compound=tree.compound1, building=str(n + 1))
        quarantine.open_episode(by=people.manager1, resident=ResidentFactory(household=household),
                                kind="home_quarantine", start=today, planned_end=today + timedelta(days=13))
        Errand.objects.create(household=household, kind="meal", details="午餐", requested_by=people.manager1,
                              submission_key=uuid.uuid4())
        build(people, tree, title=f"问卷{n}")
    client.force_login(people.manager1)
    with django_assert_num_queries(11):
        response = client.get(reverse("errands:operations"))
    assert len(response.context["households"]) == count
    assert len(response.context["surveys"]) == count
    assert {s["status"]: s["count"] for s in response.context["errand_states"]}["requested"] == count
    body = response.content.decode()
    assert 'id="fever-list"' in body  # passes has landed its FeverAlert model
    rates = re.search(r'<ul id="survey-rates">(.*?)</ul>', body, re.S).group(1)
    assert all(f"问卷{n}</a>：0 / " in rates for n in range(count))  # each survey with its response rate


def test_operations_page_is_for_managers_only(client, people):
    client.force_login(people.worker1)
    assert client.get(reverse("errands:operations")).status_code == 403
