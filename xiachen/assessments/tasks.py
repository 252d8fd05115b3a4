"""Background work of assessments: primitive ids in, fetch, call a service."""

from django_tasks import task


@task()
def generate_report_task(*, job_id: int) -> None:
    from .reports import run_report_job

    run_report_job(job_id=job_id)


@task()
def compute_scores_task(*, job_id: int) -> None:
    from .services import run_score_job

    run_score_job(job_id=job_id)
