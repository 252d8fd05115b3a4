"""Background work of the audit trail: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def chain_check_task(*, check_id: int) -> None:
    from .services import run_chain_check

    run_chain_check(check_id=check_id)
