"""Background work of integrations: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def deliver_webhooks_task() -> None:
    from .webhooks import deliver_due

    deliver_due()


@task()
def forward_ticket_task(*, forward_id: int) -> None:
    from .open311_client import send_forward

    send_forward(forward_id=forward_id)
