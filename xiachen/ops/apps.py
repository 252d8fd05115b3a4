from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore, the scheduled-jobs runner. No URLs, no user-facing pages."""

    name = "xiachen.ops"
    label = "ops"
