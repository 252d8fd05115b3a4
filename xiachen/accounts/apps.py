from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiachen.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  # registers this app's personal-data fields
