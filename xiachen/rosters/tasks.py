"""Background work of rosters: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def generate_roster_task(*, roster_id: int, user_id: int, time_limit: float) -> None:
    from .services import run_generation

    run_generation(roster_id=roster_id, user_id=user_id, time_limit=time_limit)
