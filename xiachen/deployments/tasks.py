"""Background work of deployment rounds: primitive ids in, fetch, call a service.

The matching run holds a lease on its round (xiachen.ops.leases, ADR 1606): if its worker dies, the
round is handed back by `matching_lost` instead of staying "matching" for ever.
"""

from django_tasks import task

from xiachen.ops import leases


@task(takes_context=True)
def run_matching_task(context, *, round_id: int, user_id: int, lease: str | None = None,
                      incremental: bool = True) -> None:
    from .services import run_matching

    with leases.holding("deployments.round", round_id, lease, task_id=context.task_result.id) as held:
        if held is not None:
            run_matching(round_id=round_id, user_id=user_id, lease=lease, incremental=incremental)


@leases.on_lost("deployments.round")
def matching_lost(round_id: int, reason: str, take) -> None:
    from .services import matching_interrupted

    matching_interrupted(round_id=round_id, reason=reason, take=take)
