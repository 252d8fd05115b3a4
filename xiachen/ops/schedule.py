"""The scheduled jobs and the runner behind `manage.py run_scheduled_jobs` (a systemd timer runs it every minute).

Each job is an existing management command with an interval, or a local hour for the daily ones.
The last run of every job is kept in `JobState`; a job is due when its interval has passed since
its last start (a failed job is retried after at most RETRY_AFTER). A runner claims a due job by
moving `last_started_at` with a compare-and-set UPDATE, so two overlapping runners never run the
same job twice. One job failing never stops the others, nor does a database error in the runner's
own bookkeeping (that job counts as failed); the runner exits non-zero if any failed.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

from django.core.management import CommandError, call_command, get_commands
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import JobState

logger = logging.getLogger("xiachen.ops")

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
RETRY_AFTER = timedelta(minutes=15)
OK, FAILED, SKIPPED, RUNNING = "ok", "failed", "skipped", "running"


@dataclass(frozen=True)
class Job:
    command: str
    every: timedelta
    args: tuple[str, ...] = ()
    at_hour: int | None = None  # daily jobs: once a local (Asia/Shanghai) day, from this hour on
    why: str = ""


JOBS: tuple[Job, ...] = (
    Job(
        "verify_audit_chain", DAY, at_hour=2, why="docs/security.md: hash-chained audit; a broken chain exits non-zero"
    ),
    Job("anchor_audit_chain", DAY, at_hour=2, why="signed checkpoint outside the database: deletions show"),
    Job("purge_checkpoint_entries", DAY, at_hour=3, why="retention: checkpoint registrations (PIPL)"),
    Job("create_partitions", DAY, at_hour=1, why="next month's partitions: scans, checkpoint registrations (ADR 2111)"),
    Job("drop_expired_partitions", DAY, at_hour=3,
        why="retention: scans past 28 days (PIPL): whole months dropped, the rest deleted, audited"),
    Job("purge_health_records", DAY, at_hour=3, why="retention: quarantine, return reports, errands, support (PIPL)"),
    Job("clearsessions", DAY, at_hour=3, why="retention: expired sessions"),
    Job("purge_downloads", HOUR, why="retention: export files, one day after they were built"),
    Job("axes_reset_logs", DAY, ("--age", "180"), at_hour=3, why="retention: sign-in logs, 6 months (网络安全法 §21)"),
    Job("axes_reset_failure_logs", DAY, ("--age", "180"), at_hour=3, why="retention: failed sign-ins, 6 months"),
    Job("prune_db_task_results", DAY, ("--min-age-days", "30"), at_hour=4, why="finished background tasks"),
    Job("reclaim_tasks", MINUTE, why="rounds/rosters whose background task died: back to a state the user can act on"),
    Job("purge_pending_imports", HOUR, why="unconfirmed uploads hold whole files of IDs and phones: 24 h at most"),
    Job("deliver_outbox", MINUTE, why="SMS/WeChat notifications"),
    Job("errand_jobs", 5 * MINUTE, why="close stale errands, visit tasks, overdue visits"),
    Job("hotline_jobs", 5 * MINUTE, why="ticket reminders and escalation"),
    Job("deployment_jobs", 15 * MINUTE, why="start reminders, no-shows"),
    Job("volunteer_jobs", 15 * MINUTE, why="volunteer activity reminders a day ahead (双报到)"),
    Job("check_calendar", DAY, at_hour=8, why="next year's holidays missing (from 1 November), provisional deadlines"),
    Job("flush_survey_answers", HOUR, why="anonymous survey answers into the results in shuffled batches (ADR 1505)"),
    Job("escalate_policy_feedback", HOUR, why="overdue policy feedback to the organization department"),
    Job("ldap_sync", HOUR, ("--apply", "--scheduled"),
        why="accounts and memberships from the LDAP directory (off unless XIACHEN_LDAP_SYNC_SCHEDULED)"),
    Job("deliver_webhooks", MINUTE, why="webhook retries with backoff (first attempts go at once through the worker)"),
    Job("pull_open311_status", 15 * MINUTE,
        why="forward waiting tickets to the city's Open311 platform, pull their status"),
    Job("purge_idempotency_keys", HOUR, why="Idempotency-Key answers older than XIACHEN_IDEMPOTENCY_HOURS"),
    Job("refresh_rollups", 15 * MINUTE, why="dashboard rollups (skipped while the command is absent)"),
)


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str
    message: str
    seconds: float


def is_due(job: Job, state: JobState, now: datetime) -> bool:
    started = state.last_started_at
    local_now = timezone.localtime(now)
    if started is None:
        return job.at_hour is None or local_now.hour >= job.at_hour
    if state.last_status == FAILED and now - started >= min(job.every, RETRY_AFTER):
        return True
    if job.at_hour is not None:
        return local_now.date() > timezone.localtime(started).date() and local_now.hour >= job.at_hour
    return now - started >= job.every


def run_due_jobs(*, jobs: Iterable[Job] = JOBS, now: datetime | None = None, force: bool = False) -> list[Outcome]:
    """Run every due job once (every job with `force`), in order; return what each did."""
    now = now or timezone.now()
    outcomes = []
    for job in jobs:
        try:
            if _claim(job, now, force=force):
                outcomes.append(_run(job, now))
        except DatabaseError as error:  # the bookkeeping itself failed (database restarted, locked)
            logger.error("scheduled job %s: bookkeeping failed: %s", job.command, error)
            _drop_broken_connection()
            outcomes.append(Outcome(job.command, FAILED, f"{type(error).__name__}: {error}"[:2000], 0.0))
    return outcomes


def _claim(job: Job, now: datetime, *, force: bool) -> bool:
    state, _created = JobState.objects.get_or_create(job=job.command)
    if not force and not is_due(job, state, now):
        return False
    claimed = JobState.objects.filter(pk=state.pk, last_started_at=state.last_started_at)
    return claimed.update(last_started_at=now, last_status=RUNNING) == 1


def _run(job: Job, now: datetime) -> Outcome:
    started = time.perf_counter()
    output = StringIO()
    if job.command not in get_commands():
        status, message = SKIPPED, f"command {job.command} is not installed"
        logger.warning("scheduled job %s skipped: %s", job.command, message)
    else:
        logger.info("scheduled job %s started", job.command)
        status, message = _call(job, output)
    outcome = Outcome(job.command, status, message, round(time.perf_counter() - started, 3))
    _record(outcome)
    return outcome


def _call(job: Job, output: StringIO) -> tuple[str, str]:
    try:
        call_command(job.command, *job.args, stdout=output, stderr=output)
    except (Exception, SystemExit) as error:  # one failing job must not stop the others
        logger.error("scheduled job %s FAILED: %s", job.command, error, exc_info=not isinstance(error, CommandError))
        _drop_broken_connection()
        return FAILED, f"{type(error).__name__}: {error}"[:2000]
    logger.info("scheduled job %s done: %s", job.command, output.getvalue().strip()[-300:])
    return OK, output.getvalue().strip()[-2000:]


def _drop_broken_connection() -> None:
    """A job that lost the database connection must not take the bookkeeping of the next jobs with it."""
    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


def _record(outcome: Outcome) -> None:
    state = JobState.objects.get(job=outcome.job)
    state.last_finished_at = timezone.now()
    state.last_status = outcome.status
    state.last_message = outcome.message
    state.failures_in_a_row = state.failures_in_a_row + 1 if outcome.status == FAILED else 0
    state.save(update_fields=["last_finished_at", "last_status", "last_message", "failures_in_a_row"])
