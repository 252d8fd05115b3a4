"""Matching runs that fail or lose their worker (issue #16 item 16), in process: the lease, its
reclaim, fencing of a late result, the previous plan surviving a failed re-run. The same with a real
worker process killed mid-run is in tests/ops/test_worker_faults.py."""

import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.deployments import services
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.services import start_matching
from xiachen.ops import leases
from xiachen.ops.leases import this_holder
from xiachen.ops.models import TaskLease
from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import Roster


def _run(round_, by, capture, incremental=False):
    with capture(execute=True):
        start_matching(by=by, round_=round_, incremental=incremental)
    round_.refresh_from_db()
    return round_


def _queue(round_, by, capture, incremental=False):
    """Start a run but keep its task in the queue; returns the enqueue callback."""
    with capture() as callbacks:
        start_matching(by=by, round_=round_, incremental=incremental)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.MATCHING
    return callbacks[0]


def _worker_died(lease: TaskLease, *, holder: str = "another-host:4242", seconds_ago: float = 3600) -> None:
    stamp = timezone.now() - timedelta(seconds=seconds_ago)
    TaskLease.objects.filter(pk=lease.pk).update(state=TaskLease.RUNNING, holder=holder, heartbeat_at=stamp)


def test_a_full_rerun_keeps_the_previous_plan_until_the_new_one_is_stored(
    draft_round, people, django_capture_on_commit_callbacks
):
    by = people.org_department
    round_ = _run(draft_round, by, django_capture_on_commit_callbacks)
    before = set(round_.matches.values_list("pk", flat=True))
    assert before
    enqueue = _queue(round_, by, django_capture_on_commit_callbacks)
    assert set(round_.matches.values_list("pk", flat=True)) == before  # used to be deleted here
    enqueue()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.REVIEW
    assert round_.matches.count() == len(before) and not set(round_.matches.values_list("pk", flat=True)) & before
    assert not TaskLease.objects.exists()


def test_a_failing_run_hands_the_round_back_with_its_previous_plan(
    draft_round, people, django_capture_on_commit_callbacks, monkeypatch
):
    by = people.org_department
    round_ = _run(draft_round, by, django_capture_on_commit_callbacks)
    plan = set(round_.matches.values_list("pk", "status"))

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services.solver, "solve", broken)
    round_ = _run(round_, by, django_capture_on_commit_callbacks)
    assert round_.status == RoundStatus.REVIEW
    assert round_.run_error == "匹配未完成（后台任务出错），原方案保留，可以重新运行匹配。"
    assert set(round_.matches.values_list("pk", "status")) == plan
    assert AuditEvent.objects.filter(action="round.matching_interrupted").exists()
    assert not TaskLease.objects.exists()
    monkeypatch.undo()
    round_ = _run(round_, by, django_capture_on_commit_callbacks)  # the button works again
    assert round_.status == RoundStatus.REVIEW and round_.run_error == ""


def test_a_run_whose_worker_went_silent_is_reclaimed_and_can_run_again(
    client, draft_round, people, django_capture_on_commit_callbacks
):
    by = people.org_department
    _queue(draft_round, by, django_capture_on_commit_callbacks)
    lease = TaskLease.objects.get()
    _worker_died(lease, seconds_ago=leases.lease_seconds() - 5)
    assert leases.reclaim_stale() == []  # still within its lease
    _worker_died(lease, seconds_ago=leases.lease_seconds() + 5)
    client.force_login(by)
    progress = client.get(reverse("deployments:round_progress", args=[draft_round.public_id]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"  # the poller reloads the page: the round is usable again
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT
    assert draft_round.run_error == "匹配未完成（后台处理进程停止响应），可以重新运行匹配。"
    page = client.get(reverse("deployments:round_detail", args=[draft_round.public_id])).content.decode()
    assert draft_round.run_error in page and 'id="run-matching"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deployments:round_run", args=[draft_round.public_id]))
    assert response.status_code == 302
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.REVIEW and draft_round.matches.exists()


def test_a_run_whose_process_is_gone_from_this_host_is_reclaimed_at_once(
    draft_round, people, django_capture_on_commit_callbacks
):
    _queue(draft_round, people.org_department, django_capture_on_commit_callbacks)
    gone = subprocess.Popen(["true"])
    gone.wait()
    host = this_holder().rpartition(":")[0]
    _worker_died(TaskLease.objects.get(), holder=f"{host}:{gone.pid}", seconds_ago=0)
    assert leases.reclaim_stale() == [f"deployments.round:{draft_round.pk}"]
    draft_round.refresh_from_db()
    assert draft_round.run_error == "匹配未完成（后台处理进程已停止），可以重新运行匹配。"


def test_a_task_never_started_is_reclaimed_after_the_queue_patience(
    draft_round, people, django_capture_on_commit_callbacks
):
    _queue(draft_round, people.org_department, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(seconds=leases.queue_seconds() + 1)
    assert leases.reclaim_stale(now=timezone.now()) == []
    assert leases.reclaim_stale(now=later) == [f"deployments.round:{draft_round.pk}"]
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT
    assert "后台任务长时间没有开始" in draft_round.run_error


def test_a_late_result_after_a_reclaim_is_dropped(draft_round, people, django_capture_on_commit_callbacks):
    """Fencing: the reclaimed task, if it was only slow, must not overwrite what came after."""
    by = people.org_department
    stale_enqueue = _queue(draft_round, by, django_capture_on_commit_callbacks)
    stale_token = TaskLease.objects.get().token
    _worker_died(TaskLease.objects.get())
    leases.reclaim_stale()
    stale_enqueue()  # the old task starts after all: its lease is gone, it does nothing
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT and not draft_round.matches.exists()
    _queue(draft_round, by, django_capture_on_commit_callbacks)  # a new run holds a new lease
    with pytest.raises(leases.LeaseLost):
        services.run_matching(round_id=draft_round.pk, user_id=by.pk, lease=str(stale_token), incremental=False)
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.MATCHING and not draft_round.matches.exists()


def test_a_roster_whose_generation_died_returns_to_draft_with_its_cells(draft_round, tree, people):
    """The reclaim hook of rosters (xiachen/rosters/tasks.py): "generating 19 %" no longer for ever."""
    from xiachen.rosters.tasks import generation_lost  # noqa: F401 — registers the hook

    demand = draft_round.demands.first()
    roster = Roster.objects.create(
        post=demand, round=draft_round, unit_path=demand.unit_path, status=RosterStatus.GENERATING,
        start=date(2026, 12, 1), end=date(2026, 12, 7), progress=19, created_by=people.org_department,
    )
    leases.grant(roster)
    _worker_died(TaskLease.objects.get())
    assert leases.reclaim_stale() == [f"rosters.roster:{roster.pk}"]
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT
    assert roster.result == {"status": "INTERRUPTED",
                             "reasons": ["排班未完成（后台处理进程停止响应），原排班保留，可以重新生成。"]}


def test_the_reclaim_job_is_scheduled_every_minute():
    from xiachen.ops.schedule import JOBS, MINUTE

    assert any(job.command == "reclaim_tasks" and job.every == MINUTE for job in JOBS)


def test_declined_matches_stay_out_of_a_full_rerun(draft_round, people, django_capture_on_commit_callbacks):
    by = people.org_department
    round_ = _run(draft_round, by, django_capture_on_commit_callbacks)
    match = round_.matches.first()
    services.decide_nomination(by=people.liaison1 if match.cadre.agency.code == "A-AUDIT" else people.liaison2,
                               match=match, confirm=False, reason="另有任务")
    round_ = _run(round_, by, django_capture_on_commit_callbacks)
    assert round_.matches.filter(pk=match.pk, status=MatchStatus.DECLINED).exists()
    assert not round_.matches.filter(cadre=match.cadre).exclude(pk=match.pk).exists()
