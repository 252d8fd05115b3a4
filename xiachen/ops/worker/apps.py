from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Only a management command: `db_worker`, listed before django_tasks_db so it replaces that
    app's worker with one that survives a lost database connection (ADR 1606)."""

    name = "xiachen.ops.worker"
    label = "ops_worker"
