from django.apps import AppConfig


class ResidentConfig(AppConfig):
    name = "xiachen.resident"
    label = "resident"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  # registers this app's personal-data fields
