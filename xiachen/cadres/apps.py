from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "xiachen.cadres"
    label = "cadres"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  # registers this app's personal-data fields
