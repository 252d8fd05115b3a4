from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiachen.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import personal_data  # noqa: F401  # registers this app's personal-data fields
        from .middleware import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="xiachen.accounts.stamp_session")
