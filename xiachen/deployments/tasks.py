"""Background work of deployment rounds: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def run_matching_task(*, round_id: int, user_id: int) -> None:
    from .services import run_matching

    run_matching(round_id=round_id, user_id=user_id)
