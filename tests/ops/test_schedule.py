"""The scheduled-jobs runner: which jobs are due, one failing job never stops the others, exit status."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command, get_commands
from django.db import connection

from xiachen.audit.services import record
from xiachen.ops.models import JobState
from xiachen.ops.schedule import DAY, JOBS, MINUTE, RETRY_AFTER, Job, is_due, run_due_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)
EVERY_FIVE = Job("deliver_outbox", 5 * MINUTE)
NIGHTLY = Job("verify_audit_chain", DAY, at_hour=2)


def state(started: datetime | None, status: str = "ok") -> JobState:
    return JobState(job="x", last_started_at=started, last_status=status)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_a_job_that_never_ran_is_due():
    assert is_due(EVERY_FIVE, state(None), NOW)


def test_an_interval_job_is_due_once_its_interval_has_passed():
    assert not is_due(EVERY_FIVE, state(NOW - timedelta(minutes=4, seconds=59)), NOW)
    assert is_due(EVERY_FIVE, state(NOW - timedelta(minutes=5)), NOW)


def test_a_nightly_job_runs_once_a_local_day_from_its_hour():
    assert not is_due(NIGHTLY, state(None), local(10, 1, 59))
    assert is_due(NIGHTLY, state(None), local(10, 2))
    assert not is_due(NIGHTLY, state(local(10, 2)), local(10, 23, 59))
    assert not is_due(NIGHTLY, state(local(10, 2)), local(11, 1))
    assert is_due(NIGHTLY, state(local(10, 2)), local(11, 2, 1))


def test_a_failed_job_is_retried_after_the_retry_delay_not_a_day():
    failed_at = local(10, 2)
    assert not is_due(NIGHTLY, state(failed_at, "failed"), failed_at + RETRY_AFTER - timedelta(seconds=1))
    assert is_due(NIGHTLY, state(failed_at, "failed"), failed_at + RETRY_AFTER)


def test_every_scheduled_job_names_an_installed_command_except_the_optional_rollups():
    missing = {job.command for job in JOBS} - set(get_commands())
    assert missing <= {"refresh_rollups"}
    daily = {job.command for job in JOBS if job.at_hour is not None}
    assert {"verify_audit_chain", "purge_checkpoint_entries", "purge_health_records"} <= daily


def _break_the_audit_chain(actor) -> None:
    events = [record(actor=actor, action=f"test.event{i}") for i in range(2)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete")
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.forged", events[0].pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_no_update_delete")


JOBS_UNDER_TEST = [
    Job("verify_audit_chain", DAY),
    Job("no_such_command", DAY),
    Job("deliver_outbox", MINUTE),
]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others_and_is_recorded(people, caplog):
    _break_the_audit_chain(people.manager1)
    outcomes = run_due_jobs(jobs=JOBS_UNDER_TEST, now=NOW)
    assert [(o.job, o.status) for o in outcomes] == [
        ("verify_audit_chain", "failed"),
        ("no_such_command", "skipped"),
        ("deliver_outbox", "ok"),
    ]
    assert "audit chain broken" in outcomes[0].message
    states = {s.job: s for s in JobState.objects.all()}
    assert states["verify_audit_chain"].failures_in_a_row == 1
    assert states["deliver_outbox"].last_status == "ok"
    assert states["deliver_outbox"].last_started_at == NOW
    assert any(r.levelname == "ERROR" and "verify_audit_chain" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_jobs_just_run_are_not_run_again_until_due(people):
    run_due_jobs(jobs=JOBS_UNDER_TEST[1:], now=NOW)
    assert run_due_jobs(jobs=JOBS_UNDER_TEST[1:], now=NOW + timedelta(seconds=59)) == []
    again = run_due_jobs(jobs=JOBS_UNDER_TEST[1:], now=NOW + MINUTE)
    assert [o.job for o in again] == ["deliver_outbox"]


@pytest.mark.django_db
def test_a_runner_holding_a_stale_state_cannot_claim_a_job_another_runner_took(people):
    from xiachen.ops.schedule import _claim

    JobState.objects.create(job="deliver_outbox", last_started_at=NOW - DAY, last_status="ok")
    stale = JobState.objects.get(job="deliver_outbox")
    assert _claim(EVERY_FIVE, NOW, force=False)
    claimed_again = JobState.objects.filter(pk=stale.pk, last_started_at=stale.last_started_at).update(
        last_started_at=NOW
    )
    assert claimed_again == 0


@pytest.mark.django_db
def test_the_command_exits_non_zero_when_a_job_failed(people, capsys):
    _break_the_audit_chain(people.manager1)
    with pytest.raises(CommandError, match="1 scheduled job\\(s\\) failed: verify_audit_chain"):
        # Forced: a daily job is not due before its hour (02:00), and the suite runs at any hour.
        call_command("run_scheduled_jobs", job=["verify_audit_chain", "deliver_outbox"], force=True)
    out = capsys.readouterr().out
    assert "verify_audit_chain: failed" in out
    assert "deliver_outbox: ok" in out


@pytest.mark.django_db
def test_the_command_succeeds_and_lists_the_jobs(people, capsys):
    call_command("run_scheduled_jobs", job=["deliver_outbox", "escalate_policy_feedback"])
    call_command("run_scheduled_jobs", list=True)
    listing = capsys.readouterr().out
    assert "deliver_outbox: ok" in listing
    assert "verify_audit_chain" in listing
    assert "daily from 02:00" in listing


@pytest.mark.django_db
def test_a_database_error_in_the_bookkeeping_fails_that_job_only(monkeypatch):
    """A "database is locked" (SQLite) or a restarted PostgreSQL while claiming a job used to end the
    whole run, and with it bin/demo's loop (issue #16 item 16)."""
    from django.db import OperationalError

    from xiachen.ops import schedule

    claim = schedule._claim

    def flaky(job, now, *, force):
        if job.command == "deliver_outbox":
            raise OperationalError("database is locked")
        return claim(job, now, force=force)

    monkeypatch.setattr(schedule, "_claim", flaky)
    jobs = [Job("deliver_outbox", MINUTE), Job("escalate_policy_feedback", MINUTE)]
    outcomes = {o.job: o.status for o in run_due_jobs(jobs=jobs, now=NOW)}
    assert outcomes == {"deliver_outbox": "failed", "escalate_policy_feedback": "ok"}


def test_the_worker_outlives_a_database_error_while_polling(monkeypatch):
    """The stock worker re-raised it and exited (a PostgreSQL restart while idle)."""
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker as stock

    from xiachen.ops.worker.management.commands import db_worker

    polls = []

    def poll(self):
        polls.append(1)
        if len(polls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(stock.Worker, "run", poll)
    monkeypatch.setattr(db_worker.leases, "reclaim_stale", lambda: [])
    monkeypatch.setattr(db_worker.time, "sleep", lambda seconds: None)
    worker = db_worker.ResilientWorker(queue_names=["default"], interval=0.1, batch=True, backend_name="default",
                                       startup_delay=False, max_tasks=None, worker_id="w", excluded_queue_names=[])
    worker.run()
    assert len(polls) == 2
