"""Background work of exports: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def build_download_task(*, job_id: int) -> None:
    from .services import run_download_job

    run_download_job(job_id=job_id)
