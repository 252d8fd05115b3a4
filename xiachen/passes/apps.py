from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "xiachen.passes"
    label = "passes"
