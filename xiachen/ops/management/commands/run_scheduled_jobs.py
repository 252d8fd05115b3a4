"""`manage.py run_scheduled_jobs`: run the due jobs of xiachen.ops.schedule once (a timer calls it every minute)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiachen.ops.models import JobState
from xiachen.ops.schedule import FAILED, JOBS, is_due, run_due_jobs


class Command(BaseCommand):
    help = "Run every scheduled job that is due (audit-chain check, retention purges, reminders, outbox …)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", dest="show_list", help="each job's interval, last run, and whether it is due"
        )
        parser.add_argument("--job", action="append", default=[], help="only this job (repeatable)")
        parser.add_argument("--force", action="store_true", help="run the selected jobs even if they are not due")

    def handle(self, *args, show_list: bool, job: list[str], force: bool, **options):
        unknown = set(job) - {j.command for j in JOBS}
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(sorted(unknown))}")
        jobs = [j for j in JOBS if not job or j.command in job]
        if show_list:
            self._list(jobs)
            return
        outcomes = run_due_jobs(jobs=jobs, force=force)
        for outcome in outcomes:
            style = self.style.ERROR if outcome.status == FAILED else self.style.SUCCESS
            line = style(f"{outcome.job}: {outcome.status} in {outcome.seconds:.1f}s")
            self.stdout.write(f"{line} {outcome.message}")
        failed = [o.job for o in outcomes if o.status == FAILED]
        if failed:
            raise CommandError(f"{len(failed)} scheduled job(s) failed: {', '.join(failed)}")
        if not outcomes and options["verbosity"] > 1:
            self.stdout.write("no job due")

    def _list(self, jobs) -> None:
        now = timezone.now()
        states = {state.job: state for state in JobState.objects.all()}
        for entry in jobs:
            state = states.get(entry.command) or JobState(job=entry.command)
            when = f"daily from {entry.at_hour:02d}:00" if entry.at_hour is not None else f"every {entry.every}"
            started = state.last_started_at
            last = timezone.localtime(started).isoformat(timespec="seconds") if started else "never"
            due = "due" if is_due(entry, state, now) else "-"
            self.stdout.write(f"{entry.command:<26} {when:<18} last {last:<26} {state.last_status or '-':<8} {due}")
