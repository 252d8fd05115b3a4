from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "xiachen.households"
    label = "households"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  # registers this app's personal-data fields
