"""Episodes have a default length per kind, become due after their planned end, are ended on the
manager's confirmation or automatically after the grace period, and are purged after (issue 16, item 9)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.errands import quarantine
from xiachen.errands.retention import purge_expired

from ..factories import HouseholdFactory, ResidentFactory


def _resident(tree):
    return ResidentFactory(household=HouseholdFactory(compound=tree.compound1))


def _episode(people, tree, *, planned_end_days_ago: int, kind="home_quarantine"):
    today = timezone.localdate()
    return quarantine.open_episode(by=people.manager1, resident=_resident(tree), kind=kind,
                                   start=today - timedelta(days=20),
                                   planned_end=today - timedelta(days=planned_end_days_ago))


def test_without_a_planned_end_the_communitys_default_length_applies(people, tree):
    today = timezone.localdate()
    first = quarantine.open_episode(by=people.manager1, resident=_resident(tree), kind="home_quarantine", start=today)
    assert first.planned_end == today + timedelta(days=13)  # 14 days, the start day counted
    quarantine.set_default_length(by=people.manager1, community=tree.community1, kind="health_monitoring", days=7)
    second = quarantine.open_episode(by=people.manager1, resident=_resident(tree), kind="health_monitoring",
                                     start=today)
    assert second.planned_end == today + timedelta(days=6)
    with pytest.raises(PermissionDenied):
        quarantine.set_default_length(by=people.worker1, community=tree.community1, kind="home_quarantine", days=7)
    with pytest.raises(quarantine.QuarantineError, match="默认天数"):
        quarantine.set_default_length(by=people.manager1, community=tree.community1, kind="home_quarantine", days=0)


def test_a_due_episode_waits_for_the_managers_confirmation(client, people, tree):
    due = _episode(people, tree, planned_end_days_ago=1)
    running = _episode(people, tree, planned_end_days_ago=-3)
    assert list(quarantine.episodes_due(people.manager1)) == [due]
    assert list(quarantine.episodes_due(people.manager2)) == []
    client.force_login(people.manager1)
    home = client.get("/").content.decode()
    assert "到期待确认结束的隔离 / 监测" in home
    assert quarantine.confirm_ends(by=people.manager2, public_ids=[due.public_id]) == 0  # not theirs
    response = client.post("/errands/episodes/due/", {"episode": [str(due.public_id), str(running.public_id)]})
    assert response.status_code == 302
    due.refresh_from_db()
    running.refresh_from_db()
    assert (due.status, due.ended_automatically) == ("ended", False) and due.ended_at is not None
    assert running.status == "active"  # not due: left alone


def test_the_daily_job_ends_episodes_after_the_grace_period(people, tree):
    within_grace = _episode(people, tree, planned_end_days_ago=quarantine.AUTO_END_GRACE_DAYS)
    past_grace = _episode(people, tree, planned_end_days_ago=quarantine.AUTO_END_GRACE_DAYS + 1)
    call_command("errand_jobs", "--skip-overdue")
    within_grace.refresh_from_db()
    past_grace.refresh_from_db()
    assert within_grace.status == "active"
    assert (past_grace.status, past_grace.ended_automatically) == ("ended", True)
    assert AuditEvent.objects.filter(action="episode.ended_automatically").count() == 1


def test_an_episode_ended_automatically_is_purged_after_the_retention(people, tree):
    episode = _episode(people, tree, planned_end_days_ago=10)
    assert quarantine.end_overdue_episodes(today=timezone.localdate()) == 1
    episode.refresh_from_db()
    ended_on = timezone.localdate(episode.ended_at)
    assert purge_expired(today=ended_on + timedelta(days=180)).episodes == 0
    assert purge_expired(today=ended_on + timedelta(days=181)).episodes == 1


def test_an_episode_ended_early_is_purged_from_its_end_not_its_planned_end(people, tree):
    episode = _episode(people, tree, planned_end_days_ago=-30)  # planned to end in a month
    quarantine.end_episode(by=people.manager1, episode=episode)
    assert purge_expired(today=timezone.localdate() + timedelta(days=181)).episodes == 1


def test_the_lengths_page_saves_both_kinds(client, people, tree):
    client.force_login(people.manager1)
    page = client.get("/errands/episodes/lengths/")
    assert "居家隔离默认天数" in page.content.decode()
    response = client.post("/errands/episodes/lengths/", {
        "community": str(tree.community1.public_id), "home_quarantine": 10, "health_monitoring": 5,
    })
    assert response.status_code == 302
    assert quarantine.default_lengths(tree.community1) == {"home_quarantine": 10, "health_monitoring": 5}
