"""Quarantine episodes: extensions with history, daily visit tasks round-robin over on-duty staff,
overdue visits flagged to the manager, fever alerts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from xiachen.errands import quarantine
from xiachen.errands.models import VisitTask
from xiachen.notices.models import Notification

from ..factories import HouseholdFactory, ResidentFactory


@pytest.fixture
def today():
    return timezone.localdate()


def episode_for(people, tree, today, **kwargs):
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    return quarantine.open_episode(by=people.manager1, resident=resident, kind="home_quarantine", start=today,
                                   planned_end=today + timedelta(days=13), **kwargs)


def test_extension_keeps_history(people, tree, today):
    episode = episode_for(people, tree, today)
    quarantine.change_end(by=people.manager1, episode=episode, new_end=today + timedelta(days=20), reason="复查阳性")
    quarantine.change_end(by=people.worker1, episode=episode, new_end=today + timedelta(days=16), reason="复查阴性")
    assert list(episode.extensions.values_list("previous_end", "new_end", "reason")) == [
        (today + timedelta(days=13), today + timedelta(days=20), "复查阳性"),
        (today + timedelta(days=20), today + timedelta(days=16), "复查阴性"),
    ]


def test_extension_without_reason_changes_nothing(people, tree, today):
    episode = episode_for(people, tree, today)
    with pytest.raises(quarantine.QuarantineError, match="请填写原因"):
        quarantine.change_end(by=people.manager1, episode=episode, new_end=today + timedelta(days=20), reason=" ")
    episode.refresh_from_db()
    assert episode.planned_end == today + timedelta(days=13)


def test_second_active_episode_is_refused(people, tree, today):
    episode = episode_for(people, tree, today)
    with pytest.raises(quarantine.QuarantineError, match="已有进行中"):
        quarantine.open_episode(by=people.manager1, resident=episode.resident, kind="health_monitoring",
                                start=today, planned_end=today)


def test_visit_tasks_round_robin_and_idempotent(people, tree, today, duty):
    for _ in range(6):
        episode_for(people, tree, today)
    assert quarantine.generate_visit_tasks(day=today) == 6
    assert quarantine.generate_visit_tasks(day=today) == 0
    counts = {}
    for task in VisitTask.objects.filter(day=today):
        counts[task.assignee] = counts.get(task.assignee, 0) + 1
    assert counts == {duty.cadre1: 2, duty.cadre2: 2, duty.worker1: 2}


def test_overdue_visits_flagged_to_the_manager(people, tree, today, duty):
    episode = episode_for(people, tree, today)
    VisitTask.objects.create(episode=episode, day=today - timedelta(days=1), assignee=duty.cadre1)
    assert [t.episode for t in quarantine.overdue_visits(people.manager1)] == [episode]
    assert list(quarantine.overdue_visits(people.manager2)) == []
    assert quarantine.flag_overdue_visits(today=today) == 1
    assert Notification.objects.filter(recipient=people.manager1, kind="visit.overdue").count() == 1


def test_fever_alerts_the_manager(people, tree, today):
    episode = episode_for(people, tree, today)
    quarantine.report_health(by=people.worker1, episode=episode, temperature=Decimal("38.2"), by_resident=False)
    assert Notification.objects.filter(recipient=people.manager1, kind="episode.fever").count() == 1
