from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiachen.accounts"
    label = "accounts"
