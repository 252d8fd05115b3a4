"""Background work of operations: the generic job runner (xiachen.ops.jobs, ADR 1411)."""

from django_tasks import task

from . import leases


@task(takes_context=True)
def run_job_task(context, *, job_id: int, lease: str | None = None) -> None:
    from .jobs import run

    with leases.holding("ops.job", job_id, lease, task_id=context.task_result.id) as held:
        if held is not None:
            run(job_id=job_id, token=lease)


@leases.on_lost("ops.job")
def job_lost(job_id: int, reason: str, take) -> None:
    from .jobs import job_lost as fail_lost_job

    fail_lost_job(job_id, reason, take)
