"""Background work of imports: primitive ids in, fetch, call a service (xiachen.core.import_jobs).

The task holds a lease on the upload (ADR 1606): if its worker dies, `import_lost` leaves the upload
failed with the reason (nothing stored), instead of "正在导入 40 %" for ever.
"""

from django_tasks import task

from xiachen.ops import leases


@task(takes_context=True)
def run_import_task(context, *, pending_id: int, phase: str, lease: str) -> None:
    from .import_jobs import run

    with leases.holding("core.pendingimport", pending_id, lease, task_id=context.task_result.id) as held:
        if held is not None:
            run(pending_id=pending_id, phase=phase, lease=lease)


@leases.on_lost("core.pendingimport")
def import_lost(pending_id: int, reason: str, take) -> None:
    from .import_jobs import interrupted

    interrupted(pending_id=pending_id, reason=reason, take=take)
