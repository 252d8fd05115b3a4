from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "xiachen.deployments"
    label = "deployments"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  # registers this app's personal-data declarations
