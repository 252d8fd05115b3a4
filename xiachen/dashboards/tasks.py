"""Background work of dashboards: the periodic rollup refresh a scheduler enqueues every few minutes."""

from django_tasks import task


@task()
def refresh_rollups_task(*, full: bool = False) -> dict:
    from . import rollups

    if full:
        rollups.rebuild_all()
        return {"full": True}
    return rollups.refresh_changed()
