from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.passes import services


@pytest.fixture
def pass1(people, resident1):
    now = timezone.now()
    return services.issue_pass(
        by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=7)
    )


@pytest.fixture
def policy1(tree, people):
    return services.publish_policy(
        by=people.manager1,
        community=tree.community1,
        effective_at=timezone.now() - timedelta(days=40),
        rules={"out_every_days": 2, "hours": ["00:00", "24:00"], "fever_threshold": 37.3},
        change_note="初版",
    )
