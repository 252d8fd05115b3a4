"""Retention purge of health and service records (docs/security.md), with a simulated clock: health data
goes 180 days after the episode's end, service and support texts 365 days after completion; the
aggregates stay, the person does not; every purge is audited with counts only."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.errands import quarantine
from xiachen.errands.enums import ErrandStatus
from xiachen.errands.models import EpisodeExtension, Errand, HealthReport, QuarantineEpisode, ReturnReport
from xiachen.errands.retention import purge_expired

from ..factories import HouseholdFactory, ResidentFactory


def _ended_episode(people, tree, *, start, days=14, temperatures=(Decimal("36.6"), Decimal("38.1"))):
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    episode = quarantine.open_episode(
        by=people.manager1, resident=resident, kind="home_quarantine", start=start,
        planned_end=start + timedelta(days=days - 1), reason="密接",
    )
    quarantine.change_end(by=people.manager1, episode=episode, new_end=start + timedelta(days=days), reason="复查")
    for offset, temperature in enumerate(temperatures):
        quarantine.report_health(
            by=people.manager1, episode=episode, temperature=temperature, symptoms="咳嗽", by_resident=False,
            day=start + timedelta(days=offset),
        )
    quarantine.end_episode(by=people.manager1, episode=episode)
    return episode


def test_an_episode_is_purged_the_day_after_its_end_plus_180_days_keeping_aggregates(people, tree):
    today = timezone.localdate()
    episode = _ended_episode(people, tree, start=today - timedelta(days=14))
    end = episode.planned_end
    assert purge_expired(today=end + timedelta(days=180)).episodes == 0  # the 180th day: still kept
    counts = purge_expired(today=end + timedelta(days=181))
    assert (counts.episodes, counts.health_reports) == (1, 2)
    episode.refresh_from_db()
    assert (episode.resident, episode.household, episode.reason) == (None, None, "")
    assert (episode.report_count, episode.fever_report_count, episode.kind) == (2, 1, "home_quarantine")
    assert episode.compound_path == tree.compound1.path and episode.purged_at is not None
    assert not HealthReport.objects.filter(episode=episode).exists()
    assert list(EpisodeExtension.objects.filter(episode=episode).values_list("reason", flat=True)) == [""]
    event = AuditEvent.objects.get(action="health_records.purged")
    assert event.fields["episodes"] == 1 and "咳嗽" not in str(event.fields)
    assert purge_expired(today=end + timedelta(days=400)).episodes == 0  # idempotent
    assert not quarantine.episodes_visible_to(people.manager1).filter(pk=episode.pk).exists()


def test_an_active_episode_is_never_purged(people, tree):
    today = timezone.localdate()
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    episode = quarantine.open_episode(
        by=people.manager1, resident=resident, kind="home_quarantine", start=today, planned_end=today
    )
    assert purge_expired(today=today + timedelta(days=1000)).episodes == 0
    episode.refresh_from_db()
    assert episode.resident == resident


def test_return_reports_lose_the_person_and_origin_after_180_days(people, tree, resident1):
    today = timezone.localdate()
    report, _created = quarantine.report_return(
        by=people.resident_user1, resident=people.resident_user1.resident, origin="广州", arrived_on=today,
        travel_mode="train", travel_detail="G1234", submission_key=uuid.uuid4(),
    )
    assert purge_expired(today=today + timedelta(days=180)).return_reports == 0
    assert purge_expired(today=today + timedelta(days=181)).return_reports == 1
    report.refresh_from_db()
    assert (report.resident, report.origin, report.travel_detail, report.arrived_on) == (None, "", "", today)


def test_finished_errands_lose_their_texts_after_365_days_open_ones_never(people, tree):
    household = HouseholdFactory(compound=tree.compound1)
    common = {"household": household, "kind": "medicine", "details": "降压药两盒", "prescription_note": "氨氯地平",
              "requested_by": people.worker1}
    done = Errand.objects.create(
        status=ErrandStatus.CONFIRMED, finished_at=timezone.now(), submission_key=uuid.uuid4(), **common
    )
    still_open = Errand.objects.create(status=ErrandStatus.REQUESTED, submission_key=uuid.uuid4(), **common)
    today = timezone.localdate()
    assert purge_expired(today=today + timedelta(days=365)).errands == 0
    assert purge_expired(today=today + timedelta(days=366)).errands == 1
    done.refresh_from_db()
    still_open.refresh_from_db()
    assert (done.details, done.prescription_note, done.status) == ("", "", ErrandStatus.CONFIRMED)
    assert still_open.details == "降压药两盒"


def test_the_command_purges_as_of_the_given_day(people, tree, capsys):
    today = timezone.localdate()
    episode = _ended_episode(people, tree, start=today - timedelta(days=20))
    ended_on = timezone.localdate(episode.ended_at)  # after the planned end: the retention counts from here
    call_command("purge_health_records", "--today", (episode.planned_end + timedelta(days=181)).isoformat())
    assert "episodes 0" in capsys.readouterr().out
    call_command("purge_health_records", "--today", (ended_on + timedelta(days=181)).isoformat())
    assert "episodes 1 (health reports deleted 2)" in capsys.readouterr().out
    assert QuarantineEpisode.objects.get(pk=episode.pk).resident is None
    assert ReturnReport.objects.count() == 0
